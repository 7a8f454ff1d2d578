import { RE2JS } from 're2js'
import type { SchemaProblem } from '../../core/ports/schema-checker.js'

/**
 * Ajv's `code.regExp` engine for schemas agents publish: RE2 (re2js, pure JavaScript), whose
 * matching time is linear in the input, so no `pattern` can freeze the node (a backtracking
 * engine takes 2^n steps on `^(a+)+$` against `a…a!`). ECMAScript syntax is translated first
 * (`\u00e9`, `(?<name>…)`); what RE2 cannot run (backreferences, lookarounds) does not compile.
 */
export const linearRegExp = Object.assign(
  (pattern: string): RE2JS => RE2JS.compile(RE2JS.translateRegExp(pattern)),
  { code: 'linearRegExp' },
)

/** Keywords whose value is one schema. */
const ONE = new Set([
  'additionalItems',
  'additionalProperties',
  'contains',
  'contentSchema',
  'else',
  'if',
  'items',
  'not',
  'propertyNames',
  'then',
  'unevaluatedItems',
  'unevaluatedProperties',
])
/** Keywords whose value is a list of schemas. */
const LIST = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems', 'items'])
/** Keywords whose value maps names to schemas. */
const MAP = new Set(['$defs', 'definitions', 'dependentSchemas', 'properties', 'patternProperties'])

const pointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1')

function patternError(pattern: string): string | undefined {
  try {
    // Valid ECMAScript as JSON Schema requires, so SDKs and clients can run it too.
    new RegExp(pattern, 'u')
    linearRegExp(pattern)
    return undefined
  } catch (error) {
    return (error as Error).message
  }
}

/**
 * The first `pattern` (or `patternProperties` name) of `schema` that is not a regular expression
 * both ECMAScript and the linear-time engine accept, with its JSON pointer. Walks the applicator
 * keywords only: a `const` or `default` that holds a "pattern" field is data, not a schema.
 */
export function patternProblem(schema: unknown, path = ''): SchemaProblem | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined
  for (const [keyword, value] of Object.entries(schema as Record<string, unknown>)) {
    const at = `${path}/${pointer(keyword)}`
    const patterns: [string, string][] = []
    if (keyword === 'pattern' && typeof value === 'string') patterns.push([at, value])
    if (keyword === 'patternProperties' && typeof value === 'object' && value !== null) {
      for (const name of Object.keys(value)) patterns.push([`${at}/${pointer(name)}`, name])
    }
    for (const [where, pattern] of patterns) {
      const reason = patternError(pattern)
      if (reason) return { path: where, message: `pattern "${pattern}" is refused: ${reason}` }
    }
    let children: [string, unknown][] = []
    if (ONE.has(keyword) && !Array.isArray(value)) children = [[at, value]]
    else if (LIST.has(keyword) && Array.isArray(value))
      children = value.map((item, i) => [`${at}/${i}`, item])
    else if (MAP.has(keyword) && typeof value === 'object' && value !== null)
      children = Object.entries(value).map(([name, item]) => [`${at}/${pointer(name)}`, item])
    for (const [where, child] of children) {
      const problem = patternProblem(child, where)
      if (problem) return problem
    }
  }
  return undefined
}
