import { generateKeyPair, signJws } from '@agentmesh/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { ExactVectorIndex } from '../../../src/adapters/vector-index/exact-vector-index.js'
import { openStore } from '../../../src/adapters/store/open-store.js'
import type { Embedder, WeightedText } from '../../../src/core/ports/embedder.js'
import type { Store } from '../../../src/core/store.js'
import { agentCard, capability } from '../../helpers/agent-cards.js'
import { registryFixture } from '../../helpers/registry-fixture.js'

/** Words of one meaning share a dimension: a tiny, predictable embedder. */
const MEANINGS = [
  ['translate', 'translates', 'language', 'french', 'english'],
  ['weather', 'forecast', 'rain', 'sunny'],
  ['photo', 'image', 'picture'],
  ['sentiment', 'happy', 'mood'],
]

class MeaningsEmbedder implements Embedder {
  readonly dimensions = MEANINGS.length
  calls = 0
  constructor(readonly model = 'meanings-1') {}
  embed(passages: WeightedText[][]): Promise<Float32Array[]> {
    this.calls += passages.length
    return Promise.resolve(
      passages.map((passage) => {
        const vector = new Float32Array(this.dimensions)
        for (const { text, weight } of passage) {
          for (const word of text.toLowerCase().split(/[^a-z]+/)) {
            const dimension = MEANINGS.findIndex((words) => words.includes(word))
            if (dimension >= 0) vector[dimension]! += weight
          }
        }
        const length = Math.hypot(...vector)
        return length === 0 ? vector : vector.map((x) => x / length)
      }),
    )
  }
}

const weatherCard = (key = generateKeyPair(), version = 1) =>
  agentCard(key, {
    name: 'meteo',
    description: 'Weather',
    version,
    capabilities: [
      capability({ id: 'weather.forecast', description: 'Forecast for a city', tags: [] }),
    ],
  })

describe('MeaningIndex', () => {
  let store: Store | undefined
  afterEach(() => store?.close())

  it('builds from stored embeddings, embedding and storing those missing or of another model', async () => {
    store = await openStore({ kind: 'sqlite', filename: ':memory:' })
    const record = (card: ReturnType<typeof weatherCard>) => ({
      agentId: card.did,
      card,
      jws: '',
      version: 1,
      registeredAtMs: 0,
      updatedAtMs: 0,
      removedAtMs: null,
    })
    const event = (agentId: string) => ({ type: 'registered' as const, agentId, atMs: 0, data: {} })
    const current = new MeaningsEmbedder()
    const cards = [weatherCard(), weatherCard(), weatherCard()]
    const [fresh, stale, bare] = cards
    const vectors = await current.embed([[{ text: 'forecast', weight: 1 }]])
    await store.registry.put(record(fresh!), event(fresh!.did), { model: 'meanings-1', vectors })
    await store.registry.put(record(stale!), event(stale!.did), { model: 'meanings-0', vectors })
    await store.registry.put(record(bare!), event(bare!.did))
    current.calls = 0

    const f = await registryFixture({
      store,
      meaning: { embedder: current, index: new ExactVectorIndex() },
    })
    expect(f.meaning!.size).toBe(3)
    expect(current.calls).toBe(2)
    for (const card of cards) {
      expect(await store.registry.embeddings({ agentId: card.did })).toMatchObject([
        { model: 'meanings-1', vector: vectors[0] },
      ])
    }
  })

  it('follows registrations, updates and removals, and ranks by meaning with both parts explained', async () => {
    const f = await registryFixture({
      meaning: { embedder: new MeaningsEmbedder(), index: new ExactVectorIndex() },
    })
    store = f.store
    const key = generateKeyPair()
    await f.add((k) => weatherCard(k), key)
    await f.add((k) =>
      agentCard(k, {
        name: 'babel',
        description: 'Languages',
        capabilities: [capability({ id: 'text.translate', description: 'Translates text' })],
      }),
    )
    // "sunny" is in no card: found by meaning alone; "text" matches the translator's words.
    const page = await f.discovery.search({ q: 'sunny text', explain: true })
    expect(page.results.map((r) => r.capabilityId)).toEqual(['weather.forecast', 'text.translate'])
    const [weather, translate] = page.results.map((r) => r.explain!.parts.relevance)
    expect(weather!.hybrid).toEqual({
      text: { value: 0, weight: 0.1 },
      vector: { value: 1, weight: 0.9, similarity: 1 },
    })
    expect(weather!.reason).toBe(
      'text match none (weight 0.1); meaning: cosine 1, 100% as close as the closest (weight 0.9)',
    )
    expect(translate!.hybrid).toMatchObject({ text: { value: 1 }, vector: { value: 0 } })

    // The card now means pictures: the index follows the update, then the removal.
    const photos = agentCard(key, {
      name: 'meteo',
      description: 'Sky',
      version: 2,
      capabilities: [capability({ id: 'sky.photo', description: 'Photo of the sky', tags: [] })],
    })
    await f.registry.update(f.callerOf(key), key.did, signJws(photos, key))
    const near = async (word: string) =>
      (await f.meaning!.nearest((await f.meaning!.queryVector(word))!, 5))
        .filter((n) => n.similarity > 0.5)
        .map((n) => n.key)
    expect(await near('rain')).toEqual([])
    expect(await near('picture')).toHaveLength(1)
    await f.registry.remove(f.callerOf(key), key.did)
    expect(await near('picture')).toEqual([])
    expect(f.meaning!.size).toBe(1)
  })

  it('ranks by text alone a query with no word the embedder knows', async () => {
    const f = await registryFixture({
      meaning: { embedder: new MeaningsEmbedder(), index: new ExactVectorIndex() },
    })
    store = f.store
    await f.add((k) => weatherCard(k))
    expect(await f.meaning!.queryVector('zzz')).toBeUndefined()
    const page = await f.discovery.search({ q: 'city', explain: true })
    expect(page.results.map((r) => r.capabilityId)).toEqual(['weather.forecast'])
    expect(page.results[0]!.explain!.parts.relevance).not.toHaveProperty('hybrid')
    expect((await f.discovery.search({ q: 'nothing' })).results).toEqual([])
  })
})
