import type { ClusterNodeView, ClusterView } from '@agentmesh/protocol'
import { ErrorBox, Figure, Id, Live, Section } from '../components/ui.js'
import { codeOf, count, dateTime, percent, shortId } from '../format.js'
import { useLoad } from '../hooks.js'
import { href } from '../router.js'
import { isAdmin, type Session } from '../session.js'

const REFRESH_MS = 3000

const ADVICE: Record<ClusterView['recommendation'], { label: string; tone: string; hint: string }> =
  {
    scale_out: { label: 'scale out', tone: 'warn', hint: 'load above 80 %' },
    scale_in: { label: 'scale in', tone: 'idle', hint: 'load below 30 %' },
    steady: { label: 'steady', tone: 'ok', hint: 'load between 30 and 80 %' },
  }

const STATE_TONES: Record<ClusterNodeView['state'], string> = {
  up: 'ok',
  draining: 'warn',
  gone: 'bad',
}

/** Whether this session sees the Cluster page: an admin on a node in cluster mode. */
export const showsCluster = (session: Session): boolean =>
  isAdmin(session) && session.info.mode === 'cluster'

/** A load (in-flight work over capacity) as a bar and a percentage; past 100 % the bar is full. */
function LoadBar({ load }: { load: number }) {
  const safe = Number.isFinite(load) && load > 0 ? load : 0
  return (
    <span className="load" title={`in-flight over capacity: ${safe.toFixed(2)}`}>
      <span className="load-track">
        <span
          className={`load-fill${safe > 0.8 ? ' over' : ''}`}
          style={{ width: `${Math.min(100, Math.round(safe * 100))}%` }}
        />
      </span>
      <span className="load-figure">{percent(safe, 0)}</span>
    </span>
  )
}

/** The cluster from `GET /v1/cluster`: its nodes and their load, the scale advice, the leases. */
export function ClusterPage({ session }: { session: Session }) {
  const cluster = useLoad(
    () => session.mesh.request<ClusterView>('GET', '/v1/cluster'),
    [session],
    REFRESH_MS,
  )
  const view = cluster.data
  const notClustered = ['FEATURE_UNAVAILABLE', 'ROUTE_NOT_FOUND'].includes(
    codeOf(cluster.error) ?? '',
  )
  const advice = view ? ADVICE[view.recommendation] : undefined
  const up = view?.nodes.filter((node) => node.state === 'up').length ?? 0
  return (
    <>
      <div className="page-head">
        <h1>Cluster</h1>
        <Live live={!cluster.error && view !== undefined} />
      </div>
      {notClustered ? (
        <p className="muted" data-testid="cluster-missing">
          This node is not part of a cluster ({session.info.mode} mode).
        </p>
      ) : (
        <ErrorBox error={cluster.error} />
      )}
      {view && advice ? (
        <>
          <div className="figures" data-testid="cluster-figures">
            <Figure label="cluster load" value={<LoadBar load={view.load} />} />
            <Figure
              label="recommendation"
              value={
                <span
                  className={`badge tone-${advice.tone}`}
                  data-recommendation={view.recommendation}
                >
                  {advice.label}
                </span>
              }
              hint={advice.hint}
            />
            <Figure label="nodes up" value={`${up} / ${view.nodes.length}`} />
            <Figure
              label="tasks in flight"
              value={String(view.nodes.reduce((sum, node) => sum + node.inFlight, 0))}
            />
          </div>
          <Section title={count(view.nodes.length, 'node')}>
            <div className="table-wrap">
              <table className="table cluster-nodes">
                <thead>
                  <tr>
                    <th>Node</th>
                    <th>State</th>
                    <th>Agents</th>
                    <th title="Tasks in flight over capacity">Tasks</th>
                    <th>Load</th>
                    <th className="hide-narrow">Leases</th>
                    <th className="hide-narrow">Last seen</th>
                  </tr>
                </thead>
                <tbody>
                  {view.nodes.map((node) => (
                    <tr key={node.id} data-node={node.id}>
                      <td>
                        <Id value={node.id} short={shortId(node.id, 8)} />
                        {node.id === view.nodeId ? (
                          <span className="muted small" title="The node that answered">
                            {' '}
                            ●
                          </span>
                        ) : null}
                        <div className="muted small node-url hide-narrow">{node.url}</div>
                      </td>
                      <td>
                        <span
                          className={`badge tone-${STATE_TONES[node.state]}`}
                          data-state={node.state}
                        >
                          {node.state}
                        </span>
                      </td>
                      <td title={node.agents.join('\n')}>{node.agents.length}</td>
                      <td>
                        {node.inFlight} / {node.capacity}
                      </td>
                      <td className="load-cell">
                        <LoadBar load={node.load} />
                      </td>
                      <td className="hide-narrow">{node.leases}</td>
                      <td className="hide-narrow">{dateTime(node.lastSeenAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Section>
          <Section
            title={`Leases (${view.leases.length === 0 ? 'none' : `first ${view.leases.length}`})`}
          >
            {view.leases.length === 0 ? (
              <p className="muted">No unfinished task holds a lease.</p>
            ) : (
              <div className="table-wrap">
                <table className="table cluster-leases">
                  <thead>
                    <tr>
                      <th>Task</th>
                      <th>Owner</th>
                      <th>Epoch</th>
                      <th className="hide-narrow">Expires</th>
                    </tr>
                  </thead>
                  <tbody>
                    {view.leases.map((lease) => (
                      <tr key={lease.taskId} data-lease={lease.taskId}>
                        <td>
                          <a href={href(['tasks', lease.taskId])}>{shortId(lease.taskId, 8)}</a>
                        </td>
                        <td>
                          <Id value={lease.ownerId} short={shortId(lease.ownerId, 8)} />
                        </td>
                        <td>{lease.epoch}</td>
                        <td className="hide-narrow">{dateTime(lease.expiresAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Section>
        </>
      ) : null}
    </>
  )
}
