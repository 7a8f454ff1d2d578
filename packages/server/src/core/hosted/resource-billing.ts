import { MeshError } from '@agentmesh/protocol'
import type { LedgerService } from '../ledger/ledger-service.js'
import { accountId } from '../ledger/types.js'

/** One attempt's hold on its owner's account. */
export interface ResourceHold {
  id: string
  amountMicros: bigint
}

/**
 * Bills a hosted agent's owner for what its calls use. Before a call runs, the most it can cost
 * (its limits at the owner's price) moves from the owner's account into a pending transfer to the
 * node's account, referenced by the task, like the task's own escrow; after the call, the metered
 * cost is posted and the rest goes back. An owner who cannot cover the hold gets no call run.
 * Transfer ids follow the task and attempt, so a retry of the same step moves no more money.
 */
export class ResourceBilling {
  readonly #ledger: LedgerService
  readonly #nodeDid: string

  constructor(ledger: LedgerService, nodeDid: string) {
    this.#ledger = ledger
    this.#nodeDid = nodeDid
  }

  /** Holds `amountMicros` of the owner's for one attempt of a task. */
  async hold(input: {
    owner: string
    taskId: string
    attempt: number
    currency: string
    amountMicros: bigint
    timeoutMs: number
  }): Promise<ResourceHold | undefined> {
    if (input.amountMicros <= 0n) return undefined
    const id = `sandbox:${input.taskId}:${input.attempt}`
    try {
      await this.#ledger.transfer(
        {
          kind: 'pending',
          id,
          debitAccount: accountId(input.owner, input.currency),
          creditAccount: accountId(this.#nodeDid, input.currency),
          amountMicros: input.amountMicros,
          code: 'fee',
          reference: input.taskId,
          timeoutMs: input.timeoutMs,
        },
        input.owner,
      )
    } catch (error) {
      if (error instanceof MeshError && error.code === 'INSUFFICIENT_FUNDS') {
        throw new MeshError(
          'INSUFFICIENT_FUNDS',
          `The hosted agent's owner cannot cover its resources (${input.amountMicros} micros held per call)`,
          { cause: error },
        )
      }
      throw error
    }
    return { id, amountMicros: input.amountMicros }
  }

  /** Posts what the attempt cost (at most the hold); nothing used voids it. */
  async charge(hold: ResourceHold | undefined, costMicros: bigint): Promise<bigint> {
    if (!hold) return 0n
    const amount = costMicros > hold.amountMicros ? hold.amountMicros : costMicros
    if (amount <= 0n) {
      await this.#ledger.transfer(
        { kind: 'void', id: `${hold.id}:void`, pendingId: hold.id },
        this.#nodeDid,
      )
      return 0n
    }
    await this.#ledger.transfer(
      { kind: 'post', id: `${hold.id}:post`, pendingId: hold.id, amountMicros: amount },
      this.#nodeDid,
    )
    return amount
  }
}
