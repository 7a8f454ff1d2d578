import { MeshError } from '@agentmesh/protocol'
import { createRng, shuffle, type Rng } from './random.js'

/** Labelled examples: `features` holds one row of `inputs` numbers per example, row-major. */
export interface Dataset {
  inputs: number
  classes: number
  features: Float32Array
  /** One class index in [0, classes) per example. */
  labels: Int32Array
}

/** A data set's examples at the given indices, in that order. */
export function subset(data: Dataset, indices: readonly number[]): Dataset {
  const features = new Float32Array(indices.length * data.inputs)
  const labels = new Int32Array(indices.length)
  indices.forEach((index, row) => {
    features.set(
      data.features.subarray(index * data.inputs, (index + 1) * data.inputs),
      row * data.inputs,
    )
    labels[row] = data.labels[index]!
  })
  return { inputs: data.inputs, classes: data.classes, features, labels }
}

/** The examples of several data sets of the same shape, one after the other. */
export function concat(parts: readonly Dataset[]): Dataset {
  const first = parts[0]
  if (first === undefined) throw new MeshError('INVALID_INPUT', 'No data sets to concatenate')
  const count = parts.reduce((sum, part) => sum + part.labels.length, 0)
  const features = new Float32Array(count * first.inputs)
  const labels = new Int32Array(count)
  let row = 0
  for (const part of parts) {
    if (part.inputs !== first.inputs || part.classes !== first.classes) {
      throw new MeshError('INVALID_INPUT', 'Data sets to concatenate differ in shape')
    }
    features.set(part.features, row * first.inputs)
    labels.set(part.labels, row)
    row += part.labels.length
  }
  return { inputs: first.inputs, classes: first.classes, features, labels }
}

function indicesByClass(data: Dataset): number[][] {
  const byClass: number[][] = Array.from({ length: data.classes }, () => [])
  data.labels.forEach((label, index) => byClass[label]!.push(index))
  return byClass
}

/**
 * Splits off a held-out share (for validators), stratified by class: about `fraction` of each
 * class goes to `heldOut`, the rest to `train`. Seeded.
 */
export function holdOut(
  data: Dataset,
  fraction: number,
  seed: number,
): { train: Dataset; heldOut: Dataset } {
  if (!(fraction > 0 && fraction < 1)) {
    throw new MeshError('INVALID_INPUT', `Held-out fraction ${fraction} is not in (0, 1)`)
  }
  const rng = createRng(seed)
  const train: number[] = []
  const heldOut: number[] = []
  for (const indices of indicesByClass(data)) {
    shuffle(indices, rng)
    const cut = Math.round(indices.length * fraction)
    heldOut.push(...indices.slice(0, cut))
    train.push(...indices.slice(cut))
  }
  return { train: subset(data, shuffle(train, rng)), heldOut: subset(data, shuffle(heldOut, rng)) }
}

function checkParts(data: Dataset, parts: number): void {
  if (!Number.isInteger(parts) || parts < 1 || parts > data.labels.length) {
    throw new MeshError(
      'INVALID_INPUT',
      `Cannot split ${data.labels.length} examples ${parts} ways`,
    )
  }
}

/** Splits a data set into `parts` shares of near-equal size with examples dealt at random. */
export function splitIid(data: Dataset, parts: number, seed: number): Dataset[] {
  checkParts(data, parts)
  const order = shuffle(
    Array.from({ length: data.labels.length }, (_, i) => i),
    createRng(seed),
  )
  return Array.from({ length: parts }, (_, part) =>
    subset(
      data,
      order.filter((_, i) => i % parts === part),
    ),
  )
}

function dirichlet(rng: Rng, alpha: number, size: number): number[] {
  const draws = Array.from({ length: size }, () => rng.gamma(alpha))
  const total = draws.reduce((sum, draw) => sum + draw, 0)
  return draws.map((draw) => draw / total)
}

/**
 * Splits a data set non-IID across `parts` trainers: each class is dealt in proportions drawn from
 * Dirichlet(α), so a small α (0.5 is the usual choice) gives each trainer a skewed mix of classes.
 * Draws again until every share holds at least `minExamples` examples. Seeded.
 */
export function splitDirichlet(
  data: Dataset,
  parts: number,
  alpha: number,
  seed: number,
  minExamples = 10,
): Dataset[] {
  checkParts(data, parts)
  if (!(alpha > 0)) throw new MeshError('INVALID_INPUT', `Dirichlet α ${alpha} is not positive`)
  if (parts * minExamples > data.labels.length) {
    throw new MeshError(
      'INVALID_INPUT',
      `${data.labels.length} examples cannot give ${parts} trainers ${minExamples} each`,
    )
  }
  const rng = createRng(seed)
  const byClass = indicesByClass(data)
  for (let attempt = 0; attempt < 200; attempt++) {
    const shares: number[][] = Array.from({ length: parts }, () => [])
    for (const indices of byClass) {
      const order = shuffle([...indices], rng)
      const proportions = dirichlet(rng, alpha, parts)
      let start = 0
      let cumulative = 0
      proportions.forEach((proportion, part) => {
        cumulative += proportion
        const end = part === parts - 1 ? order.length : Math.round(cumulative * order.length)
        shares[part]!.push(...order.slice(start, end))
        start = end
      })
    }
    if (shares.every((share) => share.length >= minExamples)) {
      return shares.map((share) => subset(data, shuffle(share, rng)))
    }
  }
  throw new MeshError(
    'INVALID_INPUT',
    `No Dirichlet split gives each of ${parts} trainers ${minExamples} examples`,
  )
}

/**
 * Parses the digits CSV (scikit-learn's `digits.csv.gz`, unzipped): 64 pixel counts in 0..16 and
 * the class per line. Pixels are scaled to [0, 1].
 */
export function parseDigitsCsv(text: string): Dataset {
  const lines = text.split('\n').filter((line) => line.trim() !== '')
  const features = new Float32Array(lines.length * 64)
  const labels = new Int32Array(lines.length)
  lines.forEach((line, row) => {
    const values = line.split(',').map(Number)
    if (values.length !== 65 || values.some((value) => !Number.isInteger(value))) {
      throw new MeshError('INVALID_INPUT', `Digits line ${row + 1} is not 65 integers`)
    }
    for (let i = 0; i < 64; i++) features[row * 64 + i] = values[i]! / 16
    labels[row] = values[64]!
  })
  return { inputs: 64, classes: 10, features, labels }
}
