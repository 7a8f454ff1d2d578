import type { FederationView } from '@agentmesh/protocol'
import { Table, type Column } from '../components/table.js'
import { ErrorBox, Section } from '../components/ui.js'
import { shortId } from '../format.js'
import { useLoad } from '../hooks.js'
import type { Session } from '../session.js'

type Peer = FederationView['peers'][number]

/** What a peer's reputation comes to, in one word. */
function standing(peer: Peer): string {
  if (peer.reputation.disconnected) return 'disconnected'
  return peer.reputation.demoted ? 'demoted' : 'good'
}

const PEER_COLUMNS: Column<Peer>[] = [
  {
    head: 'Peer',
    cell: (peer) => shortId(peer.did, 6),
    cellProps: (peer) => ({ title: peer.did }),
  },
  { head: 'Zone', cell: (peer) => peer.zone },
  { head: 'Connected', cell: (peer) => (peer.connected ? 'yes' : 'no') },
  {
    head: 'Latency',
    cell: (peer) => (peer.latencyMs === null ? '–' : `${Math.round(peer.latencyMs)} ms`),
  },
  { head: 'Capabilities', cell: (peer) => peer.capabilities },
  {
    head: 'Reputation',
    cell: (peer) => (
      <>
        {peer.reputation.score.toFixed(2)} {standing(peer)} ({peer.reputation.tasks} tasks)
      </>
    ),
  },
  {
    head: 'Clearing (net, limit)',
    cell: (peer) => (
      <>
        {peer.clearing.net} / {peer.clearing.creditLimit} {peer.clearing.currency}
      </>
    ),
  },
]

/**
 * The node's federation from `GET /v1/federation`: its identity, then each peer with its zone,
 * latency, reputation and the clearing balance between the two operators; refreshed live.
 */
export function FederationPage({ session }: { session: Session }) {
  const fed = useLoad(() => session.mesh.federation(), [session], 5000)
  const view = fed.data
  return (
    <>
      <div className="page-head">
        <h1>Federation</h1>
      </div>
      <ErrorBox error={fed.error} />
      {view ? (
        <>
          <Section title="This node">
            <dl className="facts">
              <dt>DID</dt>
              <dd title={view.did}>{shortId(view.did, 8)}</dd>
              <dt>Peer id</dt>
              <dd title={view.peerId}>{shortId(view.peerId, 8)}</dd>
              <dt>Mode</dt>
              <dd>
                {view.mode} · gossip {view.gossip ? 'on' : 'off'} · DHT {view.dht ? 'on' : 'off'}
              </dd>
            </dl>
          </Section>
          <Section title={`${view.peers.length} peer${view.peers.length === 1 ? '' : 's'}`}>
            <Table
              columns={PEER_COLUMNS}
              rows={view.peers}
              rowKey={(peer) => peer.did}
              mark="peer"
              testId="federation-peers"
              empty="No peer yet."
            />
          </Section>
        </>
      ) : null}
    </>
  )
}
