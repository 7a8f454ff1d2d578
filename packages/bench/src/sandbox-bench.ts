import { createQuickJsSandbox } from 'agentmesh/internal'
import { percentile, type BenchFigure } from './measure.js'

const TRIVIAL_AGENT = `import { defineAgent } from '@agentmesh/sdk'
export default defineAgent({
  name: 'echo', description: 'Echoes',
  capabilities: [{ id: 'echo', handler: (input) => ({ text: input.text }) }],
})`

const limits = { memoryBytes: 32 * 1024 * 1024, cpuMs: 1000, wallMs: 5000, stackBytes: 256 * 1024 }

const host = {
  progress: () => undefined,
  log: () => undefined,
  call: () => Promise.reject(new Error('No calls in the benchmark')),
  fetch: () => Promise.reject(new Error('No fetch in the benchmark')),
}

/**
 * The sandbox engine alone: how long a pool of two workers takes to start (compile and warm the
 * engine), and calls per second with p50/p99 of a trivial hosted agent, 8 calls at a time, each
 * on a fresh QuickJS instance with its own memory.
 */
export async function sandboxBench(durationMs: number): Promise<BenchFigure[]> {
  const started = performance.now()
  const sandbox = await createQuickJsSandbox({ workers: 2 })
  const startupMs = performance.now() - started
  try {
    const latencies: number[] = []
    const until = performance.now() + durationMs
    const signal = new AbortController().signal
    const loop = async () => {
      while (performance.now() < until) {
        const t = performance.now()
        const outcome = await sandbox.run(
          {
            codeHash: 'bench',
            code: TRIVIAL_AGENT,
            capabilityId: 'echo',
            input: { text: 'hi' },
            params: {},
            limits,
            signal,
          },
          host,
        )
        if (!outcome.ok)
          throw new Error(`The trivial agent failed: ${outcome.code} ${outcome.message}`)
        latencies.push(performance.now() - t)
      }
    }
    const t0 = performance.now()
    await Promise.all(Array.from({ length: 8 }, loop))
    const elapsed = performance.now() - t0
    latencies.sort((a, b) => a - b)
    return [
      {
        suite: 'sandbox',
        name: 'start-up, 2 workers (ms in p50)',
        opsPerSec: 1000 / startupMs,
        p50Ms: startupMs,
      },
      {
        suite: 'sandbox',
        name: 'trivial hosted agent call (engine only)',
        opsPerSec: (latencies.length * 1000) / elapsed,
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
      },
    ]
  } finally {
    await sandbox.stop()
  }
}
