/**
 * Hosted agents as the core keeps them: code the node runs in its sandbox for an owner, under
 * limits, billed per resource used; and templates other principals deploy from.
 */

/** Limits of one call, as the owner sets them within the node's maxima. */
export interface HostedLimits {
  memoryBytes: number
  cpuMs: number
  wallMs: number
}

/** A price per resource, in micro-units of `currency`. */
export interface ResourcePrice {
  currency: string
  cpuSecondMicros: bigint
  mbSecondMicros: bigint
}

/** What a hosted agent used over its calls, and what that cost its owner. */
export interface HostedUsage {
  calls: number
  failures: number
  cpuMs: number
  wallMs: number
  peakMemoryBytes: number
  costMicros: bigint
}

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
  createdAtMs: number
}

export const emptyUsage = (): HostedUsage => ({
  calls: 0,
  failures: 0,
  cpuMs: 0,
  wallMs: 0,
  peakMemoryBytes: 0,
  costMicros: 0n,
})
