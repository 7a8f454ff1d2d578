import { MeshError, type Capability } from '@agentmesh/protocol'
import type { AuditEvent } from '../../../src/core/ports/audit-sink.js'
import type {
  Dispatch,
  DispatchEvent,
  TaskTransport,
} from '../../../src/core/ports/task-transport.js'
import type { Escrow } from '../../../src/core/ports/escrow.js'
import type { OutcomeSink, TaskOutcome } from '../../../src/core/ports/outcome-sink.js'
import type { ProviderDirectory } from '../../../src/core/ports/provider-directory.js'
import type { Candidate } from '../../../src/core/tasks/task-types.js'

/** A capability echoing `{text}` at a price, with an SLA timeout. */
export function echoCapability(amount = '0.01', timeoutMs = 200): Capability {
  return {
    id: 'text.echo',
    description: 'echo',
    input: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    output: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    pricing: { model: 'per_call', amount, currency: 'USD' },
    sla: { timeoutMs },
  }
}

export function candidate(agentId: string, capability = echoCapability()): Candidate {
  return { agentId, agentName: agentId, capability, score: 1 }
}

/** Providers found in a fixed order; `known` capabilities may have no online provider. */
export class ListDirectory implements ProviderDirectory {
  constructor(
    public candidatesList: Candidate[],
    public known: string[] = ['text.echo'],
  ) {}
  candidates(query: { capabilityId: string; agentId?: string }): Promise<Candidate[]> {
    return Promise.resolve(
      this.candidatesList.filter(
        (c) =>
          c.capability.id === query.capabilityId && (!query.agentId || c.agentId === query.agentId),
      ),
    )
  }
  knows(capabilityId: string): Promise<boolean> {
    return Promise.resolve(this.known.includes(capabilityId))
  }
}

export type Behaviour =
  | { kind: 'echo' }
  | { kind: 'hang' }
  | { kind: 'fail'; code: string }
  | { kind: 'output'; output: unknown }

/** A transport whose providers follow a script, one behaviour per attempt (the last repeats). */
export class ScriptedTransport implements TaskTransport {
  readonly calls: { agentId: string; dispatch: Dispatch }[] = []
  readonly aborted: string[] = []
  constructor(readonly scripts: Record<string, Behaviour[]>) {}

  dispatch(
    agentId: string,
    dispatch: Dispatch,
    options: { signal: AbortSignal; onEvent: (event: DispatchEvent) => void },
  ): Promise<{ output: unknown }> {
    this.calls.push({ agentId, dispatch })
    const script = this.scripts[agentId] ?? [{ kind: 'fail', code: 'PROVIDER_DISCONNECTED' }]
    const n = this.calls.filter((c) => c.agentId === agentId).length
    const behaviour = script[Math.min(n, script.length) - 1]!
    options.onEvent({ type: 'accepted' })
    return new Promise((resolve, reject) => {
      options.signal.addEventListener('abort', () => {
        this.aborted.push(agentId)
        reject(options.signal.reason as Error)
      })
      switch (behaviour.kind) {
        case 'echo':
          resolve({ output: dispatch.input })
          return
        case 'hang':
          return
        case 'fail':
          reject(new MeshError(behaviour.code as never, `${agentId} failed`))
          return
        case 'output':
          resolve({ output: behaviour.output })
      }
    })
  }
}

/** Escrow with balances in memory, refusing a second settle or release of one reservation. */
export class MemoryEscrow implements Escrow {
  readonly balances = new Map<string, bigint>()
  readonly reservations = new Map<
    string,
    { payer: string; amount: bigint; state: 'pending' | 'posted' | 'voided' }
  >()
  readonly paid = new Map<string, bigint>()

  reserve(input: { reservationId: string; payer: string; amountMicros: bigint }): Promise<void> {
    if (this.reservations.has(input.reservationId)) return Promise.resolve()
    const balance = this.balances.get(input.payer) ?? 0n
    if (balance < input.amountMicros) {
      return Promise.reject(
        new MeshError('INSUFFICIENT_FUNDS', `Balance ${balance} < ${input.amountMicros}`),
      )
    }
    this.balances.set(input.payer, balance - input.amountMicros)
    this.reservations.set(input.reservationId, {
      payer: input.payer,
      amount: input.amountMicros,
      state: 'pending',
    })
    return Promise.resolve()
  }

  settle(input: { reservationId: string; payee: string; amountMicros: bigint }): Promise<void> {
    const r = this.#pending(input.reservationId)
    r.state = 'posted'
    this.paid.set(input.payee, (this.paid.get(input.payee) ?? 0n) + input.amountMicros)
    this.balances.set(r.payer, (this.balances.get(r.payer) ?? 0n) + r.amount - input.amountMicros)
    return Promise.resolve()
  }

  release(reservationId: string): Promise<void> {
    const r = this.#pending(reservationId)
    r.state = 'voided'
    this.balances.set(r.payer, (this.balances.get(r.payer) ?? 0n) + r.amount)
    return Promise.resolve()
  }

  #pending(id: string) {
    const r = this.reservations.get(id)
    if (!r || r.state !== 'pending')
      throw new MeshError('PENDING_ALREADY_RESOLVED', `Reservation ${id} is not pending`)
    return r
  }
}

export class Recorder implements OutcomeSink {
  readonly outcomes: TaskOutcome[] = []
  readonly audit: AuditEvent[] = []
  recordOutcome(outcome: TaskOutcome): Promise<void> {
    this.outcomes.push(outcome)
    return Promise.resolve()
  }
  record = (event: AuditEvent): Promise<void> => {
    this.audit.push(event)
    return Promise.resolve()
  }
}
