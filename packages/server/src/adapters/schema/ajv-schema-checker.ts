import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import type { SchemaChecker, SchemaProblem } from '../../core/ports/schema-checker.js'
import { linearRegExp, patternProblem } from './linear-regexp.js'

type AddFormats = (ajv: Ajv2020) => Ajv2020
// ajv-formats is CommonJS; under Node's ESM loader its default import is the function itself.
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats

function problemOf(errors: ErrorObject[] | null | undefined): SchemaProblem {
  const first = errors?.[0]
  if (!first) return { path: '', message: 'invalid' }
  const field =
    first.keyword === 'additionalProperties'
      ? `: unknown field "${String(first.params.additionalProperty)}"`
      : ''
  return { path: first.instancePath, message: `${first.message ?? 'invalid'}${field}` }
}

/**
 * JSON Schema draft 2020-12 through Ajv. Schemas from agents compile in a fresh, strict Ajv
 * instance each time, so nothing they declare (an `$id`, say) stays behind and the cache cannot
 * grow; references are never fetched; their patterns must run on the linear-time engine the task
 * flow validates with. Static schemas of the node compile once.
 */
export class AjvSchemaChecker implements SchemaChecker {
  readonly #trusted = new Ajv2020({ strict: false, allErrors: false })
  readonly #compiled = new WeakMap<object, ValidateFunction>()
  /** Checks schemas against the 2020-12 meta-schema, which compiles once. */
  readonly #meta = new Ajv2020({ strict: true, allErrors: false })

  constructor() {
    addFormats(this.#trusted)
  }

  compileProblem(schema: unknown): SchemaProblem | undefined {
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
      return { path: '', message: 'must be a JSON Schema object' }
    }
    if (!this.#meta.validateSchema(schema)) return problemOf(this.#meta.errors)
    const patterns = patternProblem(schema)
    if (patterns) return patterns
    const ajv = addFormats(
      new Ajv2020({
        strict: true,
        allErrors: false,
        validateSchema: false,
        code: { regExp: linearRegExp },
      }),
    )
    try {
      ajv.compile(schema)
      return undefined
    } catch (error) {
      return { path: '', message: (error as Error).message }
    }
  }

  validationProblem(schema: object, value: unknown): SchemaProblem | undefined {
    let validate = this.#compiled.get(schema)
    if (!validate) {
      validate = this.#trusted.compile(schema)
      this.#compiled.set(schema, validate)
    }
    return validate(value) ? undefined : problemOf(validate.errors)
  }
}
