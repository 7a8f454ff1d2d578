import { MeshError } from '@agentmesh/protocol'

/** What to do when a step fails. */
export type OnFailure = 'stop' | 'continue' | 'skip'

/** One step: a capability (or one agent's), its input template, and what it waits for. */
export interface PipelineStep {
  id: string
  capability: string
  agentId?: string
  /** A template: every `{"$ref": "<JSON Pointer>"}` in it is replaced by the value it points at. */
  input?: unknown
  needs?: string[]
  onFailure?: OnFailure
  timeoutMs?: number
  /** The most this step may cost, e.g. "0.01" (the pipeline's currency). */
  maxPrice?: string
}

export interface PipelineDefinition {
  name?: string
  /** The most the whole run may cost. */
  budget: { amount: string; currency: string }
  steps: PipelineStep[]
}

export const MAX_STEPS = 50

/** JSON Schema of a definition, as the API validates it. */
export const pipelineDefinitionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['budget', 'steps'],
  properties: {
    name: { type: 'string', maxLength: 200 },
    budget: {
      type: 'object',
      additionalProperties: false,
      required: ['amount', 'currency'],
      properties: {
        amount: { type: 'string', pattern: '^(0|[1-9][0-9]{0,17})(\\.[0-9]{1,6})?$' },
        currency: { type: 'string', pattern: '^[A-Z][A-Z0-9]{2,9}$' },
      },
    },
    steps: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_STEPS,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'capability'],
        properties: {
          id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
          capability: { type: 'string', maxLength: 128 },
          agentId: { type: 'string', maxLength: 200 },
          input: {},
          needs: { type: 'array', maxItems: MAX_STEPS, items: { type: 'string', maxLength: 64 } },
          onFailure: { enum: ['stop', 'continue', 'skip'] },
          timeoutMs: { type: 'integer', minimum: 1, maximum: 600_000 },
          maxPrice: { type: 'string', pattern: '^(0|[1-9][0-9]{0,17})(\\.[0-9]{1,6})?$' },
        },
      },
    },
  },
} as const

/** Collects the JSON Pointers a template refers to. */
export function refsOf(template: unknown, found: string[] = []): string[] {
  if (Array.isArray(template)) {
    for (const item of template) refsOf(item, found)
  } else if (template !== null && typeof template === 'object') {
    const ref = (template as { $ref?: unknown }).$ref
    if (typeof ref === 'string' && Object.keys(template).length === 1) found.push(ref)
    else for (const value of Object.values(template)) refsOf(value, found)
  }
  return found
}

const decode = (token: string) => token.replace(/~1/g, '/').replace(/~0/g, '~')

/** Reads a JSON Pointer (RFC 6901); `undefined` when it points at nothing. */
export function resolvePointer(document: unknown, pointer: string): unknown {
  if (pointer === '') return document
  if (!pointer.startsWith('/')) return undefined
  let current: unknown = document
  for (const token of pointer.slice(1).split('/').map(decode)) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, token))
      return undefined
    current = (current as Record<string, unknown>)[token]
  }
  return current
}

/** Fills a template from the run's document (`{input, steps: {id: {output}}}`). */
export function fillTemplate(template: unknown, document: unknown): unknown {
  if (Array.isArray(template)) return template.map((item) => fillTemplate(item, document))
  if (template !== null && typeof template === 'object') {
    const ref = (template as { $ref?: unknown }).$ref
    if (typeof ref === 'string' && Object.keys(template).length === 1) {
      const value = resolvePointer(document, ref)
      if (value === undefined)
        throw new MeshError('INVALID_INPUT', `Nothing at "${ref}"`, { details: { pointer: ref } })
      return value
    }
    return Object.fromEntries(
      Object.entries(template).map(([k, v]) => [k, fillTemplate(v, document)]),
    )
  }
  return template
}

/**
 * Checks what the schema cannot: unique ids, `needs` that name steps, no cycles, and refs that
 * point at the input or at a step the step waits for. Throws 400 naming the problem.
 */
export function checkDefinition(definition: PipelineDefinition): void {
  const ids = new Set<string>()
  for (const step of definition.steps) {
    if (ids.has(step.id)) throw new MeshError('INVALID_INPUT', `Step id "${step.id}" is used twice`)
    ids.add(step.id)
  }
  const byId = new Map(definition.steps.map((s) => [s.id, s]))
  for (const step of definition.steps) {
    for (const need of step.needs ?? []) {
      if (!ids.has(need)) {
        throw new MeshError(
          'INVALID_INPUT',
          `Step "${step.id}" needs "${need}", which is not a step`,
          {
            details: { step: step.id, need },
          },
        )
      }
    }
  }
  // Depth-first search for a cycle, naming its steps in order.
  const state = new Map<string, 'visiting' | 'done'>()
  const path: string[] = []
  const visit = (id: string): void => {
    if (state.get(id) === 'done') return
    if (state.get(id) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(id)), id]
      throw new MeshError('INVALID_INPUT', `Steps form a cycle: ${cycle.join(' -> ')}`, {
        details: { cycle },
      })
    }
    state.set(id, 'visiting')
    path.push(id)
    for (const need of byId.get(id)?.needs ?? []) visit(need)
    path.pop()
    state.set(id, 'done')
  }
  for (const id of ids) visit(id)
  for (const step of definition.steps) {
    const ancestors = ancestorsOf(step.id, byId)
    for (const ref of refsOf(step.input)) {
      const match = /^\/steps\/([^/]+)(\/|$)/.exec(ref)
      if (ref.startsWith('/input') && (ref === '/input' || ref.startsWith('/input/'))) continue
      if (!match || !ancestors.has(decode(match[1]!))) {
        throw new MeshError(
          'INVALID_INPUT',
          `Step "${step.id}" refers to "${ref}": refs point at /input or at a step it needs`,
          { details: { step: step.id, ref } },
        )
      }
    }
  }
}

function ancestorsOf(id: string, byId: Map<string, PipelineStep>): Set<string> {
  const seen = new Set<string>()
  const stack = [...(byId.get(id)?.needs ?? [])]
  while (stack.length > 0) {
    const next = stack.pop()!
    if (seen.has(next)) continue
    seen.add(next)
    stack.push(...(byId.get(next)?.needs ?? []))
  }
  return seen
}
