import type { FederationView } from '@agentmesh/protocol'
import type { Command } from 'commander'
import { CliError } from './cli-error.js'
import { connect, withClientOptions, type ClientFlags } from './client-options.js'

type Flags = ClientFlags & { json?: boolean }

/** The peers as an aligned table: zone, connection, latency, reputation and clearing balance. */
export function formatPeers(view: FederationView): string {
  const head = `node ${view.did}\npeer ${view.peerId}  mode ${view.mode}  gossip ${view.gossip ? 'on' : 'off'}  dht ${view.dht ? 'on' : 'off'}`
  if (view.peers.length === 0) return `${head}\nno peers`
  const header = ['PEER', 'ZONE', 'CONNECTED', 'LATENCY', 'CAPS', 'SCORE', 'STATE', 'NET']
  const rows = view.peers.map((p) => [
    p.did,
    p.zone,
    p.connected ? 'yes' : 'no',
    p.latencyMs === null ? '-' : `${Math.round(p.latencyMs)} ms`,
    String(p.capabilities),
    p.reputation.score.toFixed(3),
    p.reputation.disconnected ? 'disconnected' : p.reputation.demoted ? 'demoted' : 'ok',
    `${p.clearing.net} ${p.clearing.currency}`,
  ])
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i]!.length)))
  const line = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  return [head, line(header), ...rows.map(line)].join('\n')
}

/**
 * `agentmesh federation peers | statement PEER` (admin): the node's peers with their zones,
 * latency, reputation and clearing balances, and a net clearing statement both nodes sign.
 */
export function federationCommand(program: Command, env: NodeJS.ProcessEnv): void {
  const federation = program
    .command('federation')
    .description('peers of this node and clearing statements with them (admin)')
  withClientOptions(
    federation.command('peers').description('peers: zone, latency, reputation, clearing balance'),
  )
    .option('--json', 'print JSON')
    .action(async (flags: Flags) => {
      const mesh = await connect(flags, env)
      try {
        const view = await mesh.federation()
        console.log(flags.json ? JSON.stringify(view) : formatPeers(view))
      } finally {
        await mesh.close()
      }
    })
  withClientOptions(
    federation
      .command('statement <peer>')
      .description('draw up the net clearing statement with a peer (its DID), signed by both'),
  )
    .option('--json', 'print JSON')
    .action(async (peer: string, flags: Flags) => {
      if (!peer.startsWith('did:key:')) throw new CliError(`Peer "${peer}" is not a did:key`, 2)
      const mesh = await connect(flags, env)
      try {
        const signed = await mesh.clearingStatement(peer)
        if (flags.json) return console.log(JSON.stringify(signed))
        const s = signed.statement
        const owes = s.net.startsWith('-') ? `${s.to} owes ${s.from}` : `${s.from} owes ${s.to}`
        console.log(
          `${owes} ${s.net.replace(/^-/, '')} ${s.currency} (net of ${s.receipts} receipts, at ${s.at})\nsigned by both nodes`,
        )
      } finally {
        await mesh.close()
      }
    })
}
