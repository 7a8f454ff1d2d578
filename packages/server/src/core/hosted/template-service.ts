import { canonicalize, MeshError } from '@agentmesh/protocol'
import type { Caller } from '../auth/caller.js'
import type { LedgerService } from '../ledger/ledger-service.js'
import { accountId } from '../ledger/types.js'
import type { AuditSink } from '../ports/audit-sink.js'
import type { Clock } from '../ports/clock.js'
import type { SchemaChecker } from '../ports/schema-checker.js'
import { DEFAULT_CARD_LIMITS, verifyCard } from '../registry/card-verifier.js'
import type { RegistryService } from '../registry/registry-service.js'
import type { HostedService } from './hosted-service.js'
import type { HostedAgent, HostedLimits, Template, TemplateRating } from './hosted-types.js'
import type { TemplateQuery, TemplateStore } from './template-store.js'
import { checkParams, checkParamsSchema } from './param-schema.js'

/** What publishing a hosted agent as a template takes. */
export interface TemplatePublish {
  agentId: string
  description: string
  category: string
  licence: string
  paramsSchema: unknown
  deployPriceMicros: bigint | null
  currency: string
}

/** What a deployment takes: the deployer's signed card, its parameters and limits. */
export interface TemplateDeploy {
  /** The deployer's card (compact JWS): its DID, the template's capabilities. */
  card: string
  params: unknown
  limits?: Partial<HostedLimits> | undefined
}

/** A deployer's rating: 1 to 5 stars (integers), an optional comment. */
export interface TemplateRate {
  stars: number
  comment?: string | undefined
}

export interface TemplateDeps {
  store: TemplateStore
  hosted: HostedService
  registry: RegistryService
  schemas: SchemaChecker
  audit: AuditSink
  clock: Clock
  ledger: LedgerService
}

/**
 * Templates: an owner publishes a hosted agent for others to deploy with their own parameters
 * (read by the code as `ctx.params`). A deployment is the deployer's own hosted agent, under
 * the deployer's DID and card, running the template's code pinned by its hash; a deploy price,
 * if any, is paid to the template's owner once the agent exists. Whoever deployed a template
 * (other than its owner) may rate it, once, and change the rating later.
 */
export class TemplateService {
  readonly #deps: TemplateDeps

  constructor(deps: TemplateDeps) {
    this.#deps = deps
  }

  async publish(caller: Caller, request: TemplatePublish): Promise<Template> {
    const agent = await this.#deps.hosted.get(caller, request.agentId)
    const card = await this.#deps.registry.get(agent.id)
    if (!card) throw new MeshError('AGENT_NOT_FOUND', `Agent "${agent.id}" is not registered`)
    const paramsSchema = checkParamsSchema(request.paramsSchema, this.#deps.schemas)
    const now = this.#deps.clock.now()
    const template: Template = {
      id: `tpl_${now.toString(36)}_${agent.codeHash.slice(0, 12)}`,
      owner: caller.did,
      sourceAgentId: agent.id,
      name: card.name,
      description: request.description,
      category: request.category,
      licence: request.licence,
      paramsSchema,
      deployPriceMicros: request.deployPriceMicros,
      currency: request.currency,
      codeHash: agent.codeHash,
      card: { name: card.name, description: card.description, capabilities: card.capabilities },
      limits: agent.limits,
      allowedHosts: agent.allowedHosts,
      deployments: 0,
      rating: { count: 0, average: null },
      createdAtMs: now,
    }
    await this.#deps.store.putTemplate(template)
    await this.#deps.audit.record({
      actor: caller.did,
      action: 'template.publish',
      resource: `template:${template.id}`,
      result: 'ok',
      details: { agentId: agent.id, codeHash: agent.codeHash },
    })
    return template
  }

  async get(id: string): Promise<Template> {
    const template = await this.#deps.store.template(id)
    if (!template) throw new MeshError('TEMPLATE_NOT_FOUND', `No template "${id}"`)
    return template
  }

  list(query: TemplateQuery): Promise<Template[]> {
    return this.#deps.store.templates(query)
  }

  /** Creates the deployer's hosted agent from the template and pays its deploy price. */
  async deploy(caller: Caller, id: string, request: TemplateDeploy): Promise<HostedAgent> {
    const template = await this.get(id)
    const params = checkParams(request.params, template.paramsSchema, this.#deps.schemas)
    const card = verifyCard(request.card, {
      schemas: this.#deps.schemas,
      limits: DEFAULT_CARD_LIMITS,
      checkSigner: (signer) => {
        if (signer !== caller.did) {
          throw new MeshError('FORBIDDEN', `Card is signed by "${signer}", not by the caller`)
        }
      },
    })
    if (canonicalize(card.capabilities) !== canonicalize(template.card.capabilities)) {
      throw new MeshError('INVALID_INPUT', "The card must carry the template's capabilities", {
        details: { path: '/card/capabilities' },
      })
    }
    const hold = await this.#holdPrice(caller, template)
    let agent: HostedAgent
    try {
      agent = await this.#deps.hosted.create(caller, {
        code: await this.#deps.hosted.code(template.codeHash),
        card: request.card,
        limits: { ...template.limits, ...request.limits },
        allowedHosts: template.allowedHosts,
        params,
        templateId: template.id,
      })
    } catch (error) {
      if (hold)
        await this.#deps.ledger.transfer(
          { kind: 'void', id: `${hold}:void`, pendingId: hold },
          caller.did,
        )
      throw error
    }
    if (hold)
      await this.#deps.ledger.transfer(
        { kind: 'post', id: `${hold}:post`, pendingId: hold },
        caller.did,
      )
    await this.#deps.store.countDeployment(template.id, caller.did, this.#deps.clock.now())
    await this.#deps.audit.record({
      actor: caller.did,
      action: 'template.deploy',
      resource: `template:${template.id}`,
      result: 'ok',
      details: { agentId: agent.id, codeHash: template.codeHash },
    })
    return agent
  }

  /**
   * Rates a template the caller deployed (TEMPLATE_NOT_DEPLOYED for its owner and for anyone who
   * never deployed it); rating again replaces the caller's rating. Answers the rating and the
   * template with its new mean.
   */
  async rate(
    caller: Caller,
    id: string,
    request: TemplateRate,
  ): Promise<{ rating: TemplateRating; template: Template }> {
    const template = await this.get(id)
    if (caller.did === template.owner || !(await this.#deps.store.hasDeployed(id, caller.did))) {
      throw new MeshError(
        'TEMPLATE_NOT_DEPLOYED',
        `Only a principal that deployed template "${id}" (not its owner) may rate it`,
      )
    }
    if (!Number.isInteger(request.stars) || request.stars < 1 || request.stars > 5) {
      throw new MeshError('INVALID_INPUT', `Stars "${request.stars}" are not 1 to 5`, {
        details: { path: '/stars' },
      })
    }
    const now = this.#deps.clock.now()
    const rating = await this.#deps.store.rate({
      templateId: id,
      rater: caller.did,
      stars: request.stars,
      comment: request.comment ?? null,
      createdAtMs: now,
      updatedAtMs: now,
    })
    await this.#deps.audit.record({
      actor: caller.did,
      action: 'template.rate',
      resource: `template:${id}`,
      result: 'ok',
      details: { stars: rating.stars },
    })
    return { rating, template: await this.get(id) }
  }

  /** A template's ratings, the latest first. */
  async ratings(id: string, limit: number, offset: number): Promise<TemplateRating[]> {
    await this.get(id)
    return this.#deps.store.ratings(id, limit, offset)
  }

  /** Holds the deploy price from the deployer for the template's owner (none for the owner). */
  async #holdPrice(caller: Caller, template: Template): Promise<string | undefined> {
    const price = template.deployPriceMicros
    if (price === null || price === 0n || caller.did === template.owner) return undefined
    const id = `deploy:${template.id}:${caller.did}:${this.#deps.clock.now()}`
    await this.#deps.ledger.transfer(
      {
        kind: 'pending',
        id,
        debitAccount: accountId(caller.did, template.currency),
        creditAccount: accountId(template.owner, template.currency),
        amountMicros: price,
        code: 'payment',
        reference: `template:${template.id}`,
        timeoutMs: 120_000,
      },
      caller.did,
    )
    return id
  }
}
