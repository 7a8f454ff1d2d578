import type { Capability } from '@agentmesh/protocol'
import type { WeightedText } from '../ports/embedder.js'

/** How much each part of a capability counts in its embedding. */
const WEIGHTS = { name: 1, description: 1, tags: 0.5, schema: 0.3 }
/** Schema properties read at most (depth-first), and how deep: a card's schema may be large. */
const MAX_PROPERTIES = 64
const MAX_DEPTH = 4

/**
 * What a capability means, as text to embed: its id (`text.sentiment` reads `text sentiment`),
 * its description, its tags, and its schemas' property names and descriptions.
 */
export function capabilityPassage(capability: Capability): WeightedText[] {
  const schema: string[] = []
  collectProperties(capability.input, schema, 0)
  collectProperties(capability.output, schema, 0)
  return [
    { text: capability.id, weight: WEIGHTS.name },
    { text: capability.description, weight: WEIGHTS.description },
    { text: (capability.tags ?? []).join(' '), weight: WEIGHTS.tags },
    { text: schema.join(' '), weight: WEIGHTS.schema },
  ]
}

/** A search query, as text to embed. */
export function queryPassage(query: string): WeightedText[] {
  return [{ text: query, weight: 1 }]
}

function collectProperties(schema: unknown, out: string[], depth: number): void {
  if (depth >= MAX_DEPTH || typeof schema !== 'object' || schema === null) return
  const { properties, items } = schema as { properties?: unknown; items?: unknown }
  if (typeof properties === 'object' && properties !== null) {
    for (const [name, property] of Object.entries(properties)) {
      if (out.length >= MAX_PROPERTIES * 2) return
      out.push(name)
      const { description } = (property ?? {}) as { description?: unknown }
      if (typeof description === 'string') out.push(description)
      collectProperties(property, out, depth + 1)
    }
  }
  collectProperties(items, out, depth + 1)
}
