import type { HostedLimitsView, HostedUsageView } from '@agentmesh/protocol'

/**
 * Hosted agents as the core keeps them: code the node runs in its sandbox for an owner, under
 * limits, billed per resource used; and templates other principals deploy from.
 */

/** A price per resource, in micro-units of `currency`. */
export interface ResourcePrice {
  currency: string
  cpuSecondMicros: bigint
  mbSecondMicros: bigint
}

/** What a hosted agent used over its calls: the wire's shape, with the cost in micro-units. */
export type HostedUsage = Omit<HostedUsageView, 'cost'> & { costMicros: bigint }

/** Limits of one call, as the owner sets them within the node's maxima (the wire's shape). */
export type HostedLimits = HostedLimitsView

/** One hosted agent. Its id is its DID, which is its owner's: the card is the owner's. */
export interface HostedAgent {
  id: string
  owner: string
  name: string
  state: 'started' | 'stopped'
  codeHash: string
  codeBytes: number
  capabilities: string[]
  limits: HostedLimits
  /** The owner's own price, or null for the node's rate. */
  resourcePrice: ResourcePrice | null
  allowedHosts: string[]
  params: Record<string, unknown>
  templateId: string | null
  usage: HostedUsage
  createdAtMs: number
  updatedAtMs: number
}

/** A hosted agent published as a template. */
export interface Template {
  id: string
  owner: string
  /** The hosted agent it was published from. */
  sourceAgentId: string
  name: string
  description: string
  category: string
  licence: string
  paramsSchema: Record<string, unknown>
  deployPriceMicros: bigint | null
  currency: string
  codeHash: string
  card: { name: string; description: string; capabilities: unknown[] }
  limits: HostedLimits
  allowedHosts: string[]
  deployments: number
  /** The deployers' ratings: how many, and their mean stars (null before any). */
  rating: { count: number; average: number | null }
  createdAtMs: number
}

/** A deployer's rating of a template it deployed: 1 to 5 stars, an optional comment. */
export interface TemplateRating {
  templateId: string
  rater: string
  stars: number
  comment: string | null
  createdAtMs: number
  updatedAtMs: number
}

export const emptyUsage = (): HostedUsage => ({
  calls: 0,
  failures: 0,
  cpuMs: 0,
  wallMs: 0,
  peakMemoryBytes: 0,
  costMicros: 0n,
})
