import fc from 'fast-check'

/** A JSON Schema as the OpenAPI document publishes it (the parts the generator reads). */
export interface JsonSchema {
  type?: string | string[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  enum?: unknown[]
  const?: unknown
  oneOf?: JsonSchema[]
  anyOf?: JsonSchema[]
  minimum?: number
  maximum?: number
  maxItems?: number
  $ref?: string
}

/** Strings that often mean something to the node: ids, DIDs, amounts, currencies, paths. */
const meaningful = fc.constantFrom(
  '',
  'USD',
  '0.01',
  '1',
  '-1',
  '1e9',
  '999999999999999999.999999',
  'text.echo',
  'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
  '../../etc/passwd',
  'http://169.254.169.254/latest/meta-data/',
  '__proto__',
  "' or 1=1 --",
  '\u0000',
  'a'.repeat(300),
)

/** Any JSON value, including awkward ones. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  meaningful,
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -0, 1e308, null, [], {}),
)

/**
 * Values shaped by a schema: mostly the right types within bounds, with the odd unknown field,
 * wrong type or missing property — close enough to valid to reach the handlers.
 */
export function validish(
  schema: JsonSchema | undefined,
  resolve: (ref: string) => JsonSchema | undefined,
  depth = 0,
): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return anyJson
  if (schema.$ref) return validish(resolve(schema.$ref), resolve, depth + 1)
  if (schema.const !== undefined) return fc.constant(schema.const)
  if (schema.enum) return fc.constantFrom(...schema.enum)
  const alternatives = schema.oneOf ?? schema.anyOf
  if (alternatives) return fc.oneof(...alternatives.map((s) => validish(s, resolve, depth + 1)))
  const type: string = (Array.isArray(schema.type) ? schema.type[0] : schema.type) ?? 'any'
  const shaped = ((): fc.Arbitrary<unknown> => {
    switch (type) {
      case 'object': {
        const properties = schema.properties ?? {}
        const model: Record<string, fc.Arbitrary<unknown>> = {}
        for (const [name, property] of Object.entries(properties)) {
          model[name] = validish(property, resolve, depth + 1)
        }
        const required = (schema.required ?? []).filter((name) => name in model)
        return fc.record(model, { requiredKeys: required })
      }
      case 'array':
        return fc.array(validish(schema.items, resolve, depth + 1), {
          maxLength: Math.min(schema.maxItems ?? 3, 3),
        })
      case 'string':
        return fc.oneof(meaningful, fc.string({ maxLength: 40 }))
      case 'integer':
        return fc.integer({
          min: Math.max(schema.minimum ?? -1e6, -1e9),
          max: Math.min(schema.maximum ?? 1e6, 1e9),
        })
      case 'number':
        return fc.double({
          min: schema.minimum ?? -1e6,
          max: schema.maximum ?? 1e6,
          noNaN: true,
        })
      case 'boolean':
        return fc.boolean()
      default:
        return anyJson
    }
  })()
  // One value in eight is the wrong thing entirely.
  return fc.oneof({ arbitrary: shaped, weight: 7 }, { arbitrary: anyJson, weight: 1 })
}

/** A request body: schema-shaped JSON, schema-shaped JSON plus an unknown field, or garbage. */
export function bodyFor(
  schema: JsonSchema | undefined,
  resolve: (ref: string) => JsonSchema | undefined,
): fc.Arbitrary<string> {
  const shaped = validish(schema, resolve).map((value) => JSON.stringify(value) ?? 'null')
  const extra = fc
    .tuple(validish(schema, resolve), fc.string({ minLength: 1, maxLength: 12 }), anyJson)
    .map(([value, key, v]) =>
      JSON.stringify(
        value !== null && typeof value === 'object' && !Array.isArray(value)
          ? { ...value, [key]: v }
          : value,
      ),
    )
  const garbage = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.constantFrom(
      '{',
      '{"a":',
      '[1,2',
      '\u0000',
      '{"__proto__":{"admin":true}}',
      '1'.repeat(400),
    ),
    fc.integer({ min: 1, max: 200 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  )
  return fc.oneof(
    { arbitrary: shaped, weight: 5 },
    { arbitrary: extra, weight: 2 },
    { arbitrary: garbage, weight: 2 },
  )
}
