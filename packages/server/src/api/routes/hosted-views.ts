import {
  formatAmount,
  toMoney,
  type HostedAgentView,
  type TemplateRatingView,
  type TemplateView,
} from '@agentmesh/protocol'
import type { HostedPolicy } from '../../core/hosted/hosted-policy.js'
import type {
  HostedAgent,
  ResourcePrice,
  Template,
  TemplateRating,
} from '../../core/hosted/hosted-types.js'

const iso = (ms: number) => new Date(ms).toISOString()

const priceView = (price: ResourcePrice) => ({
  currency: price.currency,
  cpuSecond: formatAmount(price.cpuSecondMicros),
  mbSecond: formatAmount(price.mbSecondMicros),
})

/** A hosted agent as its owner reads it. */
export function hostedAgentView(agent: HostedAgent, policy: HostedPolicy): HostedAgentView {
  const price = agent.resourcePrice ?? policy.price
  const { usage } = agent
  return {
    id: agent.id,
    owner: agent.owner,
    name: agent.name,
    state: agent.state,
    codeHash: agent.codeHash,
    codeBytes: agent.codeBytes,
    capabilities: agent.capabilities,
    limits: agent.limits,
    maxLimits: policy.maxLimits,
    resourcePrice: priceView(price),
    allowedHosts: agent.allowedHosts,
    params: agent.params,
    templateId: agent.templateId,
    usage: {
      calls: usage.calls,
      failures: usage.failures,
      cpuMs: usage.cpuMs,
      wallMs: usage.wallMs,
      peakMemoryBytes: usage.peakMemoryBytes,
      cost: toMoney(usage.costMicros, price.currency),
    },
    createdAt: iso(agent.createdAtMs),
    updatedAt: iso(agent.updatedAtMs),
  }
}

/** A template as anyone reads it. */
export function templateView(template: Template): TemplateView {
  return {
    id: template.id,
    owner: template.owner,
    name: template.name,
    description: template.description,
    category: template.category,
    licence: template.licence,
    paramsSchema: template.paramsSchema,
    deployPrice:
      template.deployPriceMicros === null
        ? null
        : toMoney(template.deployPriceMicros, template.currency),
    codeHash: template.codeHash,
    card: template.card,
    allowedHosts: template.allowedHosts,
    deployments: template.deployments,
    rating: template.rating.average,
    ratings: template.rating.count,
    createdAt: iso(template.createdAtMs),
  }
}

/** A deployer's rating of a template. */
export function templateRatingView(rating: TemplateRating): TemplateRatingView {
  return {
    templateId: rating.templateId,
    rater: rating.rater,
    stars: rating.stars,
    comment: rating.comment,
    createdAt: iso(rating.createdAtMs),
    updatedAt: iso(rating.updatedAtMs),
  }
}
