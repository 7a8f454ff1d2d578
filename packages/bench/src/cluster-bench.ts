import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { BenchCluster, clusterUnavailable, type BenchNode } from './cluster-processes.js'
import { alternatingClosedLoops, type LoadResult } from './load.js'
import { percentile, type BenchFigure } from './measure.js'
import { formatTable } from './report.js'
import { forkEchoAgent } from './tasks-bench.js'

const CONCURRENCY = 16
const LEASE_MS = 2000
const TAKEOVER_TASKS = 50
const BURST = 500
/** How long the take-over's agent takes per task: the tasks are still running at the kill. */
const SLOW_MS = 1000
const final = new Set(['completed', 'failed', 'timed_out', 'canceled', 'disputed'])

/** Why tasks of each measurement did not complete, counted: the suite fails on any. */
class Failures {
  readonly #counts = new Map<string, number>()
  /** While warming up: the first calls may fail until a node learns of an agent. */
  paused = false

  add(what: string): void {
    if (!this.paused) this.#counts.set(what, (this.#counts.get(what) ?? 0) + 1)
  }

  get lines(): string[] {
    return [...this.#counts].map(([what, n]) => `${n} × ${what}`)
  }
}

function figure(name: string, result: LoadResult, baseline?: BenchFigure): BenchFigure {
  const f: BenchFigure = {
    suite: 'cluster',
    name: result.errors > 0 ? `${name} (${result.errors} did not complete)` : name,
    opsPerSec: result.opsPerSec,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
  }
  return baseline ? { ...f, baseline: baseline.name, ratio: f.opsPerSec / baseline.opsPerSec } : f
}

/** A paid echo task submitted with `?wait` to `node`, which must complete within 10 s. */
function caller(node: BenchNode, mesh: Mesh, capability: string, failures: Failures, path: string) {
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
    if (task.state === 'completed') return
    const what = `${path}: task ${task.state ?? `HTTP ${response.status}`}`
    failures.add(what)
    throw new Error(what)
  }
}

/** Calls `call` until it succeeds once (the node learns of agents by presence), then 20 times. */
async function warmUp(call: () => Promise<void>, what: string, failures: Failures): Promise<void> {
  failures.paused = true
  try {
    await warmingUp(call, what)
  } finally {
    failures.paused = false
  }
}

async function warmingUp(call: () => Promise<void>, what: string): Promise<void> {
  const until = Date.now() + 15_000
  for (;;) {
    const ok = await call().then(
      () => true,
      () => false,
    )
    if (ok) break
    if (Date.now() > until) throw new Error(`cluster bench: ${what} never completed a task`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  for (let i = 0; i < 20; i++) await call()
}

/**
 * `BURST` tasks at once from the client on one node to the agent on another, each with `?wait`:
 * every one must come back completed; how many ran more than once (a lease lapsed under the
 * burst and another node took the task over) is counted.
 */
async function crossBurst(node: BenchNode, mesh: Mesh, failures: Failures): Promise<BenchFigure> {
  const latencies: number[] = []
  let repeated = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: BURST }, async (_, i) => {
      const t0 = performance.now()
      const response = await fetch(`${node.url}/v1/tasks?wait=30000`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${mesh.token}` },
        body: JSON.stringify({
          capability: 'bench.echo',
          input: { text: `burst ${i}` },
          maxPrice: { amount: '0.01', currency: 'USD' },
        }),
      })
      const task = (await response.json()) as { state?: string; attempts?: unknown[] }
      if (task.state !== 'completed')
        return failures.add(`burst: task ${task.state ?? `HTTP ${response.status}`}`)
      latencies.push(performance.now() - t0)
      if ((task.attempts?.length ?? 0) > 1) repeated++
    }),
  )
  const elapsedMs = performance.now() - started
  latencies.sort((a, b) => a - b)
  return {
    suite: 'cluster',
    name: `burst of ${BURST} cross-node tasks at once (${repeated} ran more than once)`,
    opsPerSec: (latencies.length * 1000) / elapsedMs,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  }
}

/**
 * Kill -9 of the node that owns a burst of tasks while its agent (on another node) runs them:
 * the time from the kill to the first attempt another node started, and until all were final.
 */
async function takeOver(cluster: BenchCluster, owner: BenchNode, reader: Mesh) {
  const client = await Mesh.connect(owner.url, { key: generateKeyPair() })
  const ids = await Promise.all(
    Array.from({ length: TAKEOVER_TASKS }, (_, i) =>
      client
        .submit('bench.slow', { text: `t${i}` }, { maxPrice: '0.01', timeoutMs: 60_000 })
        .then((task) => task.id),
    ),
  )
  const killedAtMs = Date.now()
  await cluster.kill(owner)
  // Writes sent before the kill may still land: only an attempt started after it is a take-over.
  const goneAtMs = Date.now()
  await client.close().catch(() => {})
  let firstAttemptMs = Infinity
  let lastFinalMs = 0
  const states = new Map<string, number>()
  const open = new Set(ids)
  const until = Date.now() + 30_000
  while (open.size > 0 && Date.now() < until) {
    for (const task of await Promise.all([...open].map((id) => reader.task(id)))) {
      if (!final.has(task.state)) continue
      open.delete(task.id)
      states.set(task.state, (states.get(task.state) ?? 0) + 1)
      lastFinalMs = Math.max(lastFinalMs, Date.parse(task.updatedAt))
      for (const attempt of task.attempts)
        if (Date.parse(attempt.startedAt) > goneAtMs)
          firstAttemptMs = Math.min(firstAttemptMs, Date.parse(attempt.startedAt))
    }
    if (open.size > 0) await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const problems = [...states].filter(([state]) => state !== 'completed')
  if (open.size > 0) problems.push(['still unfinished 30 s after the kill', open.size])
  if (firstAttemptMs === Infinity) problems.push(['none taken over (all done before the kill)', 0])
  return {
    takeOverMs: firstAttemptMs - killedAtMs,
    allFinalMs: lastFinalMs - killedAtMs,
    problems: problems.map(([what, n]) => `take-over: ${n} × ${what}`),
  }
}

/**
 * Cluster mode on this machine (three node processes on PostgreSQL and NATS): paid tasks with
 * the client and the agent on node 1 beside the client on node 3 and the agent on node 1 (closed
 * loops in turn; the ratio is the cross-node cost) and a burst of 500 cross-node tasks at once,
 * one node serving beside three (an agent on
 * each, the calls spread), and the take-over after a kill -9 of the node owning 50 running tasks.
 * Any task that does not complete fails the suite.
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
  const failures = new Failures()
  const connect = async (node: BenchNode, token?: string) => {
    const mesh = await Mesh.connect(node.url, token ? { token } : { key: generateKeyPair() })
    meshes.push(mesh)
    return mesh
  }
  try {
    // The first node creates the stream and buckets, then the others join.
    const n1 = await cluster.start()
    const [n2, n3] = await Promise.all([cluster.start(), cluster.start()])
    agents.push(await forkEchoAgent(n1.url, 'bench.echo'))
    const [near, far] = await Promise.all([connect(n1), connect(n3)])
    const sameCall = caller(n1, near, 'bench.echo', failures, 'same node')
    const crossCall = caller(n3, far, 'bench.echo', failures, 'cross-node')
    await warmUp(sameCall, 'node 1', failures)
    await warmUp(crossCall, 'node 3 (agent on node 1)', failures)
    const [same, cross] = await alternatingClosedLoops(
      [sameCall, crossCall],
      CONCURRENCY,
      roundMs,
      3,
    )
    const sameFigure = figure('client and agent on node 1 (closed loop 16)', same!)
    const crossFigure = figure('client on node 3, agent on node 1', cross!, sameFigure)
    const burstFigure = await crossBurst(n3, far, failures)

    // One node serving beside three: an agent on each node, the calls spread over the three.
    for (const node of [n1, n2, n3]) agents.push(await forkEchoAgent(node.url, 'bench.spread'))
    const spread = await Promise.all([n1, n2, n3].map((node) => connect(node)))
    const calls = [n1, n2, n3].map((node, i) =>
      caller(node, spread[i]!, 'bench.spread', failures, 'three nodes'),
    )
    let turn = 0
    const spreadCall = () => calls[turn++ % calls.length]!()
    await warmUp(spreadCall, 'the three nodes', failures)
    const [one, three] = await alternatingClosedLoops(
      [sameCall, spreadCall],
      CONCURRENCY,
      roundMs,
      3,
    )
    const oneFigure = figure('one node serving (client and agent on node 1)', one!)
    const threeFigure = figure('three nodes serving (an agent on each)', three!, oneFigure)

    agents.push(await forkEchoAgent(n1.url, 'bench.slow', SLOW_MS))
    const reader = await connect(n1, n1.token)
    const took = await takeOver(cluster, n3, reader)
    const lease = `lease ${LEASE_MS} ms, ${TAKEOVER_TASKS} tasks of ${SLOW_MS} ms`
    const figures: BenchFigure[] = [
      sameFigure,
      crossFigure,
      burstFigure,
      oneFigure,
      threeFigure,
      {
        suite: 'cluster',
        name: `take-over after kill -9: ms to the first attempt on another node (${lease})`,
        opsPerSec: 1000 / took.takeOverMs,
        p50Ms: took.takeOverMs,
      },
      {
        suite: 'cluster',
        name: 'take-over after kill -9: ms until every task was final',
        opsPerSec: (1000 * TAKEOVER_TASKS) / took.allFinalMs,
        p50Ms: took.allFinalMs,
      },
    ]
    const problems = [...failures.lines, ...took.problems]
    if (problems.length > 0) {
      options.log(formatTable(figures))
      throw new Error(`cluster bench: tasks did not complete:\n  ${problems.join('\n  ')}`)
    }
    return figures
  } finally {
    await Promise.all(meshes.map((mesh) => mesh.close().catch(() => {})))
    await Promise.all(agents.map((agent) => agent.close().catch(() => {})))
    await cluster.close()
  }
}
