import { formatAmount, MeshError } from '@agentmesh/protocol'
import type { Caller } from '../auth/caller.js'
import { newId } from '../ids.js'
import type { AuditSink } from '../ports/audit-sink.js'
import type { Clock } from '../ports/clock.js'
import type { Escrow } from '../ports/escrow.js'
import type { ProviderDirectory } from '../ports/provider-directory.js'
import type { Random } from '../ports/random.js'
import type { Span, Tracer } from '../ports/tracer.js'
import type { TaskStore } from './task-store.js'
import type { TaskValidator } from '../ports/task-validator.js'
import { inSpan } from '../tracing.js'
import { defaultRetryPolicy } from './retry-policy.js'
import { admitTask, type TaskPolicy } from './task-admission.js'
import {
  newBonus,
  requestHashOf,
  reserveBonus,
  subscribedCandidates,
  subscriptionsAtAnyPrice,
  type SubscriptionCheck,
} from './submission-money.js'
import { bonusReservation } from './task-settlement.js'
import { isTerminal, type Candidate, type SubmitRequest, type Task } from './task-types.js'

/** Contracts as the task flow uses them. */
export interface ContractSource {
  usable(
    caller: Caller,
    contractId: string,
  ): Promise<{
    contract: {
      terms: { provider: string; capability: string; price: { amount: string; currency: string } }
    }
    priceMicros: bigint
  }>
}

/** What a submission needs: the stores and the escrow it writes, the directory it asks. */
export interface TaskSubmissionDeps {
  tasks: TaskStore
  escrow: Escrow
  audit: AuditSink
  clock: Clock
  random: Random
  validator: TaskValidator
  directory: ProviderDirectory
  contracts?: ContractSource
  /** The caller's permissions and the validators' eligibility; without one, neither is checked. */
  policy?: TaskPolicy
  /** Without it, subscription capabilities are not checked (tests). */
  subscriptions?: SubscriptionCheck
}

/** The limits a submission holds a request to. */
export interface TaskSubmissionOptions {
  defaultTimeoutMs: number
  /** How many providers a task may fail over across. */
  maxCandidates: number
  /** How deep agent-to-agent calls may nest. */
  maxDepth: number
  /** How long after its deadline a task's bonus waits for a rating (default a day). */
  bonusWindowMs?: number
}

/**
 * Turns a request into a stored task with its funds reserved: the contract's terms, idempotency,
 * the nesting limits of a call on a task's behalf, the providers to try. A new task is handed to
 * `start`, which runs it.
 */
export class TaskSubmission {
  readonly #deps: TaskSubmissionDeps
  readonly #options: TaskSubmissionOptions
  readonly #tracer: Tracer
  readonly #start: (task: Task, candidates: Candidate[]) => void

  constructor(
    deps: TaskSubmissionDeps,
    options: TaskSubmissionOptions,
    tracer: Tracer,
    start: (task: Task, candidates: Candidate[]) => void,
  ) {
    this.#deps = deps
    this.#options = options
    this.#tracer = tracer
    this.#start = start
  }

  /** Submits a task within `span`. A repeat with the same idempotency key answers the first task. */
  async submit(
    caller: Caller,
    submitted: SubmitRequest,
    span: Span,
  ): Promise<{ task: Task; created: boolean }> {
    const request = submitted.contractId ? await this.#underContract(caller, submitted) : submitted
    const { idempotencyKey, ...rest } = request
    const requestHash = requestHashOf(rest)
    if (idempotencyKey) {
      const existing = await this.#deps.tasks.findByKey(caller.did, idempotencyKey)
      if (existing) return { task: this.#sameRequest(existing, requestHash), created: false }
    }
    const now = this.#deps.clock.now()
    let deadlineAtMs = now + (request.timeoutMs ?? this.#options.defaultTimeoutMs)
    let depth = 0
    if (request.parentTaskId) {
      const parent = await this.#deps.tasks.get(request.parentTaskId)
      if (!parent || parent.providerId !== caller.did || isTerminal(parent.state)) {
        throw new MeshError(
          'FORBIDDEN',
          `Task "${request.parentTaskId}" is not a running task of the caller`,
        )
      }
      depth = parent.depth + 1
      if (depth > this.#options.maxDepth) {
        throw new MeshError(
          'DEPTH_EXCEEDED',
          `Calls nest deeper than ${this.#options.maxDepth}: stopping a loop`,
        )
      }
      if (request.maxPriceMicros > parent.maxPriceMicros) {
        throw new MeshError(
          'BUDGET_EXCEEDED',
          "A call on a task's behalf may not spend more than the task's budget",
        )
      }
      deadlineAtMs = Math.min(deadlineAtMs, parent.deadlineAtMs)
    }
    const candidates = await subscribedCandidates(
      this.#deps.subscriptions,
      caller,
      await this.#candidates(request),
    )
    await admitTask(this.#deps, caller, request, candidates)
    this.#deps.validator.validate(candidates[0]!.capability.input, request.input, 'input')
    const reserved = request.maxPriceMicros * BigInt(request.maxUnits ?? 1)

    const task: Task = {
      id: newId('task', this.#deps.clock, this.#deps.random),
      requester: caller.did,
      capabilityId: request.capability,
      agentId: request.agentId ?? null,
      ...(request.contextId === undefined ? {} : { contextId: request.contextId }),
      input: request.input,
      requestHash,
      idempotencyKey: idempotencyKey ?? null,
      maxPriceMicros: request.maxPriceMicros,
      ...(request.maxUnits === undefined ? {} : { maxUnits: request.maxUnits }),
      reservedMicros: reserved,
      bonus: newBonus(
        request,
        reserved,
        deadlineAtMs + (this.#options.bonusWindowMs ?? 86_400_000),
      ),
      currency: request.currency,
      timeoutMs: deadlineAtMs - now,
      retry: { ...defaultRetryPolicy, ...request.retry },
      verify: request.verify ?? null,
      parentTaskId: request.parentTaskId ?? null,
      depth,
      state: 'pending',
      providerId: null,
      output: null,
      error: null,
      attempts: [],
      history: [{ state: 'pending', atMs: now }],
      settlement: { state: 'reserved', paidMicros: 0n, payee: null },
      createdAtMs: now,
      updatedAtMs: now,
      deadlineAtMs,
      ...(span.context ? { traceId: span.context.traceId, traceSpanId: span.context.spanId } : {}),
    }
    // No funds, no task: the reservation comes first, and is released if the task is a duplicate.
    // A call at no price (a free capability, a federated-learning step) reserves nothing.
    const reserve = { parent: span.context, attributes: { 'agentmesh.task.id': task.id } }
    if (reserved > 0n) {
      await inSpan(this.#tracer, 'task.reserve', reserve, () =>
        this.#deps.escrow.reserve({
          reservationId: task.id,
          payer: caller.did,
          currency: task.currency,
          amountMicros: reserved,
          timeoutMs: task.timeoutMs + 60_000,
          reference: task.id,
        }),
      )
    }
    await reserveBonus(this.#deps.escrow, task)
    // A task that could not be stored holds no money; a crash right here is undone at the next
    // start (see releaseOrphanReservations).
    const inserted = await this.#deps.tasks.insert(task).catch(async (error: unknown) => {
      await this.#deps.escrow.release(task.id).catch(() => undefined)
      await this.#deps.escrow.release(bonusReservation(task.id)).catch(() => undefined)
      throw error
    })
    if (!inserted.created) {
      await this.#deps.escrow.release(task.id)
      if (task.bonus) await this.#deps.escrow.release(bonusReservation(task.id))
      return { task: this.#sameRequest(inserted.task, requestHash), created: false }
    }
    await this.#deps.audit.record({
      actor: caller.did,
      action: 'task.submitted',
      resource: `task:${task.id}`,
      result: 'ok',
      details: {
        capability: task.capabilityId,
        maxPrice: task.maxPriceMicros.toString(),
        currency: task.currency,
      },
    })
    this.#start(task, candidates)
    return { task, created: true }
  }

  /** A task under a contract goes to the contract's provider, for the contract's capability and price. */
  async #underContract(caller: Caller, request: SubmitRequest): Promise<SubmitRequest> {
    if (!this.#deps.contracts) {
      throw new MeshError('FEATURE_UNAVAILABLE', 'This node has no contracts', {
        details: { feature: 'contracts' },
      })
    }
    const { contract, priceMicros } = await this.#deps.contracts.usable(caller, request.contractId!)
    if (request.capability && request.capability !== contract.terms.capability) {
      throw new MeshError(
        'INVALID_INPUT',
        `Contract "${request.contractId}" is for "${contract.terms.capability}"`,
      )
    }
    return {
      ...request,
      capability: contract.terms.capability,
      agentId: contract.terms.provider,
      maxPriceMicros: priceMicros,
      currency: contract.terms.price.currency,
    }
  }

  #sameRequest(existing: Task, requestHash: string): Task {
    if (existing.requestHash !== requestHash) {
      throw new MeshError(
        'IDEMPOTENCY_MISMATCH',
        `Idempotency key "${existing.idempotencyKey}" was used for another request`,
      )
    }
    return existing
  }

  async #candidates(request: SubmitRequest): Promise<Candidate[]> {
    const query = {
      capabilityId: request.capability,
      currency: request.currency,
      ...(request.agentId ? { agentId: request.agentId } : {}),
      limit: Math.max(
        this.#options.maxCandidates,
        request.verify && request.verify.mode !== 'validator' ? request.verify.n : 0,
      ),
    }
    let candidates = await this.#deps.directory.candidates({
      ...query,
      maxPriceMicros: request.maxPriceMicros,
    })
    if (candidates.length === 0 && !request.contractId)
      candidates = await subscriptionsAtAnyPrice(this.#deps.directory, query)
    if (candidates.length > 0) {
      if (!request.contractId) return candidates
      // Under a contract the agreed price is the price, whatever the card lists.
      const amount = formatAmount(request.maxPriceMicros)
      return candidates.map((c) => ({
        ...c,
        capability: {
          ...c.capability,
          pricing: { ...c.capability.pricing, model: 'per_call' as const, amount },
        },
      }))
    }
    const named = request.agentId
      ? `"${request.capability}" from "${request.agentId}"`
      : `"${request.capability}"`
    if (!(await this.#deps.directory.knows(request.capability))) {
      throw new MeshError('CAPABILITY_NOT_FOUND', `No agent offers the capability ${named}`, {
        details: { capability: request.capability },
      })
    }
    throw new MeshError('NO_PROVIDER', `No online provider of ${named} within the price`, {
      details: { capability: request.capability },
    })
  }
}
