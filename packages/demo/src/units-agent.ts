import { MeshError } from '@agentmesh/protocol'
import { defineAgent, type Agent } from '@agentmesh/sdk'
import { unit } from 'mathjs'

/** What `units.convert` answers. */
export interface Conversion {
  value: number
  from: string
  to: string
  text: string
}

/** Converts a quantity between units of one dimension (`km` to `mi`, `degF` to `degC`). */
export function convertUnits(value: number, from: string, to: string): Conversion {
  let converted: number
  try {
    converted = unit(value, from).toNumber(to)
  } catch (error) {
    throw new MeshError(
      'INVALID_INPUT',
      `Cannot convert "${from}" to "${to}": ${(error as Error).message}`,
      { cause: error },
    )
  }
  if (!Number.isFinite(converted)) {
    throw new MeshError('INVALID_INPUT', `Converting ${value} "${from}" to "${to}" overflows`)
  }
  const rounded = Number(converted.toPrecision(12))
  return { value: rounded, from, to, text: `${value} ${from} = ${rounded} ${to}` }
}

const unitName = { type: 'string', pattern: '^[A-Za-z0-9 ^/*.()]{1,32}$' } as const

/** An agent that converts units with math.js (length, mass, temperature, speed, volume…). */
export function unitsAgent(): Agent {
  return defineAgent({
    name: 'unit-converter',
    description: 'Converts quantities between units with math.js',
    concurrency: 8,
    capabilities: [
      {
        id: 'units.convert',
        description: 'Converts a value between units of one dimension, e.g. km to mi, degF to degC',
        tags: ['math', 'units', 'conversion'],
        input: {
          type: 'object',
          additionalProperties: false,
          required: ['value', 'from', 'to'],
          properties: { value: { type: 'number' }, from: unitName, to: unitName },
        },
        output: {
          type: 'object',
          additionalProperties: false,
          required: ['value', 'from', 'to', 'text'],
          properties: {
            value: { type: 'number' },
            from: { type: 'string' },
            to: { type: 'string' },
            text: { type: 'string' },
          },
        },
        pricing: { model: 'per_call', amount: '0.0002', currency: 'USD' },
        sla: { timeoutMs: 2000, p95LatencyMs: 20 },
        handler: (input: { value: number; from: string; to: string }) =>
          convertUnits(input.value, input.from, input.to),
      },
    ],
  })
}
