import { MeshError } from '@agentmesh/protocol'
import type { Dataset } from './dataset.js'
import type { Evaluation, Model, ModelSpec, TrainConfig, TrainResult } from './model.js'
import { manifestSize, type ParamManifest } from './params.js'
import { createRng, shuffle } from './random.js'

/** Where each layer's weights (`inputs × outputs`, row-major) and biases sit in the flat vector. */
interface Layer {
  inputs: number
  outputs: number
  weights: number
  biases: number
}

function layout(widths: number[]): { layers: Layer[]; manifest: ParamManifest } {
  const layers: Layer[] = []
  const manifest: ParamManifest = []
  let offset = 0
  for (let l = 0; l + 1 < widths.length; l++) {
    const inputs = widths[l]!
    const outputs = widths[l + 1]!
    layers.push({ inputs, outputs, weights: offset, biases: offset + inputs * outputs })
    manifest.push({ name: `dense${l}.weight`, shape: [inputs, outputs] })
    manifest.push({ name: `dense${l}.bias`, shape: [outputs] })
    offset += inputs * outputs + outputs
  }
  return { layers, manifest }
}

function checkTrainConfig(config: TrainConfig): void {
  const positive = (name: string, value: number, integer: boolean): void => {
    if (!(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
      throw new MeshError('INVALID_INPUT', `Training ${name} ${value} is not a positive number`)
    }
  }
  positive('epochs', config.epochs, true)
  positive('batch size', config.batchSize, true)
  positive('learning rate', config.learningRate, false)
  const momentum = config.momentum ?? 0
  if (!(momentum >= 0 && momentum < 1)) {
    throw new MeshError('INVALID_INPUT', `Training momentum ${momentum} is not in [0, 1)`)
  }
  for (const [name, value] of [
    ['proximal mu', config.proximalMu],
    ['weight decay', config.weightDecay],
  ] as const) {
    if (value !== undefined && !(value >= 0 && Number.isFinite(value))) {
      throw new MeshError('INVALID_INPUT', `Training ${name} ${value} is not a non-negative number`)
    }
  }
}

/**
 * A fully connected network with ReLU between layers and a softmax output, trained on cross-entropy;
 * with no hidden layer it is multinomial logistic regression.
 */
export function createDenseNetwork(spec: ModelSpec, widths: number[]): Model {
  const { layers, manifest } = layout(widths)
  const size = manifestSize(manifest)
  // Activations per layer (the input's copy first) and the error flowing back, reused per example.
  const activations = widths.map((width) => new Float64Array(width))
  const errors = widths.map((width) => new Float64Array(width))

  const checkParams = (params: Float32Array): void => {
    if (params.length !== size) {
      throw new MeshError('INVALID_INPUT', `Model has ${size} parameters, not ${params.length}`)
    }
  }
  const checkData = (data: Dataset): void => {
    if (data.inputs !== spec.inputs || data.classes !== spec.classes) {
      throw new MeshError(
        'INVALID_INPUT',
        `Data of ${data.inputs} inputs and ${data.classes} classes does not fit the model`,
      )
    }
    if (data.labels.some((label) => !(label >= 0 && label < spec.classes))) {
      throw new MeshError('INVALID_INPUT', "A label is out of the model's classes")
    }
  }

  /** Runs one example forward; returns its cross-entropy and leaves the softmax in the last layer. */
  const forward = (params: Float32Array, data: Dataset, example: number): number => {
    const input = activations[0]!
    for (let i = 0; i < spec.inputs; i++) input[i] = data.features[example * spec.inputs + i]!
    layers.forEach((layer, l) => {
      const from = activations[l]!
      const to = activations[l + 1]!
      for (let j = 0; j < layer.outputs; j++) to[j] = params[layer.biases + j]!
      for (let i = 0; i < layer.inputs; i++) {
        const a = from[i]!
        if (a === 0) continue
        const row = layer.weights + i * layer.outputs
        for (let j = 0; j < layer.outputs; j++) to[j] = to[j]! + a * params[row + j]!
      }
      if (l + 1 < layers.length) for (let j = 0; j < layer.outputs; j++) to[j] = Math.max(0, to[j]!)
    })
    const out = activations[layers.length]!
    let max = -Infinity
    for (const value of out) max = Math.max(max, value)
    let total = 0
    for (let j = 0; j < out.length; j++) {
      out[j] = Math.exp(out[j]! - max)
      total += out[j]!
    }
    for (let j = 0; j < out.length; j++) out[j] = out[j]! / total
    return -Math.log(Math.max(out[data.labels[example]!]!, 1e-12))
  }

  /** Adds one example's gradient (after `forward`) to `grad`. */
  const backward = (params: Float32Array, label: number, grad: Float64Array): void => {
    const top = errors[layers.length]!
    top.set(activations[layers.length]!)
    top[label] = top[label]! - 1
    for (let l = layers.length - 1; l >= 0; l--) {
      const layer = layers[l]!
      const from = activations[l]!
      const error = errors[l + 1]!
      const below = errors[l]!
      for (let j = 0; j < layer.outputs; j++)
        grad[layer.biases + j] = grad[layer.biases + j]! + error[j]!
      for (let i = 0; i < layer.inputs; i++) {
        const row = layer.weights + i * layer.outputs
        const a = from[i]!
        let back = 0
        for (let j = 0; j < layer.outputs; j++) {
          grad[row + j] = grad[row + j]! + a * error[j]!
          back += params[row + j]! * error[j]!
        }
        below[i] = l > 0 && a > 0 ? back : 0
      }
    }
  }

  const init = (): Float32Array => {
    const rng = createRng(spec.seed)
    const params = new Float32Array(size)
    for (const layer of layers) {
      const scale = Math.sqrt(2 / (layer.inputs + layer.outputs))
      for (let k = 0; k < layer.inputs * layer.outputs; k++)
        params[layer.weights + k] = rng.normal() * scale
    }
    return params
  }

  const train = (start: Float32Array, data: Dataset, config: TrainConfig): TrainResult => {
    checkParams(start)
    checkData(data)
    checkTrainConfig(config)
    const params = Float32Array.from(start)
    const velocity = new Float64Array(size)
    const grad = new Float64Array(size)
    const momentum = config.momentum ?? 0
    const mu = config.proximalMu ?? 0
    const decay = config.weightDecay ?? 0
    const rng = createRng(config.seed)
    const order = Array.from({ length: data.labels.length }, (_, i) => i)
    let loss = 0
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      shuffle(order, rng)
      loss = 0
      for (let first = 0; first < order.length; first += config.batchSize) {
        const batch = order.slice(first, first + config.batchSize)
        grad.fill(0)
        for (const example of batch) {
          loss += forward(params, data, example)
          backward(params, data.labels[example]!, grad)
        }
        for (let k = 0; k < size; k++) {
          const g = grad[k]! / batch.length + mu * (params[k]! - start[k]!) + decay * params[k]!
          velocity[k] = momentum * velocity[k]! + g
          params[k] = params[k]! - config.learningRate * velocity[k]!
        }
      }
      loss /= Math.max(order.length, 1)
    }
    return { params, examples: data.labels.length, loss }
  }

  const evaluate = (params: Float32Array, data: Dataset): Evaluation => {
    const predictions = predict(params, data)
    let loss = 0
    let right = 0
    for (let example = 0; example < data.labels.length; example++) {
      loss += forward(params, data, example)
      if (predictions[example] === data.labels[example]) right++
    }
    const examples = data.labels.length
    return {
      accuracy: examples === 0 ? 0 : right / examples,
      loss: examples === 0 ? 0 : loss / examples,
      examples,
    }
  }

  const predict = (params: Float32Array, data: Dataset): Int32Array => {
    checkParams(params)
    checkData(data)
    const predictions = new Int32Array(data.labels.length)
    for (let example = 0; example < data.labels.length; example++) {
      forward(params, data, example)
      const out = activations[layers.length]!
      let best = 0
      for (let j = 1; j < out.length; j++) if (out[j]! > out[best]!) best = j
      predictions[example] = best
    }
    return predictions
  }

  return { spec, manifest, size, init, train, evaluate, predict }
}
