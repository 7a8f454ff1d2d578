import { AckPolicy, DeliverPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream'
import type { Consumer, ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import type { NatsConnection, Subscription } from '@nats-io/transport-node'
import { MeshError } from '@agentmesh/protocol'
import type { Logger } from '../../../core/ports/logger.js'
import type { Dispatch, DispatchEvent, TaskTransport } from '../../../core/ports/task-transport.js'
import { RecentKeys } from './recent-keys.js'

type Answer = { output: unknown; units?: number }
type WireDispatch = Omit<Dispatch, 'budgetMicros'> & { budgetMicros: string }
interface DispatchMessage {
  key: string
  from: string
  agentId: string
  dispatch: WireDispatch
}
type ReplyMessage = { key: string } & (
  { ok: true; output: unknown; units?: number } | { ok: false; error: unknown }
)
interface Pending {
  resolve(answer: Answer): void
  reject(error: MeshError): void
  onEvent(event: DispatchEvent): void
}

/**
 * Carries a task attempt to the node an agent is connected to, and its answer back. The attempt
 * and its result travel through a JetStream stream, each published with a `Nats-Msg-Id` (a repeat
 * within the dedupe window is dropped by the server), acknowledged by the receiving node's durable
 * consumer and checked against an inbox of recent keys (a redelivery is not run twice). Progress
 * and cancel go over plain NATS: losing one costs a progress line, or a cancel the attempt's
 * deadline still enforces.
 */
export class ClusterTransport {
  readonly #nc: NatsConnection
  readonly #js: JetStreamClient
  readonly #prefix: string
  readonly #stream: string
  readonly #nodeId: string
  readonly #local: TaskTransport
  readonly #logger: Logger
  readonly #pending = new Map<string, Pending>()
  readonly #running = new Map<string, AbortController>()
  readonly #seen = new RecentKeys(10_000)
  readonly #subs: Subscription[] = []
  #messages: ConsumerMessages | undefined
  #sequence = 0

  constructor(
    nc: NatsConnection,
    options: { name: string; nodeId: string; local: TaskTransport; logger: Logger },
  ) {
    this.#nc = nc
    this.#js = jetstream(nc)
    this.#prefix = `am.${options.name}`
    this.#stream = `${options.name}_work`
    this.#nodeId = options.nodeId
    this.#local = options.local
    this.#logger = options.logger
  }

  /** Creates the stream (once per cluster) and this node's consumer, then listens. */
  async start(): Promise<void> {
    const jsm = await jetstreamManager(this.#nc)
    const subjects = [`${this.#prefix}.work.>`]
    await jsm.streams.info(this.#stream).catch(() =>
      jsm.streams.add({
        name: this.#stream,
        subjects,
        storage: StorageType.File,
        retention: RetentionPolicy.Interest,
        max_age: 5 * 60 * 1e9,
        duplicate_window: 2 * 60 * 1e9,
      }),
    )
    const durable = `node_${this.#nodeId}`
    await jsm.consumers.info(this.#stream, durable).catch(() =>
      jsm.consumers.add(this.#stream, {
        durable_name: durable,
        filter_subject: `${this.#prefix}.work.${this.#nodeId}.>`,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.New,
        ack_wait: 30 * 1e9,
        max_deliver: 5,
      }),
    )
    const consumer: Consumer = await this.#js.consumers.get(this.#stream, durable)
    this.#messages = await consumer.consume({ max_messages: 256 })
    void (async () => {
      for await (const msg of this.#messages!) this.#received(msg)
    })().catch((error: unknown) => this.#logger.warn({ err: error }, 'cluster consumer ended'))
    this.#subs.push(
      this.#nc.subscribe(`${this.#prefix}.events.${this.#nodeId}`, {
        callback: (error, msg) => {
          if (error) return
          const { key, event } = msg.json<{ key: string; event: DispatchEvent }>()
          this.#pending.get(key)?.onEvent(event)
        },
      }),
      this.#nc.subscribe(`${this.#prefix}.cancel.${this.#nodeId}`, {
        callback: (error, msg) => {
          if (!error) this.#running.get(msg.json<{ key: string }>().key)?.abort()
        },
      }),
    )
  }

  async stop(): Promise<void> {
    for (const sub of this.#subs) sub.unsubscribe()
    await this.#messages?.close().catch(() => {})
    const gone = new MeshError('PROVIDER_DISCONNECTED', 'The node is stopping')
    for (const pending of this.#pending.values()) pending.reject(gone)
    this.#pending.clear()
    for (const controller of this.#running.values()) controller.abort()
  }

  /** Sends one attempt to the agent on `nodeId`; settles with its answer (or the signal's reason). */
  dispatch(
    nodeId: string,
    agentId: string,
    dispatch: Dispatch,
    options: { signal: AbortSignal; onEvent: (event: DispatchEvent) => void },
  ): Promise<Answer> {
    const key = `${dispatch.taskId}-${dispatch.attempt}-${this.#nodeId}-${++this.#sequence}`
    const message: DispatchMessage = {
      key,
      from: this.#nodeId,
      agentId,
      dispatch: { ...dispatch, budgetMicros: dispatch.budgetMicros.toString() },
    }
    return new Promise<Answer>((resolve, reject) => {
      const done = () => {
        this.#pending.delete(key)
        options.signal.removeEventListener('abort', onAbort)
      }
      const onAbort = () => {
        done()
        this.#nc.publish(`${this.#prefix}.cancel.${nodeId}`, JSON.stringify({ key }))
        const reason: unknown = options.signal.reason
        reject(reason instanceof MeshError ? reason : new MeshError('TASK_CANCELED', 'Canceled'))
      }
      this.#pending.set(key, {
        resolve: (answer) => (done(), resolve(answer)),
        reject: (error) => (done(), reject(error)),
        onEvent: options.onEvent,
      })
      options.signal.addEventListener('abort', onAbort, { once: true })
      this.#js
        .publish(`${this.#prefix}.work.${nodeId}.dispatch`, JSON.stringify(message), {
          msgID: key,
        })
        .catch((error: unknown) =>
          this.#pending.get(key)?.reject(
            new MeshError(
              'PROVIDER_DISCONNECTED',
              `The node of agent "${agentId}" is unreachable`,
              {
                cause: error,
              },
            ),
          ),
        )
    })
  }

  #received(msg: JsMsg): void {
    msg.ack()
    if (this.#seen.has(msg.headers?.get('Nats-Msg-Id') ?? `seq-${msg.seq}`)) return
    this.#seen.add(msg.headers?.get('Nats-Msg-Id') ?? `seq-${msg.seq}`)
    if (msg.subject.endsWith('.reply')) {
      const reply = msg.json<ReplyMessage>()
      const pending = this.#pending.get(reply.key)
      if (!pending) return // answered already, or abandoned
      if (reply.ok)
        pending.resolve(
          reply.units === undefined
            ? { output: reply.output }
            : { output: reply.output, units: reply.units },
        )
      else pending.reject(MeshError.fromWire(reply.error, 'Provider failed'))
      return
    }
    void this.#serve(msg.json<DispatchMessage>())
  }

  /** Runs an attempt another node sent, on the agent's socket here, and sends its answer back. */
  async #serve({ key, from, agentId, dispatch }: DispatchMessage): Promise<void> {
    if (Date.now() >= dispatch.deadlineAtMs) return // its owner has given up on it already
    const controller = new AbortController()
    this.#running.set(key, controller)
    let reply: ReplyMessage
    try {
      const answer = await this.#local.dispatch(
        agentId,
        { ...dispatch, budgetMicros: BigInt(dispatch.budgetMicros) },
        {
          signal: controller.signal,
          onEvent: (event) =>
            this.#nc.publish(`${this.#prefix}.events.${from}`, JSON.stringify({ key, event })),
        },
      )
      reply = {
        key,
        ok: true,
        output: answer.output,
        ...(answer.units === undefined ? {} : { units: answer.units }),
      }
    } catch (error) {
      if (controller.signal.aborted) return // canceled by its owner, who no longer waits
      const meshError =
        error instanceof MeshError ? error : new MeshError('PROVIDER_ERROR', String(error))
      reply = { key, ok: false, error: meshError.toWire() }
    } finally {
      this.#running.delete(key)
    }
    await this.#reply(from, reply, dispatch.deadlineAtMs)
  }

  /** Publishes an answer, again until the server takes it or the attempt's deadline passes. */
  async #reply(to: string, reply: ReplyMessage, deadlineAtMs: number): Promise<void> {
    const subject = `${this.#prefix}.work.${to}.reply`
    for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
      try {
        await this.#js.publish(subject, JSON.stringify(reply), { msgID: `${reply.key}-r` })
        return
      } catch (error) {
        if (Date.now() + wait >= deadlineAtMs) {
          this.#logger.warn({ err: error, key: reply.key }, 'a cluster answer was lost')
          return
        }
        await new Promise((resolve) => setTimeout(resolve, wait))
      }
    }
  }
}
