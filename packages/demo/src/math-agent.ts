import { MeshError } from '@agentmesh/protocol'
import { defineAgent, type Agent } from '@agentmesh/sdk'
import * as mathjs from 'mathjs'

/**
 * A math.js instance with arithmetic and common functions only: no `import`, no `range`, no
 * matrix builders, no comparisons — nothing that lets an expression allocate without bound or
 * loop. With assignments refused too (below), every expression runs in time linear in its length.
 */
const allowed = [
  'abs',
  'add',
  'cbrt',
  'ceil',
  'cos',
  'divide',
  'e',
  'exp',
  'factorial',
  'floor',
  'format',
  'log10',
  'log',
  'max',
  'min',
  'mod',
  'multiply',
  'parse',
  'pi',
  'pow',
  'round',
  'sin',
  'sqrt',
  'subtract',
  'tan',
  'unaryMinus',
  'unaryPlus',
] as const
const math = mathjs.create(
  allowed
    .map((name) => mathjs[`${name}Dependencies` as const])
    .filter((factories): factories is mathjs.FactoryFunctionMap => factories !== undefined)
    .reduce<mathjs.FactoryFunctionMap>((all, factories) => ({ ...all, ...factories }), {}),
)

/** What `math.evaluate` answers. */
export interface MathResult {
  expression: string
  /** The value, when it is a finite number. */
  value: number
  /** The value formatted with up to 14 significant digits. */
  text: string
}

const refused = new Set(['AssignmentNode', 'FunctionAssignmentNode', 'BlockNode', 'RangeNode'])

/** Evaluates an arithmetic expression (`2 + 3 * 4`, `sqrt(2) * pi`) to a finite number. */
export function evaluateExpression(expression: string): MathResult {
  let value: unknown
  try {
    const node = math.parse(expression)
    node.traverse((child) => {
      if (refused.has(child.type)) throw new Error(`"${child.toString()}" is not allowed`)
    })
    value = node.compile().evaluate({})
  } catch (error) {
    throw new MeshError(
      'INVALID_INPUT',
      `Cannot evaluate "${expression}": ${(error as Error).message}`,
      { cause: error },
    )
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new MeshError(
      'INVALID_INPUT',
      `Expression "${expression}" does not evaluate to a finite number`,
    )
  }
  return { expression, value, text: math.format(value, { precision: 14 }) }
}

/** An agent that evaluates arithmetic expressions with math.js. */
export function mathAgent(): Agent {
  return defineAgent({
    name: 'calculator',
    description: 'Evaluates arithmetic expressions with math.js',
    concurrency: 8,
    capabilities: [
      {
        id: 'math.evaluate',
        description:
          'Evaluates an arithmetic expression: + - * / ^ %, parentheses, sqrt, log, sin, pi, e…',
        tags: ['math', 'calculator'],
        input: {
          type: 'object',
          additionalProperties: false,
          required: ['expression'],
          properties: { expression: { type: 'string', minLength: 1, maxLength: 500 } },
        },
        output: {
          type: 'object',
          additionalProperties: false,
          required: ['expression', 'value', 'text'],
          properties: {
            expression: { type: 'string' },
            value: { type: 'number' },
            text: { type: 'string' },
          },
        },
        pricing: { model: 'per_call', amount: '0.0003', currency: 'USD' },
        sla: { timeoutMs: 2000, p95LatencyMs: 20 },
        handler: ({ expression }: { expression: string }) => evaluateExpression(expression),
      },
    ],
  })
}
