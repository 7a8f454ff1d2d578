import type { ClusterNodeView, ClusterView } from '@agentmesh/protocol'
import { Table, type Column } from '../components/table.js'
import { Badge, ErrorBox, Figure, Id, Live, Section } from '../components/ui.js'
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

/** The nodes' columns; `self` is the node that answered, marked with a dot. */
const nodeColumns = (self: string): Column<ClusterNodeView>[] => [
  {
    head: 'Node',
    cell: (node) => (
      <>
        <Id value={node.id} short={shortId(node.id, 8)} />
        {node.id === self ? (
          <span className="muted small" title="The node that answered">
            {' '}
            ●
          </span>
        ) : null}
        <div className="muted small node-url hide-narrow">{node.url}</div>
      </>
    ),
  },
  {
    head: 'State',
    cell: (node) => <Badge state={node.state} />,
  },
  {
    head: 'Agents',
    cell: (node) => node.agents.length,
    cellProps: (node) => ({ title: node.agents.join('\n') }),
  },
  {
    head: 'Tasks',
    headTitle: 'Tasks in flight over capacity',
    cell: (node) => `${node.inFlight} / ${node.capacity}`,
  },
  { head: 'Load', cellClass: 'load-cell', cell: (node) => <LoadBar load={node.load} /> },
  { head: 'Leases', className: 'hide-narrow', cell: (node) => node.leases },
  { head: 'Last seen', className: 'hide-narrow', cell: (node) => dateTime(node.lastSeenAt) },
]

type Lease = ClusterView['leases'][number]

const LEASE_COLUMNS: Column<Lease>[] = [
  {
    head: 'Task',
    cell: (lease) => <a href={href(['tasks', lease.taskId])}>{shortId(lease.taskId, 8)}</a>,
  },
  {
    head: 'Owner',
    cell: (lease) => <Id value={lease.ownerId} short={shortId(lease.ownerId, 8)} />,
  },
  { head: 'Epoch', cell: (lease) => lease.epoch },
  { head: 'Expires', className: 'hide-narrow', cell: (lease) => dateTime(lease.expiresAt) },
]

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
            <Table
              columns={nodeColumns(view.nodeId)}
              rows={view.nodes}
              rowKey={(node) => node.id}
              mark="node"
              className="cluster-nodes"
            />
          </Section>
          <Section
            title={`Leases (${view.leases.length === 0 ? 'none' : `first ${view.leases.length}`})`}
          >
            <Table
              columns={LEASE_COLUMNS}
              rows={view.leases}
              rowKey={(lease) => lease.taskId}
              mark="lease"
              className="cluster-leases"
              empty="No unfinished task holds a lease."
              emptyHidesTable
            />
          </Section>
        </>
      ) : null}
    </>
  )
}
