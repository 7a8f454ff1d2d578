import { canonicalize, formatAmount, MeshError, sha256, toHex, utf8 } from '@agentmesh/protocol'
import type { Caller } from '../auth/auth-service.js'
import { newId } from '../ids.js'
import { within } from '../within.js'
import { nextOnline } from './provider-wait.js'
import type { ProviderDirectory, Random, Span, TaskQuery, Tracer } from '../ports.js'
import { inSpan, noopTracer } from '../tracing.js'
import { defaultRetryPolicy } from './retry-policy.js'
import { nodeStopping, taskTopic, TaskRunner, type TaskRunnerDeps } from './task-runner.js'
import {
  isTerminal,
  type Candidate,
  type RetryPolicy,
  type Task,
  type VerifyPolicy,
} from './task-types.js'
import { runVerified } from './verify.js'

/** What a requester submits (already validated at the edge; money already parsed). */
export interface SubmitRequest {
  capability: string
  agentId?: string
  input: unknown
  maxPriceMicros: bigint
  currency: string
  timeoutMs?: number
  retry?: Partial<RetryPolicy>
  idempotencyKey?: string
  verify?: VerifyPolicy
  /** Set when an agent calls another capability on a task's behalf. */
  parentTaskId?: string
  /** Run under this contract: its provider, at its price. */
  contractId?: string
}

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

export interface TaskServiceOptions {
  defaultTimeoutMs: number
  /** How many providers a task may fail over across. */
  maxCandidates: number
  /** How deep agent-to-agent calls may nest. */
  maxDepth: number
  /** After a restart, how long a resumed task waits for a provider to reconnect (default 10 s). */
  recoveryGraceMs?: number
}

/**
 * Tasks: submit (reserve, then dispatch), read, list, cancel, wait. Each running task is owned by
 * one in-process runner; a restart resumes unfinished tasks within their deadline.
 */
export class TaskService {
  readonly #deps: TaskRunnerDeps & {
    directory: ProviderDirectory
    random: Random
    contracts?: ContractSource
  }
  readonly #options: TaskServiceOptions
  readonly #runner: TaskRunner
  readonly #tracer: Tracer
  readonly #running = new Map<string, { controller: AbortController; done: Promise<Task> }>()
  /** The recovery after a restart, while it registers the unfinished tasks. */
  #recovery: Promise<void> | undefined

  constructor(
    deps: TaskRunnerDeps & {
      directory: ProviderDirectory
      random: Random
      contracts?: ContractSource
    },
    options: TaskServiceOptions,
  ) {
    this.#deps = deps
    this.#options = options
    this.#runner = new TaskRunner(deps)
    this.#tracer = deps.tracer ?? noopTracer
  }

  /** Submits a task. A repeat with the same idempotency key answers the first task (`created: false`). */
  submit(caller: Caller, submitted: SubmitRequest): Promise<{ task: Task; created: boolean }> {
    const attributes = {
      'agentmesh.capability': submitted.capability,
      'agentmesh.requester': caller.did,
    }
    return inSpan(this.#tracer, 'task.submit', { attributes }, async (span) => {
      const submittedTask = await this.#submit(caller, submitted, span)
      span.setAttributes({
        'agentmesh.task.id': submittedTask.task.id,
        'agentmesh.task.created': submittedTask.created,
      })
      return submittedTask
    })
  }

  async #submit(
    caller: Caller,
    submitted: SubmitRequest,
    span: Span,
  ): Promise<{ task: Task; created: boolean }> {
    const request = submitted.contractId ? await this.#underContract(caller, submitted) : submitted
    const { idempotencyKey, ...rest } = request
    const requestHash = toHex(
      sha256(utf8(canonicalize({ ...rest, maxPriceMicros: rest.maxPriceMicros.toString() }))),
    )
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
    const candidates = await this.#candidates(request)
    this.#deps.validator.validate(candidates[0]!.capability.input, request.input, 'input')

    const task: Task = {
      id: newId('task', this.#deps.clock, this.#deps.random),
      requester: caller.did,
      capabilityId: request.capability,
      agentId: request.agentId ?? null,
      input: request.input,
      requestHash,
      idempotencyKey: idempotencyKey ?? null,
      maxPriceMicros: request.maxPriceMicros,
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
    const reserve = { parent: span.context, attributes: { 'agentmesh.task.id': task.id } }
    await inSpan(this.#tracer, 'task.reserve', reserve, () =>
      this.#deps.escrow.reserve({
        reservationId: task.id,
        payer: caller.did,
        currency: task.currency,
        amountMicros: task.maxPriceMicros,
        timeoutMs: task.timeoutMs + 60_000,
        reference: task.id,
      }),
    )
    const inserted = await this.#deps.tasks.insert(task)
    if (!inserted.created) {
      await this.#deps.escrow.release(task.id)
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
    if (!this.#deps.contracts) throw new MeshError('NOT_FOUND', 'This node has no contracts')
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
    const candidates = await this.#deps.directory.candidates({
      capabilityId: request.capability,
      maxPriceMicros: request.maxPriceMicros,
      currency: request.currency,
      ...(request.agentId ? { agentId: request.agentId } : {}),
      limit: Math.max(
        this.#options.maxCandidates,
        request.verify?.mode === 'quorum' ? request.verify.n : 0,
      ),
    })
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
    const query = request.agentId
      ? `"${request.capability}" from "${request.agentId}"`
      : `"${request.capability}"`
    if (!(await this.#deps.directory.knows(request.capability))) {
      throw new MeshError('CAPABILITY_NOT_FOUND', `No agent offers the capability ${query}`, {
        details: { capability: request.capability },
      })
    }
    throw new MeshError('NO_PROVIDER', `No online provider of ${query} within the price`, {
      details: { capability: request.capability },
    })
  }

  /** Runs the task on `candidates`, or on those `find` answers once it is running. */
  #start(
    task: Task,
    candidates: Candidate[] | ((signal: AbortSignal) => Promise<Candidate[]>),
    resumed = false,
  ): void {
    const controller = new AbortController()
    const { signal } = controller
    const done = this.#runner.spans
      .dispatch(task, resumed, async () => {
        const found = typeof candidates === 'function' ? await candidates(signal) : candidates
        return task.verify
          ? runVerified(this.#runner, this.#deps, task, found, signal)
          : this.#runner.run(task, found, signal)
      })
      .finally(() => this.#running.delete(task.id))
    this.#running.set(task.id, { controller, done })
    done.catch(() => {})
  }

  /** Reads a task: its requester, its provider and admins may. */
  async get(caller: Caller, id: string): Promise<Task> {
    const task = await this.#deps.tasks.get(id)
    const visible =
      task &&
      (task.requester === caller.did ||
        task.providerId === caller.did ||
        caller.roles.includes('admin'))
    if (!visible)
      throw new MeshError('TASK_NOT_FOUND', `Task "${id}" does not exist or is not yours`)
    return task
  }

  /** Lists the caller's tasks (admins: anyone's). */
  list(caller: Caller, query: TaskQuery): Promise<Task[]> {
    const admin = caller.roles.includes('admin')
    return this.#deps.tasks.list(admin ? query : { ...query, requester: caller.did })
  }

  /** Cancels a task of the caller's; the provider gets an abort. Answers the canceled task. */
  async cancel(caller: Caller, id: string): Promise<Task> {
    const task = await this.get(caller, id)
    if (task.requester !== caller.did && !caller.roles.includes('admin')) {
      throw new MeshError('FORBIDDEN', 'Only the requester cancels a task')
    }
    if (isTerminal(task.state))
      throw new MeshError('TASK_FINISHED', `Task "${id}" is already ${task.state}`)
    const running = this.#running.get(id)
    if (running) {
      running.controller.abort()
      return running.done
    }
    // Not running here (a stale task): finish it directly.
    await this.#runner.settle(task, null)
    task.error = new MeshError('TASK_CANCELED', 'Task was canceled').toWire()
    await this.#runner.transition(task, 'canceled')
    return task
  }

  /** Resolves with the task once it is final, or as it is after `waitMs`. */
  async waitFor(id: string, waitMs: number): Promise<Task> {
    // A task a restart left unfinished may not be running again yet: wait for the recovery.
    if (!this.#running.has(id) && this.#recovery) await this.#recovery
    const running = this.#running.get(id)
    if (!running) return (await this.#deps.tasks.get(id))!
    const finished = await within(running.done, waitMs, this.#deps.timers)
    return finished ?? (await this.#deps.tasks.get(id))!
  }

  /** Subscribes to a task's events (state changes and progress). */
  subscribe(id: string, handler: (event: unknown) => void): () => void {
    return this.#deps.bus.subscribe(taskTopic(id), (message) => handler(message.body))
  }

  /**
   * After a restart: resumes each unfinished task within its deadline (its provider may see it
   * twice; payment stays exactly once), or times it out and releases its reservation.
   */
  recover(): Promise<number> {
    const recovery = this.#recover()
    this.#recovery = recovery.then(
      () => undefined,
      () => undefined,
    )
    return recovery
  }

  async #recover(): Promise<number> {
    const unfinished = await this.#deps.tasks.listUnfinished(10_000)
    for (const task of unfinished) {
      if (this.#running.has(task.id)) continue
      this.#start(task, (signal) => this.#recoveryCandidates(task, signal), true)
    }
    return unfinished.length
  }

  /**
   * The providers of a task resumed after a restart. Its agents reconnect after the node is up,
   * so while none is online the task waits for them, until its deadline or `recoveryGraceMs`.
   */
  async #recoveryCandidates(task: Task, signal: AbortSignal): Promise<Candidate[]> {
    const { clock } = this.#deps
    const grace = this.#options.recoveryGraceMs ?? 10_000
    const until = Math.min(task.deadlineAtMs, clock.now() + grace)
    for (;;) {
      if (clock.now() >= task.deadlineAtMs) return []
      // Listen before looking, so that an agent coming online in between is not missed.
      const found = new AbortController()
      const online = nextOnline(this.#deps, until - clock.now(), signal, found.signal)
      const candidates = await this.#deps.directory
        .candidates({
          capabilityId: task.capabilityId,
          maxPriceMicros: task.maxPriceMicros,
          currency: task.currency,
          ...(task.agentId ? { agentId: task.agentId } : {}),
          limit: this.#options.maxCandidates,
        })
        .catch(() => [])
      if (candidates.length > 0 || signal.aborted || clock.now() >= until) {
        found.abort()
        return candidates
      }
      await online
    }
  }

  /** Stops the runners without finishing their tasks, which resume after a restart. */
  async stop(): Promise<void> {
    const running = [...this.#running.values()]
    for (const { controller } of running) controller.abort(nodeStopping)
    await Promise.allSettled(running.map((r) => r.done))
  }
}
