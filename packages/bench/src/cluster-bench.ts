import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { BenchCluster, clusterUnavailable, type BenchNode } from './cluster-processes.js'
import { alternatingClosedLoops, type LoadResult } from './load.js'
import type { BenchFigure } from './measure.js'
import { forkEchoAgent } from './tasks-bench.js'

const CONCURRENCY = 16
const LEASE_MS = 2000
const TAKEOVER_TASKS = 50
const final = new Set(['completed', 'failed', 'timed_out', 'canceled', 'disputed'])

function figure(name: string, result: LoadResult, baseline?: BenchFigure): BenchFigure {
  const f: BenchFigure = {
    suite: 'cluster',
    name: result.errors > 0 ? `${name} (${result.errors} errors)` : name,
    opsPerSec: result.opsPerSec,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
  }
  return baseline ? { ...f, baseline: baseline.name, ratio: f.opsPerSec / baseline.opsPerSec } : f
}

/** A paid echo task submitted with `?wait` to `node`, which must complete. */
function caller(node: BenchNode, mesh: Mesh, capability: string) {
  const body = JSON.stringify({
    capability,
    input: { text: 'hello' },
    maxPrice: { amount: '0.01', currency: 'USD' },
  })
  return async () => {
    const response = await fetch(`${node.url}/v1/tasks?wait=10000`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${mesh.token}` },
      body,
    })
    const task = (await response.json()) as { state?: string }
    if (task.state !== 'completed') throw new Error(`task ${task.state ?? response.status}`)
  }
}

/**
 * Kill -9 of the node that owns a burst of tasks (the agent on another node): the time from the
 * kill to the first of its tasks finished by the node that took it over.
 */
async function takeOverMs(cluster: BenchCluster, owner: BenchNode, reader: Mesh): Promise<number> {
  const client = await Mesh.connect(owner.url, { key: generateKeyPair() })
  const ids = await Promise.all(
    Array.from({ length: TAKEOVER_TASKS }, (_, i) =>
      client
        .submit('bench.echo', { text: `t${i}` }, { maxPrice: '0.01', timeoutMs: 60_000 })
        .then((task) => task.id),
    ),
  )
  const killedAtMs = Date.now()
  await cluster.kill(owner)
  // Writes sent before the kill may still land: only an attempt started after it is a take-over.
  const goneAtMs = Date.now()
  await client.close().catch(() => {})
  let first = Infinity
  const open = new Set(ids)
  const until = Date.now() + 30_000
  while (open.size > 0 && Date.now() < until) {
    for (const task of await Promise.all([...open].map((id) => reader.task(id)))) {
      if (!final.has(task.state)) continue
      open.delete(task.id)
      if (task.attempts.some((a) => Date.parse(a.startedAt) > goneAtMs))
        first = Math.min(first, Date.parse(task.updatedAt))
    }
    if (open.size > 0) await new Promise((resolve) => setTimeout(resolve, 50))
  }
  if (open.size > 0) throw new Error(`${open.size} tasks never finished after the kill`)
  return first - killedAtMs
}

/**
 * Cluster mode on this machine (node processes on PostgreSQL and NATS): paid tasks with the
 * client and the agent on the same node beside different nodes (closed loops in turn, the ratio
 * is the cross-node cost), one node beside three (an agent on each, the calls spread over them),
 * and the take-over time after a kill -9.
 */
export async function clusterBench(
  durationMs: number,
  options: { postgresUrl: string; natsUrl: string; log: (line: string) => void },
): Promise<BenchFigure[]> {
  const unavailable = await clusterUnavailable(options.postgresUrl, options.natsUrl)
  if (unavailable) {
    options.log(`cluster suite skipped: ${unavailable}`)
    return []
  }
  const roundMs = Math.max(500, durationMs * 2)
  const cluster = new BenchCluster(options.postgresUrl, options.natsUrl, LEASE_MS)
  const agents: { close: () => Promise<void> }[] = []
  const meshes: Mesh[] = []
  const connect = async (node: BenchNode, token?: string) => {
    const mesh = await Mesh.connect(node.url, token ? { token } : { key: generateKeyPair() })
    meshes.push(mesh)
    return mesh
  }
  try {
    const n1 = await cluster.start()
    const [n2, n3] = await Promise.all([cluster.start(), cluster.start()])
    agents.push(await forkEchoAgent(n1.url, 'bench.echo'))
    const [near, far] = await Promise.all([connect(n1), connect(n2)])
    const sameCall = caller(n1, near, 'bench.echo')
    const crossCall = caller(n2, far, 'bench.echo')
    // Warm up both paths (the far node learns of the agent by presence).
    for (let i = 0; i < 50; i++) await crossCall().catch(() => {})
    const [same, cross] = await alternatingClosedLoops(
      [sameCall, crossCall],
      CONCURRENCY,
      roundMs,
      3,
    )
    const sameFigure = figure('agent and client on one node (closed loop 16)', same!)
    const crossFigure = figure('agent and client on different nodes', cross!, sameFigure)

    // One node beside three: an agent on each node, the calls spread over the three.
    for (const node of [n2, n3]) agents.push(await forkEchoAgent(node.url, 'bench.spread'))
    agents.push(await forkEchoAgent(n1.url, 'bench.spread'))
    const spread = await Promise.all([n1, n2, n3].map((node) => connect(node)))
    const calls = [n1, n2, n3].map((node, i) => caller(node, spread[i]!, 'bench.spread'))
    let turn = 0
    const spreadCall = () => calls[turn++ % calls.length]!()
    for (let i = 0; i < 30; i++) await spreadCall().catch(() => {})
    const [one, three] = await alternatingClosedLoops(
      [sameCall, spreadCall],
      CONCURRENCY,
      roundMs,
      3,
    )
    const oneFigure = figure('one node (client and agent on it)', one!)
    const threeFigure = figure('three nodes (an agent on each, calls spread)', three!, oneFigure)

    const reader = await connect(n1, n1.token)
    const tookMs = await takeOverMs(cluster, n3, reader)
    const takeOver: BenchFigure = {
      suite: 'cluster',
      name: `take-over after kill -9, ms to the first task finished (lease ${LEASE_MS} ms)`,
      opsPerSec: 1000 / tookMs,
      p50Ms: tookMs,
    }
    return [sameFigure, crossFigure, oneFigure, threeFigure, takeOver]
  } finally {
    await Promise.all(meshes.map((mesh) => mesh.close().catch(() => {})))
    await Promise.all(agents.map((agent) => agent.close().catch(() => {})))
    await cluster.close()
  }
}
