import { Counter, Gauge, type Registry } from 'prom-client'
import type { HostedAgent } from '../../core/hosted/hosted-types.js'
import type { SandboxOutcome } from '../../core/ports/sandbox.js'

/**
 * Hosted agents' metrics, with bounded labels only: agents by state, calls by outcome (`ok` or a
 * sandbox failure code), and the resources their calls used.
 */
export class HostedMetrics {
  readonly #calls: Counter<'outcome'>
  readonly #cpu: Counter
  readonly #wall: Counter
  readonly #cost: Counter<'currency'>

  constructor(registry: Registry, agents: () => Promise<HostedAgent[]>, currency: string) {
    const registers = [registry]
    new Gauge({
      name: 'agentmesh_hosted_agents',
      help: 'Hosted agents on this node, by state',
      labelNames: ['state'],
      registers,
      async collect() {
        const all = await agents()
        this.set({ state: 'started' }, all.filter((a) => a.state === 'started').length)
        this.set({ state: 'stopped' }, all.filter((a) => a.state === 'stopped').length)
      },
    })
    new Gauge({
      name: 'agentmesh_hosted_memory_limit_bytes',
      help: "The largest memory limit among this node's hosted agents",
      registers,
      async collect() {
        this.set(Math.max(0, ...(await agents()).map((a) => a.limits.memoryBytes)))
      },
    })
    this.#calls = new Counter({
      name: 'agentmesh_hosted_calls_total',
      help: 'Calls run in the sandbox, by outcome (ok or the sandbox error code)',
      labelNames: ['outcome'],
      registers,
    })
    this.#cpu = new Counter({
      name: 'agentmesh_hosted_cpu_seconds_total',
      help: 'CPU time hosted agents used',
      registers,
    })
    this.#wall = new Counter({
      name: 'agentmesh_hosted_wall_seconds_total',
      help: 'Wall time of hosted agents’ calls',
      registers,
    })
    this.#cost = new Counter({
      name: 'agentmesh_hosted_resource_cost_total',
      help: 'What owners paid the node for their hosted agents’ resources, in currency units',
      labelNames: ['currency'],
      registers,
    })
    this.#cost.inc({ currency }, 0)
  }

  /** Counts one finished call. */
  call(outcome: SandboxOutcome, costMicros: bigint, currency: string): void {
    this.#calls.inc({ outcome: outcome.ok ? 'ok' : outcome.code })
    this.#cpu.inc(outcome.usage.cpuMs / 1000)
    this.#wall.inc(outcome.usage.wallMs / 1000)
    this.#cost.inc({ currency }, Number(costMicros) / 1e6)
  }
}
