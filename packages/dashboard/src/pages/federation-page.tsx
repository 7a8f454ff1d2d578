import type { FederationView } from '@agentmesh/protocol'
import { ErrorBox, Section } from '../components/ui.js'
import { shortId } from '../format.js'
import { useLoad } from '../hooks.js'
import type { Session } from '../session.js'

/** What a peer's reputation comes to, in one word. */
function standing(peer: FederationView['peers'][number]): string {
  if (peer.reputation.disconnected) return 'disconnected'
  return peer.reputation.demoted ? 'demoted' : 'good'
}

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
            {view.peers.length === 0 ? <p className="muted">No peer yet.</p> : null}
            <div className="table-wrap">
              <table className="table" data-testid="federation-peers">
                <thead>
                  <tr>
                    <th>Peer</th>
                    <th>Zone</th>
                    <th>Connected</th>
                    <th>Latency</th>
                    <th>Capabilities</th>
                    <th>Reputation</th>
                    <th>Clearing (net, limit)</th>
                  </tr>
                </thead>
                <tbody>
                  {view.peers.map((peer) => (
                    <tr key={peer.did} data-peer={peer.did}>
                      <td title={peer.did}>{shortId(peer.did, 6)}</td>
                      <td>{peer.zone}</td>
                      <td>{peer.connected ? 'yes' : 'no'}</td>
                      <td>{peer.latencyMs === null ? '–' : `${Math.round(peer.latencyMs)} ms`}</td>
                      <td>{peer.capabilities}</td>
                      <td>
                        {peer.reputation.score.toFixed(2)} {standing(peer)} ({peer.reputation.tasks}{' '}
                        tasks)
                      </td>
                      <td>
                        {peer.clearing.net} / {peer.clearing.creditLimit} {peer.clearing.currency}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Section>
        </>
      ) : null}
    </>
  )
}
