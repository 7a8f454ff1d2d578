import { closeSync, openSync, readSync } from 'node:fs'
import { readFile } from 'node:fs/promises'

/** The word vectors of `data/word-vectors.bin` (built by `scripts/word-vectors.mjs`). */
export interface WordVectors {
  dimensions: number
  /** Each word's row, the most frequent word first (row 0). */
  rows: Map<string, number>
  /** Row r's vector is `components[r·dimensions … (r+1)·dimensions)` times `scales[r]`. */
  scales: Float32Array
  components: Int8Array
  /** A dimensions × dimensions matrix (row-major) every embedding is multiplied by, if any. */
  projection?: Float32Array
}

const MAGIC = 'AMWV'
const HEADER_BYTES = 20
/** Bit 0 of byte 5: a projection matrix follows the components. */
const HAS_PROJECTION = 1

function header(bytes: Buffer, file: string) {
  if (bytes.length < HEADER_BYTES || bytes.toString('latin1', 0, 4) !== MAGIC || bytes[4] !== 1) {
    throw new Error(`Word vectors file "${file}" is not in the format this node reads`)
  }
  return {
    projected: (bytes[5]! & HAS_PROJECTION) !== 0,
    dimensions: bytes.readUInt16LE(6),
    count: bytes.readUInt32LE(8),
    sourceBytes: bytes.readUInt32LE(12),
    wordBytes: bytes.readUInt32LE(16),
  }
}

/** What the file was built from (package, version, cut): read from its header alone. */
export function wordVectorSource(file: string): string {
  const fd = openSync(file, 'r')
  try {
    const head = Buffer.alloc(HEADER_BYTES)
    readSync(fd, head, 0, HEADER_BYTES, 0)
    const { sourceBytes } = header(head, file)
    const source = Buffer.alloc(sourceBytes)
    readSync(fd, source, 0, sourceBytes, HEADER_BYTES)
    return source.toString('utf8')
  } finally {
    closeSync(fd)
  }
}

/** Reads the whole file: about 5 MB, in tens of milliseconds. */
export async function readWordVectors(file: string): Promise<WordVectors> {
  const bytes = await readFile(file)
  const { projected, dimensions, count, sourceBytes, wordBytes } = header(bytes, file)
  const wordsAt = HEADER_BYTES + sourceBytes
  const words = bytes.toString('utf8', wordsAt, wordsAt + wordBytes).split('\n')
  const scalesAt = Math.ceil((wordsAt + wordBytes) / 4) * 4
  const componentsAt = scalesAt + count * 4
  const projectionAt = Math.ceil((componentsAt + count * dimensions) / 4) * 4
  const end = projected
    ? projectionAt + dimensions * dimensions * 4
    : componentsAt + count * dimensions
  if (words.length !== count || bytes.length !== end) {
    throw new Error(`Word vectors file "${file}" is truncated or inconsistent`)
  }
  // Copied out of the file's buffer: typed arrays need their own aligned memory.
  const scales = new Float32Array(count)
  for (let i = 0; i < count; i++) scales[i] = bytes.readFloatLE(scalesAt + i * 4)
  const components = new Int8Array(count * dimensions)
  components.set(new Int8Array(bytes.buffer, bytes.byteOffset + componentsAt, count * dimensions))
  const rows = new Map(words.map((word, row) => [word, row]))
  if (!projected) return { dimensions, rows, scales, components }
  const projection = new Float32Array(dimensions * dimensions)
  for (let i = 0; i < projection.length; i++) {
    projection[i] = bytes.readFloatLE(projectionAt + i * 4)
  }
  return { dimensions, rows, scales, components, projection }
}
