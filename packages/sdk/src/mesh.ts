import {
  signCertificate,
  type ClusterView,
  signJws,
  type ClearingStatement,
  type FederationView,
  type AccountBalance,
  type AgentInfo,
  type AgentReputation,
  type AlertsView,
  type AuditConsistencyProof,
  type AuditInclusionProof,
  type AuditPage,
  type AgentCard,
  type CertificateView,
  type Cosignature,
  type CosignedTreeHead,
  type CosignRequest,
  type CapabilityPage,
  type ContractView,
  type IntentView,
  type KeyPair,
  type LedgerTransfer,
  type Money,
  type NodeInfo,
  type NodeStats,
  type PermissionView,
  type PipelineRunPage,
  type PipelineRunView,
  type PrincipalView,
  type RegistryChange,
  type Role,
  type SearchPage,
  type SubscriptionView,
  type TaskView,
} from '@agentmesh/protocol'
import type { AuditQuery } from './audit-query.js'
import { HostedAgents, Templates } from './hosted-client.js'
import { Knowledge } from './knowledge-client.js'
import { FlJobs } from './fl-client.js'
import { streamEvents, watchRegistry, type StreamEvent } from './mesh-streams.js'
import { MeshTransport, type Query } from './mesh-transport.js'
import type { MeshOptions } from './mesh-types.js'
import { NodeUrls, type NodeUrlList } from './node-urls.js'
import type { PermissionGrant } from './principal-types.js'
import type { CapabilityListOptions, SearchOptions } from './registry-types.js'
import { SdkError } from './sdk-error.js'
import { taskOutput } from './task-outcome.js'
import type { PipelineRunListOptions, SubmitOptions } from './task-types.js'

/** A client of an agentmesh node (or of a cluster's nodes, in turn), over its REST API. */
export class Mesh {
  readonly #transport: MeshTransport
  readonly #ownsToken: boolean
  readonly #key: KeyPair | undefined

  private constructor(transport: MeshTransport, ownsToken: boolean, key?: KeyPair) {
    this.#transport = transport
    this.#ownsToken = ownsToken
    this.#key = key
  }

  /**
   * Connects to a node, signing in with `key` or adopting `token`. Given several URLs (a
   * cluster's nodes), it uses the first that answers and moves to the next when its node becomes
   * unreachable, repeating only what is safe to repeat; with a key it signs in again there if
   * that node does not know the session.
   */
  static async connect(urls: NodeUrlList, options: MeshOptions): Promise<Mesh> {
    const nodes = new NodeUrls(urls)
    const timeoutMs = options.requestTimeoutMs ?? 30_000
    if (options.token) return new Mesh(new MeshTransport(nodes, options.token, timeoutMs), false)
    if (!options.key) throw new SdkError('BAD_OPTIONS', 'Mesh.connect needs a key or a token')
    const signInAgain = { key: options.key, roles: options.roles }
    const transport = new MeshTransport(nodes, '', timeoutMs, signInAgain)
    transport.token = await transport.signIn(options.key, options.roles)
    return new Mesh(transport, true, options.key)
  }

  /** The URL of the node in use: the first given, until a failover moves on. */
  get url(): string {
    return this.#transport.url
  }

  /** The signed-in owner's hosted agents (`/v1/hosted-agents`). */
  get hosted(): HostedAgents {
    return new HostedAgents(this, this.#key)
  }

  /** Federated-learning jobs (`/v1/fl/jobs`): start, follow, read the model. */
  get fl(): FlJobs {
    return new FlJobs(this)
  }

  /** Agent templates (`/v1/templates`): publish, list, deploy. */
  get templates(): Templates {
    return new Templates(this, this.#key)
  }

  /** The knowledge graph (`/v1/knowledge`): facts signed with this mesh's key, queries, paths. */
  get knowledge(): Knowledge {
    return new Knowledge(this, this.#key)
  }

  /** The session token, for curl and friends. */
  get token(): string {
    return this.#transport.token
  }

  /** The node's DID, version and mode. */
  info(): Promise<NodeInfo> {
    return this.request('GET', '/v1/info')
  }

  /** The cluster (admin, cluster mode): nodes, their agents and load, leases, the scale advice. */
  cluster(): Promise<ClusterView> {
    return this.request('GET', '/v1/cluster')
  }

  /** Tasks per second, latency percentiles, error rate and agents online over the last minute. */
  stats(): Promise<NodeStats> {
    return this.request('GET', '/v1/stats')
  }

  /** Who this client is signed in as. */
  whoami(): Promise<{ did: string; roles: Role[] }> {
    return this.request('GET', '/v1/auth/whoami')
  }

  /** Registers a key or replaces its roles (admin). */
  setRoles(did: string, roles: Role[]): Promise<PrincipalView> {
    return this.request('PUT', `/v1/principals/${encodeURIComponent(did)}`, { roles })
  }

  /** Removes a principal (admin): its sessions end at once. */
  async removePrincipal(did: string): Promise<void> {
    await this.request('DELETE', `/v1/principals/${encodeURIComponent(did)}`)
  }

  /** Grants a principal a scoped, optionally expiring permission (admin). */
  grantPermission(did: string, grant: PermissionGrant): Promise<PermissionView> {
    return this.request('POST', `/v1/principals/${encodeURIComponent(did)}/permissions`, grant)
  }

  /** A principal's permissions, expired ones included (admin). */
  async permissions(did: string): Promise<PermissionView[]> {
    const page = await this.request<{ permissions: PermissionView[] }>(
      'GET',
      `/v1/principals/${encodeURIComponent(did)}/permissions`,
    )
    return page.permissions
  }

  /** Takes a permission back (admin). */
  async revokePermission(did: string, permissionId: string): Promise<void> {
    const path = `/v1/principals/${encodeURIComponent(did)}/permissions/${encodeURIComponent(permissionId)}`
    await this.request('DELETE', path)
  }

  /** An agent's reputation (score 0–5, stats, explanation), overall or for one capability. */
  reputation(agentId: string, options: { capability?: string } = {}): Promise<AgentReputation> {
    return this.request('GET', `/v1/agents/${encodeURIComponent(agentId)}/reputation`, undefined, {
      capability: options.capability,
    })
  }

  /** A page of the audit log: all of it for an admin, the caller's own entries otherwise. */
  auditEntries(query: AuditQuery = {}): Promise<AuditPage> {
    return this.request('GET', '/v1/audit', undefined, { ...query })
  }

  /** The latest tree head the node signed. */
  auditHead(): Promise<CosignedTreeHead> {
    return this.request('GET', '/v1/audit/head')
  }

  /**
   * Asks this node, as a witness, to cosign a tree head of the caller's own node (the caller must
   * have signed in with that node's key). Throws the witness's refusal as a `MeshError`.
   */
  cosign(request: CosignRequest): Promise<Cosignature> {
    return this.request('POST', '/v1/audit/cosign', request)
  }

  /** Proposes a decision for a quorum certificate of the node's validators (admin or validator). */
  createCertificate(proposal: {
    decision: unknown
    validators: string[]
    f: number
  }): Promise<CertificateView> {
    return this.request('POST', '/v1/certificates', proposal)
  }

  /** A quorum certificate with its signatures so far. */
  certificate(id: string): Promise<CertificateView> {
    return this.request('GET', `/v1/certificates/${encodeURIComponent(id)}`)
  }

  /** Signs a certificate as one of its validators, with the key this client signed in with. */
  async signCertificate(id: string): Promise<CertificateView> {
    if (!this.#key) throw new SdkError('BAD_OPTIONS', 'Signing a certificate needs a key')
    const { certificate } = await this.certificate(id)
    const { signature } = signCertificate(certificate, this.#key)
    return this.request('POST', `/v1/certificates/${encodeURIComponent(id)}/signatures`, {
      signature,
    })
  }

  /** The inclusion proof of entry `seq` (in the latest signed head unless `size` is given). */
  auditInclusionProof(seq: number, size?: number): Promise<AuditInclusionProof> {
    return this.request('GET', '/v1/audit/proofs/inclusion', undefined, { seq, size })
  }

  /** The consistency proof from tree size `from` to `to` (default: the latest signed head). */
  auditConsistencyProof(from: number, to?: number): Promise<AuditConsistencyProof> {
    return this.request('GET', '/v1/audit/proofs/consistency', undefined, { from, to })
  }

  /** An account's balance: `DID:CURRENCY` (your own, or any for an admin). */
  account(id: string): Promise<AccountBalance> {
    return this.request('GET', `/v1/accounts/${encodeURIComponent(id)}`)
  }

  /** Transfers in and out of an account, newest first. */
  accountTransfers(
    id: string,
    page: { limit?: number; cursor?: string } = {},
  ): Promise<{ transfers: LedgerTransfer[]; nextCursor?: string }> {
    return this.request('GET', `/v1/accounts/${encodeURIComponent(id)}/transfers`, undefined, page)
  }

  /** Creates a transfer (pending with `timeoutMs`); a retry with the same id answers the same transfer. */
  transfer(body: {
    id: string
    debitAccount?: string
    creditAccount: string
    amount: Money
    code?: 'transfer' | 'mint'
    reference?: string
    timeoutMs?: number
  }): Promise<LedgerTransfer> {
    return this.request('POST', '/v1/transfers', body)
  }

  /** Recomputes the ledger's balances and checks its invariants (admin). */
  verifyLedger(): Promise<{
    ok: boolean
    accounts: number
    transfers: number
    problems: string[]
  }> {
    return this.request('GET', '/v1/ledger/verify')
  }

  /** The alerts the node evaluates: firing, then recently resolved (admin). */
  alerts(): Promise<AlertsView> {
    return this.request('GET', '/v1/alerts')
  }

  /** Searches the mesh's capabilities, best first; `explain` adds why each scored as it did. */
  search(q: string, options: SearchOptions = {}): Promise<SearchPage> {
    const { tags, ...rest } = options
    return this.request('GET', '/v1/agents', undefined, {
      q: q === '' ? undefined : q,
      ...rest,
      tags: tags && tags.length > 0 ? tags.join(',') : undefined,
    })
  }

  /** The node's federation: peers, zones, latency, reputation, clearing balances (admin). */
  federation(): Promise<FederationView> {
    return this.request('GET', '/v1/federation')
  }

  /** A net clearing statement with a peer node, signed by both nodes (admin). */
  clearingStatement(peer: string): Promise<ClearingStatement> {
    return this.request('POST', '/v1/federation/statements', { peer })
  }

  /** Browses the marketplace: capabilities by popularity, featured first, or cheapest first. */
  capabilities(options: CapabilityListOptions = {}): Promise<CapabilityPage> {
    return this.request('GET', '/v1/capabilities', undefined, { ...options })
  }

  /** Features a capability in the marketplace, or stops featuring it (admin). */
  setFeatured(
    agentId: string,
    capabilityId: string,
    featured: boolean,
  ): Promise<{ agentId: string; capabilityId: string; featured: boolean }> {
    return this.request(
      'PUT',
      `/v1/capabilities/${encodeURIComponent(agentId)}/${encodeURIComponent(capabilityId)}/featured`,
      { featured },
    )
  }

  /** Reads a registered agent by its id (its DID). */
  agent(id: string): Promise<AgentInfo> {
    return this.request('GET', `/v1/agents/${encodeURIComponent(id)}`)
  }

  /** Signs `card` with the agent's key and registers it; the key must be the signed-in one. */
  registerAgent(card: AgentCard, key: KeyPair): Promise<AgentInfo> {
    return this.request('POST', '/v1/agents', { card: signJws(card, key) })
  }

  /** Signs and publishes a new version of the card (its `version` must be higher). */
  updateAgent(card: AgentCard, key: KeyPair): Promise<AgentInfo> {
    return this.request('PATCH', `/v1/agents/${encodeURIComponent(card.did)}`, {
      card: signJws(card, key),
    })
  }

  /** Removes an agent from search (itself, or any as an admin). */
  async removeAgent(id: string): Promise<void> {
    await this.request('DELETE', `/v1/agents/${encodeURIComponent(id)}`)
  }

  /** Keeps the signed-in agent online for another TTL, optionally reporting its load. */
  heartbeat(
    agentId: string,
    options: { inFlight?: number } = {},
  ): Promise<{ online: boolean; ttlMs: number; expiresAt: string }> {
    return this.request('POST', `/v1/agents/${encodeURIComponent(agentId)}/heartbeat`, options)
  }

  /**
   * Follows registry changes as an async iterator (server-sent events). With `lastEventId` it
   * resumes after that event; when the stream drops it reconnects from the last event it saw.
   * Leaving the loop (or aborting `signal`) closes the stream.
   */
  watch(
    options: { lastEventId?: number; signal?: AbortSignal } = {},
  ): AsyncGenerator<RegistryChange> {
    return watchRegistry(this.#transport, options)
  }

  /**
   * Sends one request to the node. Answers the parsed body; throws a `MeshError` for an error the
   * node reports and an `SdkError` when there is no usable answer.
   */
  request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    return this.#transport.request<T>(method, path, body, query)
  }

  /**
   * Submits a task to a capability. With `wait`, the node answers once the task is final (or the
   * wait runs out); without it, at once.
   */
  submit(capability: string, input: unknown, options: SubmitOptions): Promise<TaskView> {
    const { maxPrice, currency = 'USD', wait, ...rest } = options
    return this.request<TaskView>(
      'POST',
      '/v1/tasks',
      { capability, input, maxPrice: { amount: maxPrice, currency }, ...rest },
      wait === undefined ? undefined : { wait },
    )
  }

  /**
   * Calls a capability and answers its output; throws a `MeshError` with the catalogue's code when
   * the task does not complete.
   */
  async call<T = unknown>(
    capability: string,
    input: unknown,
    options: Omit<SubmitOptions, 'wait'>,
  ): Promise<T> {
    const timeoutMs = options.timeoutMs ?? 30_000
    // The node holds the answer until the task is final; its deadline is within the wait.
    const task = await this.submit(capability, input, {
      ...options,
      timeoutMs,
      wait: timeoutMs + 1000,
    })
    return taskOutput<T>(task, timeoutMs)
  }

  /** Reads a task. */
  task(id: string): Promise<TaskView> {
    return this.request('GET', `/v1/tasks/${encodeURIComponent(id)}`)
  }

  /**
   * Answers the question a task's agent asked (the task is `input_required`): the node checks
   * `input` against the agent's schema (`SCHEMA_MISMATCH` otherwise) and the agent resumes.
   */
  answer(taskId: string, input: unknown): Promise<TaskView> {
    return this.request('POST', `/v1/tasks/${encodeURIComponent(taskId)}/input`, { input })
  }

  /** Cancels a task; its provider gets an abort. */
  cancel(id: string): Promise<TaskView> {
    return this.request('POST', `/v1/tasks/${encodeURIComponent(id)}/cancel`)
  }

  /**
   * Refunds a settled task to its requester, all of it or `amount` (in the task's currency): as
   * the provider it paid, or as an admin. Once only: a second throws `ALREADY_REFUNDED`.
   */
  refund(taskId: string, amount?: string): Promise<TaskView> {
    return this.request(
      'POST',
      `/v1/tasks/${encodeURIComponent(taskId)}/refund`,
      amount === undefined ? {} : { amount },
    )
  }

  /** Rates a settled task 1–5 stars (its requester, once); a good rating pays the task's bonus. */
  rate(taskId: string, stars: number): Promise<{ taskId: string; stars: number }> {
    return this.request('POST', `/v1/tasks/${encodeURIComponent(taskId)}/rating`, { stars })
  }

  /**
   * Pays the current period of a capability sold by subscription; its calls cost nothing until
   * the period lapses. Paying again within the period answers the same payment.
   */
  subscribe(agentId: string, capabilityId: string): Promise<SubscriptionView> {
    return this.request('POST', '/v1/subscriptions', { agentId, capabilityId })
  }

  /** Your subscriptions paid this month: the latest period of each. */
  async subscriptions(): Promise<SubscriptionView[]> {
    const page = await this.request<{ subscriptions: SubscriptionView[] }>(
      'GET',
      '/v1/subscriptions',
    )
    return page.subscriptions
  }

  /**
   * Opens an SSE stream on the node (task events, pipeline events…) and yields its events, data
   * parsed as JSON, until the node ends it or `signal` aborts.
   */
  stream(path: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<StreamEvent> {
    return streamEvents(this.#transport, path, options)
  }

  /** Follows a task: its states so far, then live states and progress, until it is final. */
  taskEvents(id: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<StreamEvent> {
    return this.stream(`/v1/tasks/${encodeURIComponent(id)}/events`, options)
  }

  /** Runs a pipeline definition; with `wait`, answers the finished run when it ends in time. */
  runPipeline(
    definition: unknown,
    input?: unknown,
    options: { wait?: number } = {},
  ): Promise<PipelineRunView> {
    return this.request(
      'POST',
      '/v1/pipelines/runs',
      input === undefined ? { definition } : { definition, input },
      options.wait === undefined ? undefined : { wait: options.wait },
    )
  }

  /** Reads a pipeline run. */
  pipelineRun(id: string): Promise<PipelineRunView> {
    return this.request('GET', `/v1/pipelines/runs/${encodeURIComponent(id)}`)
  }

  /** Lists pipeline runs newest first: your own, or everyone's for an admin. */
  pipelineRuns(options: PipelineRunListOptions = {}): Promise<PipelineRunPage> {
    return this.request('GET', '/v1/pipelines/runs', undefined, { ...options })
  }

  /** Follows a pipeline run: a snapshot, then step and run events, until it ends. */
  pipelineEvents(id: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<StreamEvent> {
    return this.stream(`/v1/pipelines/runs/${encodeURIComponent(id)}/events`, options)
  }

  /** Opens an intent: matching providers answer with offers within the window (default 2 s). */
  openIntent(
    capability: string,
    options: { maxPrice: string; currency?: string; input?: unknown; windowMs?: number },
  ): Promise<IntentView> {
    const { maxPrice, currency = 'USD', ...rest } = options
    return this.request('POST', '/v1/intents', {
      capability,
      maxPrice: { amount: maxPrice, currency },
      ...rest,
    })
  }

  /**
   * Reads an intent with its offers; with `wait`, once every asked provider has offered or the
   * window has closed.
   */
  intent(id: string, options: { wait?: number } = {}): Promise<IntentView> {
    return this.request('GET', `/v1/intents/${encodeURIComponent(id)}`, undefined, {
      wait: options.wait,
    })
  }

  /** Accepts an offer by signing its terms with this client's key: a contract both sides signed. */
  accept(intentId: string, offerId: string): Promise<ContractView> {
    if (!this.#key)
      throw new SdkError('BAD_OPTIONS', 'Accepting an offer needs a key: connect with { key }')
    const key = this.#key
    return this.intent(intentId).then((intent) => {
      const offer = intent.offers.find((o) => o.id === offerId)
      if (!offer)
        throw new SdkError('BAD_OPTIONS', `Offer "${offerId}" is not on intent "${intentId}"`)
      return this.request<ContractView>(
        'POST',
        `/v1/intents/${encodeURIComponent(intentId)}/accept`,
        {
          offerId,
          signature: signJws(offer.terms, key),
        },
      )
    })
  }

  /** Reads a contract. */
  contract(id: string): Promise<ContractView> {
    return this.request('GET', `/v1/contracts/${encodeURIComponent(id)}`)
  }

  /** Cancels a contract; tasks under it are refused afterwards. */
  cancelContract(id: string): Promise<ContractView> {
    return this.request('POST', `/v1/contracts/${encodeURIComponent(id)}/cancel`)
  }

  /** Ends the session this client opened (a token passed in stays valid). */
  async close(): Promise<void> {
    if (this.#ownsToken && this.#transport.token) {
      await this.request('POST', '/v1/auth/revoke').catch(() => {})
    }
    this.#transport.token = ''
  }
}
