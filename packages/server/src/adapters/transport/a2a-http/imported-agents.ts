import { Role, TaskState, type AgentCard as A2ACard, type Task as A2ATask } from '@a2a-js/sdk'
import {
  ClientFactory,
  ClientFactoryOptions,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
  type Client,
} from '@a2a-js/sdk/client'
import {
  keyPairFromSecret,
  MeshError,
  sha256,
  signJws,
  utf8,
  type AgentCard,
  type Capability,
  type KeyPair,
} from '@agentmesh/protocol'
import type { Caller } from '../../../core/auth/caller.js'
import type { Dispatch, DispatchEvent, TaskTransport } from '../../../core/ports/task-transport.js'
import type { Logger } from '../../../core/ports/logger.js'
import type { Presence } from '../../../core/registry/presence.js'
import type { RegistryService } from '../../../core/registry/registry-service.js'
import { guardedFetch, type OutboundPolicy } from '../../http/guarded-fetch.js'
import { dataPart, fromA2AState, isFinalA2AState, outputOf } from '../../../api/a2a/a2a-mapping.js'

/** What an import asks for: the card's URL and the price the node lists the agent's skills at. */
export interface ImportRequest {
  cardUrl: string
  price: { amount: string; currency: string }
  timeoutMs: number
}

interface Imported {
  agentId: string
  cardUrl: string
  client: Client
}

const POLL_MS = 200

/** Turns a skill id into a capability id (`Summarize Text` → `summarize-text`). */
export function capabilityIdOf(skillId: string): string {
  const id = skillId
    .toLowerCase()
    .split('.')
    .map((segment) => segment.replace(/[^a-z0-9_-]+/g, '-').replace(/^[-_]+|-+$/g, ''))
    .filter((segment) => segment !== '')
    .join('.')
  if (id === '') throw new MeshError('INVALID_INPUT', `Skill "${skillId}" has no usable id`)
  return id.slice(0, 128)
}

/**
 * External A2A agents imported as providers, and the task transport to them over HTTP (JSON-RPC,
 * A2A 1.0 or 0.3). An imported agent has no key of its own: the node derives one from its own key
 * and the card URL (so a re-import is the same agent) and signs the agent's mesh card with it; the
 * agent's earnings accrue to that derived DID, which the node's operator controls. An imported
 * agent is online while its card URL answers (checked at each `check()`).
 */
export class ImportedAgents implements TaskTransport {
  readonly #byAgent = new Map<string, Imported>()
  readonly #deps: {
    nodeKey: KeyPair
    registry: RegistryService
    presence: Presence
    logger: Logger
  }
  readonly #fetch: typeof fetch
  readonly #resolver: DefaultAgentCardResolver

  constructor(
    deps: { nodeKey: KeyPair; registry: RegistryService; presence: Presence; logger: Logger },
    policy: OutboundPolicy,
  ) {
    this.#deps = deps
    this.#fetch = guardedFetch(policy)
    this.#resolver = new DefaultAgentCardResolver({
      fetchImpl: this.#fetch,
      legacyCompat: { enabled: true },
    })
  }

  /** The card URL of an imported agent (dispatched over HTTP); undefined for any other agent. */
  urlOf(agentId: string): string | undefined {
    return this.#byAgent.get(agentId)?.cardUrl
  }

  /** Fetches the card, registers (or updates) the agent under its derived DID, marks it online. */
  async import(
    caller: Caller,
    request: ImportRequest,
  ): Promise<{ agentId: string; card: AgentCard }> {
    const url = new URL(request.cardUrl)
    const remote = await this.#fetchCard(url)
    const key = this.#keyFor(url.href)
    const capabilities: Capability[] = remote.skills.map((skill) => ({
      id: capabilityIdOf(skill.id),
      description: (skill.description || skill.name).slice(0, 4096),
      tags: skill.tags
        .map((t) =>
          t
            .toLowerCase()
            .replace(/[^a-z0-9._-]+/g, '-')
            .slice(0, 64),
        )
        .filter((t) => /^[a-z0-9]/.test(t))
        .slice(0, 32),
      input: { type: 'object' },
      output: {},
      pricing: { model: 'per_call', ...request.price },
      sla: { timeoutMs: request.timeoutMs },
    }))
    if (capabilities.length === 0) {
      throw new MeshError('INVALID_INPUT', `Agent card at "${url.href}" lists no skills`)
    }
    const existing = await this.#deps.registry.record(key.did)
    const card: AgentCard = {
      did: key.did,
      name: (remote.name || url.host).slice(0, 128),
      description:
        `${remote.description} (A2A agent imported from ${url.href} by ${caller.did})`.slice(
          0,
          4096,
        ),
      version: (existing?.version ?? 0) + 1,
      capabilities,
      homepage: url.href,
    }
    const self: Caller = { did: key.did, roles: ['agent'] }
    const jws = signJws(card, key)
    if (existing) await this.#deps.registry.update(self, key.did, jws)
    else await this.#deps.registry.register(self, jws)
    this.#byAgent.set(key.did, {
      agentId: key.did,
      cardUrl: url.href,
      client: await this.#client(remote),
    })
    this.#deps.presence.heartbeat(key.did)
    return { agentId: key.did, card }
  }

  /** Checks every imported agent's card URL: a heartbeat when it answers, none when it does not. */
  async check(): Promise<void> {
    await Promise.all(
      [...this.#byAgent.values()].map(async (agent) => {
        try {
          await this.#fetchCard(new URL(agent.cardUrl))
          this.#deps.presence.heartbeat(agent.agentId)
        } catch (error) {
          this.#deps.logger.warn(
            { err: error, agentId: agent.agentId },
            'imported agent is unreachable',
          )
        }
      }),
    )
  }

  async dispatch(
    agentId: string,
    dispatch: Dispatch,
    options: { signal: AbortSignal; onEvent: (event: DispatchEvent) => void },
  ): Promise<{ output: unknown }> {
    const agent = this.#byAgent.get(agentId)
    if (!agent)
      throw new MeshError('PROVIDER_DISCONNECTED', `Agent "${agentId}" is not imported here`)
    const signal = options.signal
    try {
      const result = await agent.client.sendMessage(
        {
          tenant: '',
          message: {
            messageId: `${dispatch.taskId}#${dispatch.attempt}`,
            contextId: '',
            taskId: '',
            role: Role.ROLE_USER,
            parts: [dataPart(dispatch.input)],
            metadata: { capability: dispatch.capabilityId, skill: dispatch.capabilityId },
            extensions: [],
            referenceTaskIds: [],
          },
          configuration: undefined,
          metadata: undefined,
        },
        { signal },
      )
      if (!('status' in result)) return { output: outputOf(result.parts) }
      options.onEvent({ type: 'accepted' })
      return { output: outcomeOf(await this.#untilFinal(agent.client, result, signal)) }
    } catch (error) {
      if (signal.aborted) {
        throw signal.reason instanceof MeshError
          ? signal.reason
          : new MeshError('TASK_CANCELED', 'Canceled')
      }
      throw asMeshError(error, agentId)
    }
  }

  async #untilFinal(client: Client, task: A2ATask, signal: AbortSignal): Promise<A2ATask> {
    let current = task
    const cancel = () => {
      void client.cancelTask({ tenant: '', id: task.id, metadata: undefined }).catch(() => {})
    }
    signal.addEventListener('abort', cancel, { once: true })
    try {
      while (!isFinalA2AState(current.status?.state ?? TaskState.TASK_STATE_WORKING)) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS))
        signal.throwIfAborted()
        current = await client.getTask({ tenant: '', id: task.id }, { signal })
      }
      return current
    } finally {
      signal.removeEventListener('abort', cancel)
    }
  }

  async #fetchCard(url: URL): Promise<A2ACard> {
    try {
      return await this.#resolver.resolve(url.href, url.href)
    } catch (error) {
      throw asMeshError(error, url.href)
    }
  }

  #client(card: A2ACard): Promise<Client> {
    const transport = new JsonRpcTransportFactory({
      fetchImpl: this.#fetch,
      legacyCompat: { enabled: true },
    })
    return new ClientFactory(
      ClientFactoryOptions.createFrom(ClientFactoryOptions.default, { transports: [transport] }),
    ).createFromAgentCard(card)
  }

  /** The imported agent's key: derived from the node's key and the card URL, never stored. */
  #keyFor(cardUrl: string): KeyPair {
    const seed = new Uint8Array([...this.#deps.nodeKey.secretKey, ...utf8(`a2a-import:${cardUrl}`)])
    return keyPairFromSecret(sha256(seed))
  }
}

/** The output of a finished A2A task, or the mesh error its state stands for. */
function outcomeOf(task: A2ATask): unknown {
  const state = task.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED
  const text = task.status?.message ? outputOf(task.status.message.parts) : null
  const reason = (text as { text?: string } | null)?.text ?? `state ${TaskState[state]}`
  const outcome = fromA2AState(state)
  if (outcome === 'completed') return outputOf(task.artifacts.flatMap((a) => a.parts))
  const verb = outcome === 'canceled' ? 'canceled the task' : 'did not complete the task'
  throw new MeshError('PROVIDER_ERROR', `The A2A agent ${verb}: ${reason}`)
}

/** A MeshError from anything the SDK client throws (the guard's own errors travel as causes). */
function asMeshError(error: unknown, where: string): MeshError {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof MeshError) return e
  }
  const message = error instanceof Error ? error.message : String(error)
  return new MeshError('PROVIDER_ERROR', `A2A call to "${where}" failed: ${message}`, {
    cause: error,
  })
}
