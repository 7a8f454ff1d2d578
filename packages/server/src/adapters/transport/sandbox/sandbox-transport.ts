import { MeshError } from '@agentmesh/protocol'
import type { HostedService } from '../../../core/hosted/hosted-service.js'
import { maxResourceCost, resourceCost } from '../../../core/hosted/hosted-policy.js'
import type { ResourceBilling } from '../../../core/hosted/resource-billing.js'
import type { Clock } from '../../../core/ports/clock.js'
import type { Sandbox, SandboxOutcome } from '../../../core/ports/sandbox.js'
import type { Dispatch, DispatchEvent, TaskTransport } from '../../../core/ports/task-transport.js'
import type { OutboundPolicy } from '../../http/guarded-fetch.js'
import { sandboxHost, type CallService } from './sandbox-host.js'

/** What each finished call reports, for metrics. */
export type SandboxCallListener = (outcome: SandboxOutcome, costMicros: bigint) => void

/** What the sandbox transport runs on; `tasks` is late-bound (the task service comes after it). */
export interface SandboxTransportDeps {
  sandbox: Sandbox
  hosted: HostedService
  billing: ResourceBilling
  clock: Clock
  tasks: () => CallService
  outbound: OutboundPolicy
  onCall: SandboxCallListener
}

/**
 * The task transport to hosted agents: one attempt is one `sandbox.run` of the agent's stored
 * code. The owner's resources are held before it runs and the metered cost posted after, whether
 * the call succeeded or not; a guest's failure ends the attempt with the sandbox's error code.
 */
export class SandboxTransport implements TaskTransport {
  readonly #deps: SandboxTransportDeps

  constructor(deps: SandboxTransportDeps) {
    this.#deps = deps
  }

  async dispatch(
    agentId: string,
    dispatch: Dispatch,
    options: { signal: AbortSignal; onEvent: (event: DispatchEvent) => void },
  ): Promise<{ output: unknown }> {
    const { hosted, billing, sandbox, clock } = this.#deps
    const agent = await hosted.find(agentId)
    if (!agent || agent.state !== 'started' || !hosted.isStarted(agentId)) {
      throw new MeshError('PROVIDER_DISCONNECTED', `Hosted agent "${agentId}" is not started`)
    }
    const code = await hosted.code(agent.codeHash)
    const price = hosted.priceOf(agent)
    const hold = await billing.hold({
      owner: agent.owner,
      taskId: dispatch.taskId,
      attempt: dispatch.attempt,
      currency: price.currency,
      amountMicros: maxResourceCost(agent.limits, price),
      timeoutMs: agent.limits.wallMs + 60_000,
    })
    options.onEvent({ type: 'accepted' })
    const host = sandboxHost({
      agent,
      dispatch,
      onEvent: options.onEvent,
      tasks: this.#deps.tasks,
      outbound: this.#deps.outbound,
      log: (level, message) => hosted.log(agentId, level, message),
      now: () => clock.now(),
    })
    const run = sandbox.run(
      {
        codeHash: agent.codeHash,
        code,
        capabilityId: dispatch.capabilityId,
        input: dispatch.input,
        params: agent.params,
        limits: { ...agent.limits, stackBytes: hosted.policy.stackBytes },
        signal: options.signal,
      },
      host,
    )
    const outcome = await run.catch(async (error: unknown) => {
      await billing.charge(hold, 0n)
      throw error
    })
    const costMicros = await billing.charge(hold, resourceCost(outcome.usage, price))
    await hosted.recordUsage(agentId, {
      calls: 1,
      failures: outcome.ok ? 0 : 1,
      cpuMs: outcome.usage.cpuMs,
      wallMs: outcome.usage.wallMs,
      peakMemoryBytes: outcome.usage.peakMemoryBytes,
      costMicros,
    })
    this.#deps.onCall(outcome, costMicros)
    if (outcome.ok) return { output: outcome.output }
    const details = { sandboxCode: outcome.code, usage: outcome.usage }
    throw new MeshError(outcome.code, outcome.message, { details })
  }
}
