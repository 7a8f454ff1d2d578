/**
 * Hosted agents and their templates as the API answers them (`/v1/hosted-agents`,
 * `/v1/templates`): the one declaration the server builds them to and the SDK, the CLI and the
 * dashboard read them as.
 */
import type { Money } from './money.js'

/** Hard limits of one call of a hosted agent. */
export interface HostedLimitsView {
  memoryBytes: number
  cpuMs: number
  wallMs: number
}

/** What the owner pays the node per resource used; decimal strings in the price's currency. */
export interface ResourcePriceView {
  currency: string
  /** Per second of CPU time. */
  cpuSecond: string
  /** Per megabyte (2^20 bytes) of peak memory held for one second of wall time. */
  mbSecond: string
}

/** What a hosted agent used, summed over its calls. */
export interface HostedUsageView {
  calls: number
  failures: number
  cpuMs: number
  wallMs: number
  peakMemoryBytes: number
  /** What the owner paid the node for it. */
  cost: Money
}

/** One hosted agent, as its owner reads it. */
export interface HostedAgentView {
  /** The agent's DID, which is its owner's. */
  id: string
  owner: string
  name: string
  state: 'started' | 'stopped'
  /** SHA-256 (hex) of the stored code. */
  codeHash: string
  codeBytes: number
  capabilities: string[]
  limits: HostedLimitsView
  /** The node's maxima, which `limits` may not exceed. */
  maxLimits: HostedLimitsView
  /** The price the owner pays per resource: its own, or the node's rate. */
  resourcePrice: ResourcePriceView
  /** Hosts the code may `fetch` (exact host names). */
  allowedHosts: string[]
  /** The parameters the code reads as `ctx.params` (from a template's deployment). */
  params: Record<string, unknown>
  /** The template it was deployed from, if any. */
  templateId: string | null
  usage: HostedUsageView
  createdAt: string
  updatedAt: string
}

/** One line a hosted agent logged. */
export interface HostedLogLine {
  at: string
  level: 'info' | 'warn' | 'error'
  message: string
}

/** A hosted agent published for others to deploy. */
export interface TemplateView {
  id: string
  owner: string
  name: string
  description: string
  category: string
  licence: string
  /** JSON Schema of the parameters a deployment gives (`ctx.params`). */
  paramsSchema: Record<string, unknown>
  /** What a deployment pays the template's owner; null when free. */
  deployPrice: Money | null
  codeHash: string
  /** The capabilities a deployment serves, without `did`: the deployer's card takes them. */
  card: { name: string; description: string; capabilities: unknown[] }
  allowedHosts: string[]
  deployments: number
  /** The mean of its deployers' ratings, 1 to 5 stars (two decimals); null before any. */
  rating: number | null
  /** How many deployers rated it. */
  ratings: number
  createdAt: string
}

/** A deployer's rating of a template (one per deployer; rating again replaces it). */
export interface TemplateRatingView {
  templateId: string
  rater: string
  /** 1 to 5. */
  stars: number
  comment: string | null
  createdAt: string
  updatedAt: string
}

/** A page of a template's ratings, the latest first. */
export interface TemplateRatingPage {
  ratings: TemplateRatingView[]
  nextCursor?: string
}

/** A page of templates. */
export interface TemplatePage {
  templates: TemplateView[]
  nextCursor?: string
}
