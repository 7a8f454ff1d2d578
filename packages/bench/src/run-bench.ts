import { writeFileSync } from 'node:fs'
import { CliError } from 'agentmesh/internal'
import { a2aBench } from './a2a-bench.js'
import { clusterBench } from './cluster-bench.js'
import { cryptoBench } from './crypto-bench.js'
import { federationBench } from './federation-bench.js'
import { flBench } from './fl-bench.js'
import { ledgerBench } from './ledger-bench.js'
import type { BenchFigure } from './measure.js'
import { pipelinesBench } from './pipelines-bench.js'
import { ProgressBar } from './progress-bar.js'
import { registryBench } from './registry-bench.js'
import { formatTable } from './report.js'
import { sandboxBench } from './sandbox-bench.js'
import { runSoak, soakFigures, type SoakReport } from './soak-bench.js'
import { tasksBench } from './tasks-bench.js'

/** The flags of `agentmesh bench`, as commander parses them. */
export interface BenchFlags {
  only?: string
  duration: string
  out: string
  soakSeconds: string
  soakRate: string
}

/** What a suite gets: the time per measurement, a progress callback, the command's flags. */
type Suite = (
  durationMs: number,
  onProgress: (fraction: number) => void,
  flags: BenchFlags,
  soaks: SoakReport[],
) => BenchFigure[] | Promise<BenchFigure[]>

const suites: Record<string, Suite> = {
  crypto: (durationMs) => cryptoBench(durationMs),
  tasks: (durationMs) => tasksBench(durationMs),
  // PostgreSQL figures when AGENTMESH_BENCH_POSTGRES (default the test database) answers.
  ledger: (durationMs) =>
    ledgerBench(
      durationMs,
      process.env.AGENTMESH_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test',
    ),
  registry: (durationMs) =>
    registryBench(durationMs, { log: (line) => process.stderr.write(`${line}\n`) }),
  pipelines: (durationMs, onProgress) => pipelinesBench(durationMs, onProgress),
  // The official @a2a-js/sdk server against the mesh's A2A endpoint, same client, same run.
  a2a: (durationMs, onProgress) => a2aBench(durationMs, onProgress),
  // Hosted agents: engine start-up and calls; a trivial hosted agent beside the same over the SDK.
  sandbox: (durationMs, onProgress) => sandboxBench(durationMs, onProgress),
  // Remote tasks over libp2p beside local ones; how soon a new capability is findable on a peer.
  federation: (durationMs, onProgress) => federationBench(durationMs, onProgress),
  // Federated-learning rounds of 10, 50 and 100 SDK trainers, plain and with secure aggregation.
  fl: (_durationMs, onProgress) => flBench(onProgress),
  // Node processes on PostgreSQL and NATS (AGENTMESH_BENCH_NATS), skipped when unreachable.
  cluster: (durationMs) =>
    clusterBench(durationMs, {
      postgresUrl:
        process.env.AGENTMESH_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test',
      natsUrl: process.env.AGENTMESH_BENCH_NATS ?? 'nats://127.0.0.1:4222',
      log: (line) => process.stderr.write(`${line}\n`),
    }),
  // The long soak: a fixed rate for a fixed time, 20 agents, 50 clients, budgets checked after.
  soak: async (_durationMs, onProgress, flags, soaks) => {
    const report = await runSoak({
      durationMs: positive(flags.soakSeconds, '--soak-seconds') * 1000,
      ratePerSec: flags.soakRate === 'auto' ? undefined : positive(flags.soakRate, '--soak-rate'),
      agents: 20,
      clients: 50,
      errorBudget: 0.001,
      heapGrowthBudgetMb: 64,
      onProgress,
    })
    soaks.push(report)
    return soakFigures(report)
  },
}

/** The suites, in the order a run without `--only` runs them. */
export const suiteNames = Object.keys(suites)

function positive(text: string, flag: string): number {
  const value = Number(text)
  if (!(value > 0)) throw new CliError(`${flag} "${text}" is not a positive number`, 2)
  return value
}

/**
 * `agentmesh bench`: runs the chosen suites with a progress bar on stderr, prints a table on
 * stdout and writes JSON results; a soak out of budget fails it.
 */
export async function runBench(flags: BenchFlags): Promise<void> {
  const chosen = flags.only ? flags.only.split(',') : suiteNames
  const unknown = chosen.filter((name) => !suites[name])
  if (unknown.length > 0) throw new CliError(`Unknown suite "${unknown.join('", "')}"`, 2)
  const figures: BenchFigure[] = []
  const soaks: SoakReport[] = []
  const bar = new ProgressBar(process.stderr, chosen.length)
  for (const [i, name] of chosen.entries()) {
    bar.update(i, 0, name)
    const onProgress = (fraction: number) => bar.update(i, fraction, name)
    figures.push(...(await suites[name]!(Number(flags.duration), onProgress, flags, soaks)))
  }
  bar.finish()
  console.log(formatTable(figures))
  for (const soak of soaks) {
    console.log(
      `\nsoak at ${soak.ratePerSec}/s` +
        (soak.measuredMaxPerSec === undefined
          ? ''
          : ` (half the ${soak.measuredMaxPerSec.toFixed(0)}/s maximum measured first)`) +
        `: ${soak.completed} of ${soak.sent} tasks completed, ${soak.errors} errors ` +
        `(${(soak.errorRate * 100).toFixed(3)}%); heap ${soak.heapWarmMb.toFixed(1)} MB after ` +
        `warm-up, ${soak.heapEndMb.toFixed(1)} MB at the end; peak RSS ` +
        `${soak.rssPeakMb.toFixed(0)} MB; ledger verify ${soak.ledgerOk ? 'clean' : 'FAILED'}; ` +
        `audit verify ${soak.auditOk ? `clean (${soak.auditEntries} entries)` : 'FAILED'}`,
    )
  }
  writeFileSync(
    flags.out,
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, figures, soaks }, null, 2)}\n`,
  )
  console.log(`\nresults written to ${flags.out}`)
  const failures = soaks.flatMap((s) => s.failures)
  if (failures.length > 0) throw new CliError(`Soak out of budget: ${failures.join('; ')}`)
}
