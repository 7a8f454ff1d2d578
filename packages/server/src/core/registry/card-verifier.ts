import {
  agentCardSchema,
  fromBase64url,
  MeshError,
  verifyJws,
  type AgentCard,
} from '@agentmesh/protocol'
import type { SchemaChecker } from '../ports/schema-checker.js'

/** Limits on what an agent may publish. */
export interface CardLimits {
  /** Largest card (its JSON payload), in bytes. */
  maxCardBytes: number
  /** Deepest nesting of a capability's input or output schema. */
  maxSchemaDepth: number
}

export const DEFAULT_CARD_LIMITS: CardLimits = { maxCardBytes: 256 * 1024, maxSchemaDepth: 32 }

/** How deep a JSON text nests, counting brackets outside strings; stops once past `limit`. */
function textDepthExceeds(text: string, limit: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true
    } else if (c === 0x7d || c === 0x5d) depth--
  }
  return false
}

/** Nesting depth of a parsed JSON value: a scalar is 0, `{}` is 1. */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0
  const children = Array.isArray(value) ? value : Object.values(value)
  let deepest = 0
  for (const child of children) deepest = Math.max(deepest, depthOf(child))
  return 1 + deepest
}

/**
 * Reads a signed agent card (compact JWS) in the order that gives each failure its own status:
 * too large (413), not validly signed (401), then the signer is checked by `checkSigner` (403),
 * the card's shape (400), its DID against the signer (403), and every capability's schemas (422,
 * with the path of the problem).
 */
export function verifyCard(
  jws: string,
  deps: { schemas: SchemaChecker; limits: CardLimits; checkSigner: (did: string) => void },
): AgentCard {
  const { schemas, limits } = deps
  const payloadPart = jws.split('.')[1] ?? ''
  if (Math.floor((payloadPart.length * 3) / 4) > limits.maxCardBytes) {
    throw new MeshError(
      'PAYLOAD_TOO_LARGE',
      `Agent card is larger than ${limits.maxCardBytes} bytes`,
      {
        details: { limitBytes: limits.maxCardBytes },
      },
    )
  }
  let payloadText = ''
  try {
    payloadText = new TextDecoder().decode(fromBase64url(payloadPart))
  } catch {
    // verifyJws below reports the malformed JWS.
  }
  // Deeper than any valid card: refuse before parsing and canonicalizing recurse into it.
  if (textDepthExceeds(payloadText, limits.maxSchemaDepth + 8)) {
    throw new MeshError(
      'SCHEMA_INVALID',
      `Agent card nests deeper than ${limits.maxSchemaDepth} levels`,
      {
        details: { path: '' },
      },
    )
  }
  const { payload, did: signer } = verifyJws<AgentCard>(jws)
  deps.checkSigner(signer)
  const shape = schemas.validationProblem(agentCardSchema, payload)
  if (shape) {
    throw new MeshError(
      'INVALID_INPUT',
      `Invalid agent card at "${shape.path}": ${shape.message}`,
      {
        details: { path: `/card${shape.path}` },
      },
    )
  }
  const card = payload
  if (card.did !== signer) {
    throw new MeshError('FORBIDDEN', `Card names "${card.did}" but is signed by "${signer}"`)
  }
  const seen = new Set<string>()
  for (const [i, capability] of card.capabilities.entries()) {
    if (seen.has(capability.id)) {
      throw new MeshError('INVALID_INPUT', `Capability "${capability.id}" appears twice`, {
        details: { path: `/capabilities/${i}/id` },
      })
    }
    seen.add(capability.id)
    for (const part of ['input', 'output'] as const) {
      const base = `/capabilities/${i}/${part}`
      if (depthOf(capability[part]) > limits.maxSchemaDepth) {
        throw new MeshError(
          'SCHEMA_INVALID',
          `Schema ${base} nests deeper than ${limits.maxSchemaDepth} levels`,
          { details: { path: base } },
        )
      }
      const problem = schemas.compileProblem(capability[part])
      if (problem) {
        throw new MeshError(
          'SCHEMA_INVALID',
          `Schema ${base}${problem.path} does not compile: ${problem.message}`,
          { details: { path: `${base}${problem.path}`, reason: problem.message } },
        )
      }
    }
  }
  return card
}
