import { MeshError, type AgentCard } from '@agentmesh/protocol'
import type { Caller } from '../auth/caller.js'
import type { AuditSink } from '../ports/audit-sink.js'
import type { Clock } from '../ports/clock.js'
import type { HostedPlacement } from '../ports/hosted-placement.js'
import type { Sandbox } from '../ports/sandbox.js'
import type { SchemaChecker } from '../ports/schema-checker.js'
import { DEFAULT_CARD_LIMITS, verifyCard } from '../registry/card-verifier.js'
import type { Presence } from '../registry/presence.js'
import type { RegistryService } from '../registry/registry-service.js'
import { checkCodeDefines, measureCode, normalizeHosts } from './hosted-code.js'
import { resolveLimits, resolvePrice, type HostedPolicy } from './hosted-policy.js'
import type { HostedStore } from './hosted-store.js'
import {
  emptyUsage,
  type HostedAgent,
  type HostedLimits,
  type HostedUsage,
  type ResourcePrice,
} from './hosted-types.js'
import type { LogLine } from './hosted-log-store.js'
import type { HostedLogs } from './hosted-logs.js'

/** What creating a hosted agent takes: its code, its signed card, its limits and price. */
export interface HostedCreate {
  code: string
  /** The agent card, a compact JWS signed by the owner (the card's DID is the owner's). */
  card: string
  limits?: Partial<HostedLimits> | undefined
  resourcePrice?: ResourcePrice | null | undefined
  allowedHosts?: string[] | undefined
  params?: Record<string, unknown> | undefined
  templateId?: string | undefined
}

/** What an owner may change: the code, the card (a higher version), limits, price, hosts. */
export type HostedUpdate = {
  [K in keyof Omit<HostedCreate, 'params' | 'templateId'>]?: HostedCreate[K] | undefined
}

export interface HostedDeps {
  store: HostedStore
  registry: RegistryService
  presence: Presence
  schemas: SchemaChecker
  audit: AuditSink
  clock: Clock
  logs: HostedLogs
  policy: HostedPolicy
  sandbox: Sandbox
  /** Which node serves each started agent: this one always, or the cluster lease's holder. */
  placement: HostedPlacement
}

/**
 * Hosted agents: code the node runs in its sandbox for an owner. Creating one checks the owner's
 * signed card, stores the code by its SHA-256, has the sandbox load it to check it defines the
 * card's capabilities, and registers the card, so the agent is found and called like any other.
 * A started agent is online (presence holds a connection for it on the node that serves it, the
 * one its placement names); a stopped one is not. Only its owner (or an admin) reads or changes
 * it; others are told it does not exist.
 */
export class HostedService {
  readonly policy: HostedPolicy
  readonly #deps: HostedDeps
  readonly #code = new Map<string, string>()
  readonly #started = new Set<string>()

  constructor(deps: HostedDeps) {
    this.#deps = deps
    this.policy = deps.policy
  }

  async create(caller: Caller, request: HostedCreate): Promise<HostedAgent> {
    const { sandbox, placement } = this.#deps
    const { hash, bytes } = measureCode(request.code, this.policy)
    const card = this.#verify(caller, request.card)
    if (await this.#deps.store.get(caller.did)) {
      throw new MeshError('AGENT_EXISTS', `Hosted agent "${caller.did}" exists already: PATCH it`)
    }
    const limits = resolveLimits(this.policy, request.limits)
    const resourcePrice = request.resourcePrice
      ? resolvePrice(this.policy, request.resourcePrice)
      : null
    const allowedHosts = normalizeHosts(request.allowedHosts)
    const capabilities = await checkCodeDefines(sandbox, request.code, card, limits, this.policy)
    const now = this.#deps.clock.now()
    await this.#deps.store.putCode(hash, request.code, now)
    await this.#deps.registry.register(caller, request.card)
    const agent: HostedAgent = {
      id: caller.did,
      owner: caller.did,
      name: card.name,
      state: 'started',
      codeHash: hash,
      codeBytes: bytes,
      capabilities,
      limits,
      resourcePrice,
      allowedHosts,
      params: request.params ?? {},
      templateId: request.templateId ?? null,
      usage: emptyUsage(),
      createdAtMs: now,
      updatedAtMs: now,
    }
    let here = false
    try {
      // Claimed before it is stored started: no other node takes it in between.
      here = await placement.claim(agent.id)
      await this.#deps.store.put(agent)
    } catch (error) {
      await placement.release(agent.id).catch(() => undefined)
      await this.#deps.registry.remove(caller, caller.did).catch(() => undefined)
      throw error
    }
    this.#code.set(hash, request.code)
    if (here) this.#serve(agent.id)
    await this.#audit(caller, 'hosted.create', agent, { codeHash: hash, codeBytes: bytes })
    return agent
  }

  /** The caller's hosted agent; HOSTED_AGENT_NOT_FOUND for anyone else's. */
  async get(caller: Caller, id: string): Promise<HostedAgent> {
    const agent = await this.#deps.store.get(id)
    if (!agent || (agent.owner !== caller.did && !caller.roles.includes('admin'))) {
      throw new MeshError('HOSTED_AGENT_NOT_FOUND', `No hosted agent "${id}" of the caller`)
    }
    return agent
  }

  async update(caller: Caller, id: string, request: HostedUpdate): Promise<HostedAgent> {
    const agent = await this.get(caller, id)
    const { sandbox } = this.#deps
    const card = request.card === undefined ? undefined : this.#verify(caller, request.card)
    const limits = resolveLimits(this.policy, request.limits, agent.limits)
    const resourcePrice =
      request.resourcePrice === undefined
        ? agent.resourcePrice
        : request.resourcePrice && resolvePrice(this.policy, request.resourcePrice)
    const allowedHosts =
      request.allowedHosts === undefined ? agent.allowedHosts : normalizeHosts(request.allowedHosts)
    const code = request.code ?? (await this.code(agent.codeHash))
    const measured = measureCode(code, this.policy)
    const current = card ?? (await this.#deps.registry.get(id))
    if (!current) throw new MeshError('AGENT_NOT_FOUND', `Agent "${id}" is not registered`)
    const capabilities = await checkCodeDefines(sandbox, code, current, limits, this.policy)
    const now = this.#deps.clock.now()
    await this.#deps.store.putCode(measured.hash, code, now)
    if (request.card !== undefined) await this.#deps.registry.update(caller, id, request.card)
    const updated: HostedAgent = {
      ...agent,
      name: current.name,
      codeHash: measured.hash,
      codeBytes: measured.bytes,
      capabilities,
      limits,
      resourcePrice,
      allowedHosts,
      updatedAtMs: now,
    }
    await this.#deps.store.put(updated)
    this.#code.set(measured.hash, code)
    await this.#audit(caller, 'hosted.update', updated, {
      previousCodeHash: agent.codeHash,
      codeHash: measured.hash,
    })
    return updated
  }

  /** Starts (online, served) or stops (offline, refused) a hosted agent. */
  async setState(caller: Caller, id: string, state: HostedAgent['state']): Promise<HostedAgent> {
    const agent = await this.get(caller, id)
    if (agent.state === state) return agent
    const changed = { ...agent, state, updatedAtMs: this.#deps.clock.now() }
    await this.#deps.store.put(changed)
    if (state === 'started') {
      if (await this.#deps.placement.claim(id)) this.#serve(id)
    } else {
      this.#unserve(id)
      await this.#deps.placement.release(id)
    }
    await this.#audit(caller, state === 'started' ? 'hosted.start' : 'hosted.stop', changed, {})
    return changed
  }

  /** Removes the hosted agent and its registration; its code stays stored by hash. */
  async delete(caller: Caller, id: string): Promise<void> {
    const agent = await this.get(caller, id)
    this.#unserve(id)
    await this.#deps.store.delete(id)
    await this.#deps.placement.release(id)
    const owner: Caller = { did: agent.owner, roles: ['agent'] }
    if (await this.#deps.registry.get(id)) await this.#deps.registry.remove(owner, id)
    await this.#deps.logs.forget(id)
    await this.#audit(caller, 'hosted.delete', agent, { codeHash: agent.codeHash })
  }

  async logs(caller: Caller, id: string, limit?: number): Promise<LogLine[]> {
    await this.get(caller, id)
    return this.#deps.logs.lines(id, limit)
  }

  /** Whether this node serves the agent (started, placed here): the router sends its tasks here. */
  isStarted(id: string): boolean {
    return this.#started.has(id)
  }

  /** A hosted agent by id, for the node itself (the transport); undefined if there is none. */
  find(id: string): Promise<HostedAgent | undefined> {
    return this.#deps.store.get(id)
  }

  /** The code stored under `hash` (kept in memory once read). */
  async code(hash: string): Promise<string> {
    const cached = this.#code.get(hash)
    if (cached !== undefined) return cached
    const code = await this.#deps.store.code(hash)
    if (code === undefined) throw new MeshError('INTERNAL', `No stored code "${hash}"`)
    this.#code.set(hash, code)
    return code
  }

  /** The price the agent's owner pays per resource. */
  priceOf(agent: HostedAgent): ResourcePrice {
    return agent.resourcePrice ?? this.policy.price
  }

  /** Adds one call's usage to the agent's totals. */
  recordUsage(id: string, usage: HostedUsage): Promise<void> {
    return this.#deps.store.addUsage(id, usage)
  }

  /** Keeps a line the agent logged. */
  log(id: string, level: LogLine['level'], message: string): void {
    this.#deps.logs.add(id, { atMs: this.#deps.clock.now(), level, message })
  }

  /**
   * Serves the started agents no node serves: after a restart, every started agent (online again,
   * from its stored code); in a cluster, also those of a node that died or drained. Answers how
   * many this node took.
   */
  async restore(limit = 1000): Promise<number> {
    const taken = (await this.#deps.placement.claimUnserved(limit)).filter(
      (id) => !this.#started.has(id),
    )
    for (const id of taken) this.#serve(id)
    return taken.length
  }

  /** Stops serving agents another node took over (their leases lapsed here). */
  drop(ids: Iterable<string>): void {
    for (const id of ids) this.#unserve(id)
  }

  /** Stops serving every agent (a draining node, before it lets their leases go). */
  dropAll(): void {
    this.drop([...this.#started])
  }

  /** The agents this node serves. */
  served(): string[] {
    return [...this.#started]
  }

  /** Every hosted agent (for metrics). */
  all(): Promise<HostedAgent[]> {
    return this.#deps.store.all()
  }

  #serve(id: string): void {
    if (this.#started.has(id)) return
    this.#started.add(id)
    this.#deps.presence.connected(id)
  }

  #unserve(id: string): void {
    if (this.#started.delete(id)) this.#deps.presence.disconnected(id)
  }

  #verify(caller: Caller, jws: string): AgentCard {
    return verifyCard(jws, {
      schemas: this.#deps.schemas,
      limits: DEFAULT_CARD_LIMITS,
      checkSigner: (signer) => {
        if (signer !== caller.did) {
          throw new MeshError('FORBIDDEN', `Card is signed by "${signer}", not by the caller`)
        }
      },
    })
  }

  #audit(
    caller: Caller,
    action: string,
    agent: HostedAgent,
    details: Record<string, unknown>,
  ): Promise<void> {
    return this.#deps.audit.record({
      actor: caller.did,
      action,
      resource: `hosted-agent:${agent.id}`,
      result: 'ok',
      details,
    })
  }
}
