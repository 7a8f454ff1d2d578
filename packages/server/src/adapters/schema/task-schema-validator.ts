import { MeshError, sha256, toHex, utf8 } from '@agentmesh/protocol'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import type { TaskValidator } from '../../core/ports/task-validator.js'
import { linearRegExp } from './linear-regexp.js'

/**
 * Validates task inputs and outputs against capability schemas (JSON Schema 2020-12). Each schema
 * compiles in an Ajv instance of its own, so an `$id` one agent declares cannot collide with
 * another's, and its patterns run on a linear-time engine, so none can freeze the node. Compiled
 * validators are cached by a hash of the schema, at most `maxCached` of them.
 */
export class AjvTaskValidator implements TaskValidator {
  readonly #cache = new Map<string, ValidateFunction>()
  /** By the schema object itself: the task flow passes the same capability objects again. */
  readonly #byObject = new WeakMap<object, ValidateFunction>()
  readonly #maxCached: number

  constructor(maxCached = 2048) {
    this.#maxCached = maxCached
  }

  /** Throws 422 SCHEMA_MISMATCH naming the first failing path, or `errorCode` when given. */
  validate(schema: object, value: unknown, what: 'input' | 'output'): void {
    const validate = this.#compiled(schema)
    if (validate(value)) return
    const first = validate.errors?.[0]
    const path = first?.instancePath || '/'
    throw new MeshError(
      'SCHEMA_MISMATCH',
      `Task ${what} at "${path}" ${first?.message ?? 'is invalid'}`,
      {
        details: { path, what, keyword: first?.keyword },
      },
    )
  }

  #compiled(schema: object): ValidateFunction {
    const known = this.#byObject.get(schema)
    if (known) return known
    // Keyed by a hash of the schema's text: the same schema stored twice compiles twice, harmless.
    const key = toHex(sha256(utf8(JSON.stringify(schema))))
    let validate = this.#cache.get(key)
    if (!validate) {
      const ajv = new Ajv2020({
        allErrors: false,
        strict: false,
        strictNumbers: true,
        validateFormats: false,
        validateSchema: false,
        code: { regExp: linearRegExp },
      })
      validate = ajv.compile(schema)
      // Oldest first out: a Map iterates in insertion order.
      if (this.#cache.size >= this.#maxCached) this.#cache.delete(this.#cache.keys().next().value!)
      this.#cache.set(key, validate)
    }
    this.#byObject.set(schema, validate)
    return validate
  }
}
