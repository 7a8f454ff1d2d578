import { canonicalize, MeshError } from '@agentmesh/protocol'
import type { SchemaChecker } from '../ports/schema-checker.js'

/** Parameter names that look like credentials: a template never asks for those. */
const SECRET_NAME = /(key|secret|token|passw|credential|auth|private|cookie|session|bearer)/i
const MAX_SCHEMA_BYTES = 16 * 1024
const MAX_PARAMS_BYTES = 16 * 1024
const MAX_DEPTH = 8

function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0
  let deepest = 0
  for (const child of Object.values(value)) deepest = Math.max(deepest, depthOf(child))
  return 1 + deepest
}

/** Every property name a schema declares, at any depth. */
function propertyNames(schema: unknown, path: string, out: { name: string; path: string }[]): void {
  if (typeof schema !== 'object' || schema === null) return
  for (const [key, value] of Object.entries(schema as Record<string, unknown>)) {
    if (key === 'properties' && typeof value === 'object' && value !== null) {
      for (const name of Object.keys(value)) out.push({ name, path: `${path}/properties/${name}` })
    }
    propertyNames(value, `${path}/${key}`, out)
  }
}

/**
 * Checks a template's parameter schema: an object schema, small and shallow, that compiles, and
 * names no parameter like a key, secret, token or password (a template's parameters are visible
 * to its code and stored with the deployment: credentials do not belong there).
 */
export function checkParamsSchema(
  schema: unknown,
  schemas: SchemaChecker,
): Record<string, unknown> {
  const invalid = (message: string, path = '/paramsSchema') =>
    new MeshError('SCHEMA_INVALID', message, { details: { path } })
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw invalid('The parameters schema must be a JSON Schema object')
  }
  if ((schema as { type?: unknown }).type !== 'object') {
    throw invalid('The parameters schema must have "type": "object"', '/paramsSchema/type')
  }
  if (canonicalize(schema).length > MAX_SCHEMA_BYTES || depthOf(schema) > MAX_DEPTH * 2) {
    throw invalid(`The parameters schema is larger than ${MAX_SCHEMA_BYTES} bytes or too deep`)
  }
  const names: { name: string; path: string }[] = []
  propertyNames(schema, '/paramsSchema', names)
  const secret = names.find((n) => SECRET_NAME.test(n.name))
  if (secret) {
    throw new MeshError(
      'INVALID_INPUT',
      `Parameter "${secret.name}" looks like a credential: templates take no keys, secrets or tokens`,
      { details: { path: secret.path } },
    )
  }
  const problem = schemas.compileProblem(schema)
  if (problem) throw invalid(`The parameters schema does not compile: ${problem.message}`)
  return schema as Record<string, unknown>
}

/** Checks a deployment's parameters against the template's schema, within size and depth. */
export function checkParams(
  params: unknown,
  schema: Record<string, unknown>,
  schemas: SchemaChecker,
): Record<string, unknown> {
  const mismatch = (message: string, path = '/params') =>
    new MeshError('PARAMS_MISMATCH', message, { details: { path } })
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw mismatch('Parameters must be a JSON object')
  }
  if (depthOf(params) > MAX_DEPTH) throw mismatch(`Parameters nest deeper than ${MAX_DEPTH} levels`)
  if (canonicalize(params).length > MAX_PARAMS_BYTES) {
    throw mismatch(`Parameters are larger than ${MAX_PARAMS_BYTES} bytes`)
  }
  const problem = schemas.validationProblem(schema, params)
  if (problem) {
    throw mismatch(`Parameters at "${problem.path}" ${problem.message}`, `/params${problem.path}`)
  }
  return params as Record<string, unknown>
}
