import { Ajv } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'

type AddFormats = (ajv: Ajv) => Ajv
// ajv-formats is CommonJS; under Node's ESM loader its default import is the function itself.
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats

/**
 * Ajv instances for the edge. Bodies are validated strictly: no type coercion (a number is never
 * turned into a money string), unknown fields are errors, never silently dropped, and a number is
 * finite (`1e400` parses to Infinity, which is no number). Query strings and path parameters are
 * text, so they are coerced to the declared types.
 */
export function createValidators(): { body: Ajv; query: Ajv } {
  const common = {
    allErrors: false,
    removeAdditional: false,
    useDefaults: true,
    strict: false,
    strictNumbers: true,
  } as const
  const body = new Ajv({ ...common, coerceTypes: false })
  const query = new Ajv({ ...common, coerceTypes: 'array' })
  addFormats(body)
  addFormats(query)
  return { body, query }
}

/** The schema compiler Fastify uses for every route. */
export function schemaCompiler(validators: {
  body: Ajv
  query: Ajv
}): FastifySchemaCompiler<object> {
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? validators.body : validators.query
    return ajv.compile(schema)
  }
}
