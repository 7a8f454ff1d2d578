import type { AuditEntry } from '@agentmesh/sdk/browser'
import { Anomalies } from '../components/anomalies.js'
import { LineChart } from '../components/line-chart.js'
import { Badge, ErrorBox, Figure, Id, Json, Section } from '../components/ui.js'
import { count, dateTime, ms, percent } from '../format.js'
import { useLoad } from '../hooks.js'
import { isAdmin, type Session } from '../session.js'

/** The success rate after each outcome in the audit log (oldest first): the record over time. */
export function successOverTime(entries: readonly AuditEntry[]): (number | null)[] {
  let done = 0
  let ok = 0
  const points: number[] = []
  for (const entry of entries) {
    if (!/^task\.(completed|failed|timed_out|disputed)$/.test(entry.action)) continue
    done++
    if (entry.result === 'ok') ok++
    points.push(ok / done)
  }
  return points
}

function History({ session, id }: { session: Session; id: string }) {
  const allowed = isAdmin(session) || session.did === id
  const history = useLoad(
    async () =>
      allowed ? (await session.mesh.auditEntries({ actor: id, limit: 1000 })).entries : [],
    [session, id],
  )
  if (!allowed) {
    return (
      <p className="muted">
        The outcome history comes from the audit log: sign in as admin to see it.
      </p>
    )
  }
  const points = successOverTime(history.data ?? [])
  return (
    <>
      <ErrorBox error={history.error} />
      {points.length === 0 ? (
        <p className="muted">No finished task yet.</p>
      ) : (
        <LineChart
          caption={`Success rate after each of ${count(points.length, 'outcome')} (audit log)`}
          format={(v) => percent(v, 0)}
          from="first"
          to="latest"
          lines={[{ label: 'success rate', tone: 'a', values: points }]}
        />
      )}
    </>
  )
}

/** One agent: its card (capabilities, schemas, pricing), reputation and record over time. */
export function AgentDetailPage({ session, id }: { session: Session; id: string }) {
  const agent = useLoad(() => session.mesh.agent(id), [session, id], 5000)
  const reputation = useLoad(() => session.mesh.reputation(id), [session, id], 5000)
  const a = agent.data
  const r = reputation.data
  return (
    <>
      <div className="page-head">
        <h1>{a?.name ?? 'Agent'}</h1>
        {a ? <Badge state={a.online ? 'online' : 'offline'} /> : null}
        {r && r.anomalies.length > 0 ? <Badge state="anomalous" /> : null}
      </div>
      <p className="muted">
        <Id value={id} />
      </p>
      <ErrorBox error={agent.error} />
      {a ? (
        <Section title="Card">
          <p>{a.card.description}</p>
          <dl className="facts">
            <dt>Version</dt>
            <dd>{a.version}</dd>
            <dt>Registered</dt>
            <dd>{dateTime(a.registeredAt)}</dd>
            <dt>Last seen</dt>
            <dd>{dateTime(a.lastSeenAt)}</dd>
            <dt>Load</dt>
            <dd>
              {a.load.inFlight} / {count(a.load.concurrency, 'task')}
            </dd>
          </dl>
        </Section>
      ) : null}
      <Section title="Reputation">
        <ErrorBox error={reputation.error} />
        {r ? (
          <>
            <div className="figures">
              <Figure label="score (0–5)" value={r.score.toFixed(2)} />
              <Figure label="calls" value={String(r.stats.calls)} />
              <Figure label="success rate" value={percent(r.stats.successRate)} />
              <Figure label="p50 latency" value={ms(r.stats.latencyMs.p50)} />
              <Figure label="p95 latency" value={ms(r.stats.latencyMs.p95)} />
              <Figure label="uptime" value={percent(r.stats.uptime)} />
              <Figure label="oracle weight" value={r.oracle.weight.toFixed(2)} />
            </div>
            <p className="explain-text">{r.explanation.text}</p>
            <Anomalies anomalies={r.anomalies} />
          </>
        ) : null}
        <History session={session} id={id} />
      </Section>
      {a?.card.capabilities.map((c) => (
        <Section key={c.id} title={<code>{c.id}</code>}>
          <p>{c.description}</p>
          <dl className="facts">
            <dt>Price</dt>
            <dd>
              {c.pricing.amount} {c.pricing.currency} ({c.pricing.model.replace('_', ' ')})
            </dd>
            <dt>SLA</dt>
            <dd>
              timeout {ms(c.sla?.timeoutMs)}
              {c.sla?.p95LatencyMs ? `, p95 ${ms(c.sla.p95LatencyMs)}` : ''}
            </dd>
            <dt>Tags</dt>
            <dd>{c.tags?.length ? c.tags.join(', ') : '—'}</dd>
          </dl>
          <div className="grid-2">
            <div>
              <h3>Input schema</h3>
              <Json value={c.input} />
            </div>
            <div>
              <h3>Output schema</h3>
              <Json value={c.output} />
            </div>
          </div>
        </Section>
      ))}
    </>
  )
}
