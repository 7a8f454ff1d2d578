import {
  signJws,
  type AgentCard,
  type HostedAgentView,
  type HostedLimitsView,
  type HostedLogLine,
  type KeyPair,
  type Money,
  type ResourcePriceView,
  type TemplatePage,
  type TemplateRatingPage,
  type TemplateRatingView,
  type TemplateView,
} from '@agentmesh/protocol'
import { SdkError } from './sdk-error.js'

/** What these clients need of a `Mesh`: its requests. */
interface Requester {
  request<T>(
    method: string,
    path: string,
    body?: unknown,
    query?: Record<string, string | number | boolean | undefined>,
  ): Promise<T>
}

/** What uploading a hosted agent takes; the card is signed with the mesh's key (or `key`). */
export interface HostedAgentUpload {
  /** One ES module: `export default defineAgent({...})`, importing only `@agentmesh/sdk`. */
  code: string
  /** The card, unsigned (its `did` is the key's). */
  card: AgentCard
  limits?: Partial<HostedLimitsView>
  resourcePrice?: ResourcePriceView
  /** Hosts the code may `fetch`. */
  allowedHosts?: string[]
  key?: KeyPair
}

const path = (id: string, tail = '') => `/v1/hosted-agents/${encodeURIComponent(id)}${tail}`

function keyOf(key: KeyPair | undefined, fallback: KeyPair | undefined): KeyPair {
  const chosen = key ?? fallback
  if (!chosen) throw new SdkError('BAD_OPTIONS', 'Signing a card needs a key: connect with one')
  return chosen
}

/** The signed-in owner's hosted agents: code the node runs in its sandbox. */
export class HostedAgents {
  readonly #mesh: Requester
  readonly #key: KeyPair | undefined

  constructor(mesh: Requester, key: KeyPair | undefined) {
    this.#mesh = mesh
    this.#key = key
  }

  /** Uploads the code with its signed card; the agent is served at once. */
  create(upload: HostedAgentUpload): Promise<HostedAgentView> {
    const { code, card, key, ...rest } = upload
    const jws = signJws(card, keyOf(key, this.#key))
    return this.#mesh.request('POST', '/v1/hosted-agents', { code, card: jws, ...rest })
  }

  list(): Promise<{ hostedAgents: HostedAgentView[] }> {
    return this.#mesh.request('GET', '/v1/hosted-agents')
  }

  get(id: string): Promise<HostedAgentView> {
    return this.#mesh.request('GET', path(id))
  }

  /** Updates the code, limits, price or hosts; a new card (signed here) needs a higher version. */
  update(
    id: string,
    change: Partial<Omit<HostedAgentUpload, 'card'>> & { card?: AgentCard },
  ): Promise<HostedAgentView> {
    const { card, key, ...rest } = change
    const body = card ? { ...rest, card: signJws(card, keyOf(key, this.#key)) } : rest
    return this.#mesh.request('PATCH', path(id), body)
  }

  stop(id: string): Promise<HostedAgentView> {
    return this.#mesh.request('POST', path(id, '/stop'))
  }

  start(id: string): Promise<HostedAgentView> {
    return this.#mesh.request('POST', path(id, '/start'))
  }

  async delete(id: string): Promise<void> {
    await this.#mesh.request('DELETE', path(id))
  }

  /** The agent's recent log lines, oldest first. */
  async logs(id: string, limit?: number): Promise<HostedLogLine[]> {
    const page = await this.#mesh.request<{ lines: HostedLogLine[] }>(
      'GET',
      path(id, '/logs'),
      undefined,
      { limit },
    )
    return page.lines
  }
}

/** What publishing a template takes. */
export interface TemplatePublish {
  agentId: string
  description: string
  category: string
  licence: string
  paramsSchema: Record<string, unknown>
  deployPrice?: Money | null
}

/** Agent templates: publish a hosted agent, list them, deploy one as your own agent, rate it. */
export class Templates {
  readonly #mesh: Requester
  readonly #key: KeyPair | undefined

  constructor(mesh: Requester, key: KeyPair | undefined) {
    this.#mesh = mesh
    this.#key = key
  }

  publish(template: TemplatePublish): Promise<TemplateView> {
    return this.#mesh.request('POST', '/v1/templates', template)
  }

  list(
    query: {
      q?: string
      category?: string
      /** Most deployed (default), newest, or best rated first. */
      sort?: 'popular' | 'newest' | 'rating'
      limit?: number
      cursor?: string
    } = {},
  ): Promise<TemplatePage> {
    return this.#mesh.request('GET', '/v1/templates', undefined, { ...query })
  }

  get(id: string): Promise<TemplateView> {
    return this.#mesh.request('GET', `/v1/templates/${encodeURIComponent(id)}`)
  }

  /**
   * Deploys the template as the key's own hosted agent: signs a card naming the key's DID with the
   * template's capabilities, and sends it with the parameters (checked by the node against the
   * template's schema).
   */
  async deploy(
    id: string,
    options: { params: Record<string, unknown>; limits?: Partial<HostedLimitsView>; key?: KeyPair },
  ): Promise<HostedAgentView> {
    const key = keyOf(options.key, this.#key)
    const template = await this.get(id)
    const card = {
      did: key.did,
      name: template.card.name,
      description: template.card.description,
      version: Date.now(),
      capabilities: template.card.capabilities,
    } as AgentCard
    return this.#mesh.request('POST', `/v1/templates/${encodeURIComponent(id)}/deploy`, {
      card: signJws(card, key),
      params: options.params,
      ...(options.limits ? { limits: options.limits } : {}),
    })
  }

  /**
   * Rates a template the key deployed, 1 to 5 stars with an optional comment; rating again
   * replaces the earlier rating. Answers the rating and the template with its new mean.
   */
  rate(
    id: string,
    rating: { stars: number; comment?: string },
  ): Promise<{ rating: TemplateRatingView; template: TemplateView }> {
    return this.#mesh.request('POST', `/v1/templates/${encodeURIComponent(id)}/ratings`, rating)
  }

  /** A template's ratings, the latest first. */
  ratings(
    id: string,
    query: { limit?: number; cursor?: string } = {},
  ): Promise<TemplateRatingPage> {
    return this.#mesh.request('GET', `/v1/templates/${encodeURIComponent(id)}/ratings`, undefined, {
      ...query,
    })
  }
}
