import type { NodeStats } from '@agentmesh/sdk/browser'
import { LineChart } from '../components/line-chart.js'
import { ErrorBox, Figure, Live, Section } from '../components/ui.js'
import { count, ms, percent } from '../format.js'
import { useLoad } from '../hooks.js'
import type { Session } from '../session.js'

const REFRESH_MS = 2000

/** Live figures of the node: throughput, latency, errors, agents online. */
export function OverviewPage({ session }: { session: Session }) {
  const stats = useLoad<NodeStats>(() => session.mesh.stats(), [session], REFRESH_MS)
  const s = stats.data
  const series = s?.series ?? []
  return (
    <>
      <div className="page-head">
        <h1>Overview</h1>
        <Live live={!stats.error && s !== undefined} />
      </div>
      <ErrorBox error={stats.error} />
      <div className="figures" data-testid="figures">
        <Figure
          label="tasks / s"
          value={s ? s.tasksPerSecond.toFixed(2) : '—'}
          hint={s ? `${s.finished} in the last minute` : undefined}
        />
        <Figure label="p50 latency" value={ms(s?.latencyMs.p50)} />
        <Figure label="p95 latency" value={ms(s?.latencyMs.p95)} />
        <Figure label="p99 latency" value={ms(s?.latencyMs.p99)} />
        <Figure
          label="error rate"
          value={percent(s?.errorRate)}
          hint={s ? `${s.errors} failed` : undefined}
        />
        <Figure
          label="agents online"
          value={s ? String(s.agentsOnline) : '—'}
          hint={s ? `${count(s.inFlight, 'task')} in flight` : undefined}
        />
      </div>
      <div className="grid-2">
        <Section title="Tasks finished per second">
          <LineChart
            caption="Finished and failed tasks, last minute"
            format={(v) => v.toFixed(v < 10 ? 1 : 0)}
            lines={[
              { label: 'finished', tone: 'a', values: series.map((p) => p.finished) },
              { label: 'errors', tone: 'c', values: series.map((p) => p.errors) },
            ]}
          />
        </Section>
        <Section title="Latency p95 per second">
          <LineChart
            caption="Submission to final state"
            format={(v) => ms(v)}
            lines={[{ label: 'p95', tone: 'b', values: series.map((p) => p.p95LatencyMs) }]}
          />
        </Section>
      </div>
      <p className="muted small node-line">
        Node {session.info.did} · {session.info.version} · {session.info.mode} ({session.info.store}
        )
      </p>
    </>
  )
}
