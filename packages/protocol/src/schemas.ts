/**
 * JSON Schemas (draft 2020-12) and types for what agents publish. The node validates requests
 * with these same schemas and publishes them in its OpenAPI description.
 */

/** A decimal money amount: at most 18 integer digits and 6 decimals, no exponent. */
export const amountSchema = {
  type: 'string',
  pattern: '^(0|[1-9][0-9]{0,17})(\\.[0-9]{1,6})?$',
  description: 'Decimal amount with at most 6 decimals, e.g. "0.002"',
} as const

export const currencySchema = { type: 'string', pattern: '^[A-Z][A-Z0-9]{2,9}$' } as const

export const moneySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['amount', 'currency'],
  properties: { amount: amountSchema, currency: currencySchema },
} as const

export const didSchema = {
  type: 'string',
  pattern: '^did:key:z[1-9A-HJ-NP-Za-km-z]{40,60}$',
  description: 'An Ed25519 did:key',
} as const

export type PricingModel = 'per_call' | 'per_unit' | 'subscription'

/** What a capability costs. `per_unit` prices each unit the provider reports. */
export interface Pricing {
  model: PricingModel
  amount: string
  currency: string
  /** For `per_unit`: what a unit is (token, page, second…). */
  unit?: string
  /** For `subscription`: how often the charge recurs. */
  period?: 'day' | 'month'
}

export const pricingSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['model', 'amount', 'currency'],
  properties: {
    model: { enum: ['per_call', 'per_unit', 'subscription'] },
    amount: amountSchema,
    currency: currencySchema,
    unit: { type: 'string', minLength: 1, maxLength: 64 },
    period: { enum: ['day', 'month'] },
  },
} as const

/** What a provider promises. */
export interface Sla {
  timeoutMs: number
  p95LatencyMs?: number
  /**
   * What a call slower than `p95LatencyMs` loses of its price, in basis points; the node's own
   * penalty applies when it is higher.
   */
  latencyPenaltyBps?: number
  /** Fraction of time the provider expects to be reachable, 0 to 1. */
  availability?: number
}

export const slaSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['timeoutMs'],
  properties: {
    timeoutMs: { type: 'integer', minimum: 1, maximum: 3_600_000 },
    p95LatencyMs: { type: 'integer', minimum: 1, maximum: 3_600_000 },
    latencyPenaltyBps: { type: 'integer', minimum: 0, maximum: 10_000 },
    availability: { type: 'number', minimum: 0, maximum: 1 },
  },
} as const

/** One thing an agent can do. */
export interface Capability {
  id: string
  description: string
  tags?: string[]
  input: Record<string, unknown>
  output: Record<string, unknown>
  pricing: Pricing
  sla: Sla
  /**
   * The output carries facts for the knowledge graph: the name of a top-level output property
   * holding a list of signed facts (`FactAssertion`, bound to the task), stored when it completes.
   */
  outputFacts?: string
}

export const capabilityIdSchema = {
  type: 'string',
  pattern: '^[a-z0-9][a-z0-9_-]*(\\.[a-z0-9][a-z0-9_-]*)*$',
  maxLength: 128,
  description: 'Dotted lower-case name, e.g. "text.sentiment"',
} as const

export const capabilitySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'description', 'input', 'output', 'pricing', 'sla'],
  properties: {
    id: capabilityIdSchema,
    description: { type: 'string', maxLength: 4096 },
    tags: {
      type: 'array',
      maxItems: 32,
      items: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' },
    },
    input: { type: 'object' },
    output: { type: 'object' },
    pricing: pricingSchema,
    sla: slaSchema,
    outputFacts: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' },
  },
} as const

/** What an agent publishes about itself; signed by the agent's key. */
export interface AgentCard {
  did: string
  name: string
  description: string
  version: number
  capabilities: Capability[]
  /** How many tasks it takes at once. */
  concurrency?: number
  homepage?: string
}

export const agentCardSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['did', 'name', 'description', 'version', 'capabilities'],
  properties: {
    did: didSchema,
    name: { type: 'string', minLength: 1, maxLength: 128 },
    description: { type: 'string', maxLength: 4096 },
    version: { type: 'integer', minimum: 1 },
    capabilities: { type: 'array', minItems: 1, maxItems: 100, items: capabilitySchema },
    concurrency: { type: 'integer', minimum: 1, maximum: 1024 },
    homepage: { type: 'string', format: 'uri', maxLength: 2048 },
  },
} as const

/** Roles a principal may hold. */
export type Role = 'admin' | 'agent' | 'client' | 'validator'

export const roles: readonly Role[] = ['admin', 'agent', 'client', 'validator']

/** Roles a new key may give itself on an open node. */
export const selfServiceRoles: readonly Role[] = ['client', 'agent']
