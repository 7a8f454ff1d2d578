import type { Command } from 'commander'
import { importWorkspacePackage } from '../import-workspace-package.js'

/** What the CLI uses of `@agentmesh/bench` (its `runBench` takes the flags parsed here). */
interface BenchPackage {
  runBench(flags: object): Promise<void>
}

// The bench's own test keeps this list equal to its suites.
const SUITES =
  'crypto, tasks, ledger, registry, pipelines, a2a, sandbox, federation, fl, cluster, soak'

/**
 * `agentmesh bench`: run the benchmark suites, print a table, write JSON results. The suites are
 * the workspace package `@agentmesh/bench`, loaded here so the node does not depend on them.
 */
export function benchCommand(program: Command): void {
  program
    .command('bench')
    .description('run the benchmark suites and print ops/s with ratios to same-run baselines')
    .option('--only <suites>', `comma-separated suites (${SUITES})`)
    .option('--duration <ms>', 'time per measurement', '400')
    .option('--out <file>', 'write JSON results here', 'bench-results.json')
    .option('--soak-seconds <s>', 'how long the soak suite runs', '60')
    .option(
      '--soak-rate <n>',
      'tasks per second the soak sends (auto: half the maximum measured just before)',
      'auto',
    )
    .action(async (flags: object) => {
      const bench = await importWorkspacePackage<BenchPackage>('@agentmesh/bench', {
        feature: '"agentmesh bench"',
        command: 'npm run bench',
      })
      await bench.runBench(flags)
    })
}
