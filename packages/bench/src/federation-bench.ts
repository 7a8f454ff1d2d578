import { resolveNodeConfig, startNode } from 'agentmesh/internal'
import { echoTask, startFleet } from './bench-fleet.js'
import { alternatingClosedLoops, type LoadResult } from './load.js'
import type { BenchFigure } from './measure.js'

const CAPABILITY = 'bench.echo'
const CONCURRENCY = 8
/** Announcements every 500 ms: how soon a new capability can be found through gossip. */
const ANNOUNCE_MS = '500'

type RunningNode = Awaited<ReturnType<typeof startNode>>

function peerNode(bootstrap: string[], env: Record<string, string> = {}): Promise<RunningNode> {
  const config = resolveNodeConfig(
    {
      memory: true,
      port: 0,
      dashboard: false,
      logLevel: 'error',
      grant: '1000000 USD',
      p2pListen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap,
    },
    { AGENTMESH_P2P_ANNOUNCE_MS: ANNOUNCE_MS, AGENTMESH_P2P_CREDIT_LIMIT: '1000000 USD', ...env },
  )
  return startNode({
    ...config,
    prettyLogs: false,
    rateLimit: { principalMax: 1e9, ipMax: 1e9, windowMs: 60_000 },
  })
}

/** Polls a federated search until it names a peer's offer; answers the milliseconds it took. */
async function findableMs(node: RunningNode, capability: string, since: number): Promise<number> {
  const url = `${node.url}/v1/agents?capability=${capability}&scope=federation`
  for (;;) {
    const response = await fetch(url, { headers: { authorization: `Bearer ${node.adminToken}` } })
    const { results } = (await response.json()) as { results: { node?: unknown }[] }
    if (results.some((r) => r.node)) return performance.now() - since
    if (performance.now() - since > 30_000) throw new Error(`${capability} never became findable`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

const figure = (name: string, result: LoadResult, baseline?: BenchFigure): BenchFigure => {
  const f: BenchFigure = {
    suite: 'federation',
    name: result.errors > 0 ? `${name} (${result.errors} errors)` : name,
    opsPerSec: result.opsPerSec,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
  }
  return baseline ? { ...f, baseline: baseline.name, ratio: f.opsPerSec / baseline.opsPerSec } : f
}

const findable = (name: string, ms: number): BenchFigure => ({
  suite: 'federation',
  name: `${name} (ms in p50)`,
  opsPerSec: 1000 / ms,
  p50Ms: ms,
})

/**
 * Federation on loopback: the same echo task served on node B, called by a client of B (local)
 * and by a client of A (remote, over libp2p with a receipt), in alternating rounds of one run;
 * then how long a capability new on B takes to be findable from A through gossip, and from a
 * node with gossip off through the DHT.
 */
export async function federationBench(
  durationMs: number,
  onProgress: (fraction: number) => void = () => {},
): Promise<BenchFigure[]> {
  const nodes: RunningNode[] = []
  const closers: (() => Promise<unknown>)[] = []
  try {
    const b = await peerNode([])
    nodes.push(b)
    const bootstrap = b.federation!.multiaddrs()
    const a = await peerNode(bootstrap)
    const d = await peerNode(bootstrap, { AGENTMESH_P2P_GOSSIP: 'off' })
    nodes.push(a, d)
    const served = await startFleet(b.url, { capabilityId: CAPABILITY, agents: 1, clients: 1 })
    closers.push(() => served.close())
    const remote = await startFleet(a.url, { capabilityId: CAPABILITY, agents: 0, clients: 1 })
    closers.push(() => remote.close())
    await findableMs(a, CAPABILITY, performance.now())
    const local = () => echoTask(b.url, served.clients[0]!.token, CAPABILITY)
    const overPeer = () => echoTask(a.url, remote.clients[0]!.token, CAPABILITY)
    await alternatingClosedLoops([local, overPeer], CONCURRENCY, 300, 1)
    onProgress(0.2)
    const [l, r] = await alternatingClosedLoops([local, overPeer], CONCURRENCY, durationMs, 3)
    const localFigure = figure('echo task on the local node (closed loop)', l!)
    const remoteFigure = figure('same task on a peer over libp2p (closed loop)', r!, localFigure)
    onProgress(0.8)
    const figures = [localFigure, remoteFigure]
    for (const [via, node] of [
      ['gossip', a],
      ['DHT, gossip off', d],
    ] as const) {
      const capability = `bench.new.${via.startsWith('gossip') ? 'gossip' : 'dht'}`
      const since = performance.now()
      const fleet = await startFleet(b.url, { capabilityId: capability, agents: 1, clients: 0 })
      closers.push(() => fleet.close())
      figures.push(
        findable(
          `new capability findable on a peer via ${via}`,
          await findableMs(node, capability, since),
        ),
      )
    }
    onProgress(1)
    return figures
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {})
    await Promise.all(nodes.map((n) => n.stop()))
  }
}
