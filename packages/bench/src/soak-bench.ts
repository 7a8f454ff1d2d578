import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { Mesh } from '@agentmesh/sdk'
import { resolveNodeConfig, startNode, verifyRemoteAudit } from 'agentmesh/internal'
import { echoTask, startFleet } from './bench-fleet.js'
import { closedLoop } from './load.js'
import { percentile, type BenchFigure } from './measure.js'

/** A bounded soak: a fixed arrival rate for a fixed time, and the budgets it must stay within. */
export interface SoakOptions {
  durationMs: number
  /** Tasks per second; absent: half the maximum measured on the same node just before. */
  ratePerSec?: number | undefined
  agents: number
  clients: number
  /** Largest tolerated share of failed tasks, e.g. 0.001. */
  errorBudget: number
  /** Largest tolerated growth of the heap (after a collection) from warm-up to the end. */
  heapGrowthBudgetMb: number
  onProgress?: (fraction: number) => void
}

interface Window {
  opsPerSec: number
  p50Ms: number
  p99Ms: number
}

/** What a soak measured, and whether it stayed within its budgets (`failures` says where not). */
export interface SoakReport {
  options: Omit<SoakOptions, 'onProgress'>
  ratePerSec: number
  /** The closed-loop maximum measured before the soak, when the rate was derived from it. */
  measuredMaxPerSec: number | undefined
  sent: number
  completed: number
  errors: number
  errorRate: number
  /** The first and the last quarter of the run: the same load should cost the same. */
  first: Window
  last: Window
  heapWarmMb: number
  heapEndMb: number
  rssPeakMb: number
  ledgerOk: boolean
  ledgerProblems: string[]
  auditOk: boolean
  auditEntries: number
  failures: string[]
}

/** The heap after a full collection when the runtime lets us ask for one, else as it stands. */
function heapMb(): number {
  try {
    setFlagsFromString('--expose-gc')
    ;(runInNewContext('gc') as () => void)()
  } catch {
    // Without a collection the figure is an upper bound.
  }
  return process.memoryUsage().heapUsed / 2 ** 20
}

function window(samples: { at: number; ms: number }[], fromMs: number, toMs: number): Window {
  const inside = samples.filter((s) => s.at >= fromMs && s.at < toMs).map((s) => s.ms)
  inside.sort((a, b) => a - b)
  return {
    opsPerSec: (inside.length * 1000) / Math.max(1, toMs - fromMs),
    p50Ms: percentile(inside, 50),
    p99Ms: percentile(inside, 99),
  }
}

/**
 * Runs a node on a SQLite file with `agents` echo agents and `clients` clients, sends tasks at a
 * fixed rate (open loop) for the duration, then checks the error budget, the heap, and that the
 * ledger and the audit log verify over the API as `agentmesh ledger verify` and `audit verify` do.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const { onProgress = () => {}, ...shape } = options
  const dir = mkdtempSync(join(tmpdir(), 'agentmesh-soak-'))
  const config = resolveNodeConfig(
    { data: dir, port: 0, dashboard: false, logLevel: 'error', grant: '1000000 USD' },
    {},
  )
  const node = await startNode({ ...config, prettyLogs: false })
  const capabilityId = 'soak.echo'
  const fleet = await startFleet(node.url, {
    capabilityId,
    agents: options.agents,
    clients: options.clients,
  })
  try {
    let measuredMaxPerSec: number | undefined
    let ratePerSec = options.ratePerSec
    if (ratePerSec === undefined) {
      let next = 0
      const call = () => {
        const client = fleet.clients[next++ % fleet.clients.length]!
        return echoTask(node.url, client.token, capabilityId)
      }
      await closedLoop(call, 16, 500)
      measuredMaxPerSec = (await closedLoop(call, 16, 2000)).opsPerSec
      ratePerSec = Math.max(1, Math.floor(measuredMaxPerSec / 2))
    }
    const samples: { at: number; ms: number }[] = []
    let errors = 0
    let rssPeak = process.memoryUsage().rss
    const total = Math.max(1, Math.floor((options.durationMs / 1000) * ratePerSec))
    const intervalMs = 1000 / ratePerSec
    const warmAt = Math.floor(total / 4)
    let heapWarmMb = 0
    const calls: Promise<void>[] = []
    const started = performance.now()
    for (let i = 0; i < total; i++) {
      const wait = started + i * intervalMs - performance.now()
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait))
      if (i === warmAt) heapWarmMb = heapMb()
      if (i % Math.max(1, Math.round(ratePerSec)) === 0) {
        rssPeak = Math.max(rssPeak, process.memoryUsage().rss)
        onProgress(i / total)
      }
      const client = fleet.clients[i % fleet.clients.length]!
      const t0 = performance.now()
      calls.push(
        echoTask(node.url, client.token, capabilityId).then(
          () => void samples.push({ at: t0 - started, ms: performance.now() - t0 }),
          () => void errors++,
        ),
      )
    }
    await Promise.all(calls)
    onProgress(1)
    const heapEndMb = heapMb()
    const spanMs = total * intervalMs
    const admin = await Mesh.connect(node.url, { token: node.adminToken })
    const ledger = await admin.verifyLedger()
    const audit = await verifyRemoteAudit(admin)
    await admin.close()
    const sorted = samples.map((s) => s.ms).sort((a, b) => a - b)
    const report: SoakReport = {
      options: shape,
      ratePerSec,
      measuredMaxPerSec,
      sent: total,
      completed: samples.length,
      errors,
      errorRate: errors / total,
      first: window(samples, 0, spanMs / 4),
      last: window(samples, (spanMs * 3) / 4, spanMs),
      heapWarmMb,
      heapEndMb,
      rssPeakMb: rssPeak / 2 ** 20,
      ledgerOk: ledger.ok,
      ledgerProblems: ledger.problems,
      auditOk: audit.verdict.ok,
      auditEntries: audit.verdict.ok ? audit.verdict.entries : 0,
      failures: [],
    }
    if (report.errorRate > options.errorBudget) {
      report.failures.push(
        `${errors} of ${total} tasks failed, over the budget of ${options.errorBudget * 100}%`,
      )
    }
    if (heapEndMb - heapWarmMb > options.heapGrowthBudgetMb) {
      report.failures.push(
        `heap grew ${(heapEndMb - heapWarmMb).toFixed(1)} MB, over the budget of ${options.heapGrowthBudgetMb} MB`,
      )
    }
    if (!ledger.ok) report.failures.push(`ledger verify: ${ledger.problems.join('; ')}`)
    if (!audit.verdict.ok) report.failures.push(`audit verify: ${audit.verdict.reason}`)
    if (sorted.length === 0) report.failures.push('no task completed')
    return report
  } finally {
    await fleet.close()
    await node.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The soak as benchmark rows: the last quarter against the first, so drift shows as a ratio. */
export function soakFigures(report: SoakReport): BenchFigure[] {
  const { durationMs, agents, clients } = report.options
  const ratePerSec = report.ratePerSec
  const shape = `${ratePerSec}/s for ${durationMs / 1000} s, ${agents} agents, ${clients} clients`
  const first: BenchFigure = {
    suite: 'soak',
    name: `first quarter (${shape})`,
    ...report.first,
  }
  const last: BenchFigure = {
    suite: 'soak',
    name: `last quarter (${report.errors} errors, heap ${report.heapWarmMb.toFixed(0)}→${report.heapEndMb.toFixed(0)} MB)`,
    ...report.last,
    baseline: first.name,
    ratio: report.last.opsPerSec / report.first.opsPerSec,
  }
  return [first, last]
}
