import { MeshError, type Capability, type ErrorCode } from '@agentmesh/protocol'
import type {
  Dispatch,
  DispatchEvent,
  TaskTransport,
} from '../../../src/core/ports/task-transport.js'
import type { AuditEvent } from '../../../src/core/ports/audit-sink.js'
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

/**
 * Escrow with balances in memory, keeping the `Escrow` port's promises (the contract in
 * test/core/ledger/escrow-contract.ts checks it): a repeated call moves no more money, settling
 * after a release (or the reverse) throws PENDING_ALREADY_RESOLVED. It keeps no clock, so
 * reservations never lapse. Payees are paid into `paid`, apart from `balances`.
 */
export class MemoryEscrow implements Escrow {
  readonly balances = new Map<string, bigint>()
  readonly reservations = new Map<
    string,
    {
      payer: string
      amount: bigint
      state: 'pending' | 'posted' | 'voided'
      settled?: string
    }
  >()
  readonly paid = new Map<string, bigint>()

  reserve(input: { reservationId: string; payer: string; amountMicros: bigint }): Promise<void> {
    const known = this.reservations.get(input.reservationId)
    if (known) {
      return known.payer === input.payer && known.amount === input.amountMicros
        ? Promise.resolve()
        : this.#fail('TRANSFER_CONFLICT', `Reservation "${input.reservationId}" exists`)
    }
    const balance = this.balances.get(input.payer) ?? 0n
    if (balance < input.amountMicros) {
      return this.#fail('INSUFFICIENT_FUNDS', `Balance ${balance} < ${input.amountMicros}`)
    }
    this.balances.set(input.payer, balance - input.amountMicros)
    this.reservations.set(input.reservationId, {
      payer: input.payer,
      amount: input.amountMicros,
      state: 'pending',
    })
    return Promise.resolve()
  }

  settle(input: Parameters<Escrow['settle']>[0]): Promise<void> {
    const r = this.reservations.get(input.reservationId)
    const id = input.reservationId
    const payments =
      'payments' in input
        ? input.payments
        : [{ payee: input.payee, amountMicros: input.amountMicros }]
    const settled = payments.map((p) => `${p.payee}=${p.amountMicros}`).join(',')
    if (!r) return this.#fail('TRANSFER_NOT_FOUND', `Reservation "${id}" does not exist`)
    if (r.state === 'posted') {
      return r.settled === settled
        ? Promise.resolve()
        : this.#fail('TRANSFER_CONFLICT', `Reservation "${id}" was settled otherwise`)
    }
    if (r.state === 'voided')
      return this.#fail('PENDING_ALREADY_RESOLVED', `Reservation "${id}" was released`)
    const total = payments.reduce((sum, p) => sum + p.amountMicros, 0n)
    if (total > r.amount)
      return this.#fail('AMOUNT_EXCEEDS_PENDING', `${total} > ${r.amount} reserved`)
    r.state = 'posted'
    r.settled = settled
    for (const { payee, amountMicros } of payments) {
      this.paid.set(payee, (this.paid.get(payee) ?? 0n) + amountMicros)
    }
    this.balances.set(r.payer, (this.balances.get(r.payer) ?? 0n) + r.amount - total)
    return Promise.resolve()
  }

  refund(): Promise<bigint> {
    return Promise.reject(new MeshError('TASK_NOT_SETTLED', 'Memory escrow does not refund'))
  }

  release(reservationId: string): Promise<void> {
    const r = this.reservations.get(reservationId)
    if (!r || r.state === 'voided') return Promise.resolve()
    if (r.state === 'posted')
      return this.#fail('PENDING_ALREADY_RESOLVED', `Reservation "${reservationId}" was settled`)
    r.state = 'voided'
    this.balances.set(r.payer, (this.balances.get(r.payer) ?? 0n) + r.amount)
    return Promise.resolve()
  }

  #fail(code: ErrorCode, message: string): Promise<never> {
    return Promise.reject(new MeshError(code, message))
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
