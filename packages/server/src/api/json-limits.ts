import { MeshError } from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'

/** How deep any JSON the node takes (a body, a task's input, an agent's frame) may nest. */
const MAX_JSON_DEPTH = 64

/** Where parsed JSON breaks a limit: a JSON pointer and what is wrong there. */
interface JsonLimitProblem {
  path: string
  message: string
}

const pointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1')

/**
 * The first place where parsed JSON breaks the node's limits, with its JSON pointer: nesting
 * deeper than `maxDepth` levels (`{}` is one), or a number JSON cannot carry (`1e400` parses to
 * Infinity). The walk stops at the limit, so a deep value costs no deeper a recursion.
 */
export function jsonLimitProblem(
  value: unknown,
  maxDepth = MAX_JSON_DEPTH,
): JsonLimitProblem | undefined {
  const walk = (node: unknown, levels: number, path: string): JsonLimitProblem | undefined => {
    if (typeof node === 'number') {
      return Number.isFinite(node) ? undefined : { path, message: 'is a number out of range' }
    }
    if (typeof node !== 'object' || node === null) return undefined
    if (levels >= maxDepth) return { path, message: `nests deeper than ${maxDepth} levels` }
    const entries = Array.isArray(node)
      ? node.map((item, i): [string, unknown] => [String(i), item])
      : Object.entries(node)
    for (const [key, child] of entries) {
      const problem = walk(child, levels + 1, `${path}/${pointer(key)}`)
      if (problem) return problem
    }
    return undefined
  }
  return walk(value, 0, '')
}

/**
 * Refuses, before any route reads it, a JSON body that nests deeper than `MAX_JSON_DEPTH` or holds
 * a number out of range: 400 INVALID_INPUT with the path (`body/input/a/…`), so such a body never
 * reaches canonicalization, a schema or the ledger.
 */
export function installJsonLimits(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    const problem = jsonLimitProblem(request.body)
    if (!problem) return done()
    const message = `Request body at "${problem.path || '/'}" ${problem.message}`
    done(new MeshError('INVALID_INPUT', message, { details: { path: `body${problem.path}` } }))
  })
}
