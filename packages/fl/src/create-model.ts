import { MeshError } from '@agentmesh/protocol'
import { createDenseNetwork } from './dense-network.js'
import type { Model, ModelSpec } from './model.js'

const MAX_WIDTH = 4096
const MAX_LAYERS = 8

function checkWidth(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min || value > MAX_WIDTH) {
    throw new MeshError(
      'INVALID_INPUT',
      `Model ${name} ${value} is not an integer in ${min}..${MAX_WIDTH}`,
    )
  }
}

/** Builds a model from its spec; refuses (`INVALID_INPUT`) sizes out of range. */
export function createModel(spec: ModelSpec): Model {
  checkWidth('inputs', spec.inputs, 1)
  checkWidth('classes', spec.classes, 2)
  if (!Number.isFinite(spec.seed))
    throw new MeshError('INVALID_INPUT', 'Model seed is not a number')
  switch (spec.kind) {
    case 'logreg':
      if (spec.hidden !== undefined && spec.hidden.length > 0) {
        throw new MeshError('INVALID_INPUT', 'A logreg model has no hidden layers')
      }
      return createDenseNetwork(spec, [spec.inputs, spec.classes])
    case 'mlp': {
      const hidden = spec.hidden ?? [32]
      if (hidden.length === 0 || hidden.length > MAX_LAYERS) {
        throw new MeshError('INVALID_INPUT', `An mlp has 1..${MAX_LAYERS} hidden layers`)
      }
      hidden.forEach((width) => checkWidth('hidden width', width, 1))
      return createDenseNetwork(spec, [spec.inputs, ...hidden, spec.classes])
    }
    default:
      throw new MeshError(
        'INVALID_INPUT',
        `Unknown model kind "${String((spec as { kind: unknown }).kind)}"`,
      )
  }
}
