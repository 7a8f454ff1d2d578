import { generateKeyPair } from '@agentmesh/protocol'
import { defineAgent, Mesh, type Agent, type OfferAnswer } from '@agentmesh/sdk'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { echo, echoCapability } from '../helpers/agents.js'
import { get, startTestNode } from '../helpers/test-node.js'
import { waitUntil } from '../helpers/wait-until.js'

describe('GET /v1/intents/:id?wait=MS', () => {
  let node: RunningNode
  let client: Mesh
  const agents: Agent[] = []

  beforeAll(async () => {
    node = await startTestNode({ grant: { amount: '100', currency: 'USD' } })
    client = await Mesh.connect(node.url, { key: generateKeyPair() })
  })
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.close()))
  })
  afterAll(async () => {
    await client?.close()
    await node?.stop()
  })

  /** An SDK agent serving `capability` that answers intents with `onIntent`. */
  async function provider(
    capability: string,
    onIntent: () => OfferAnswer | Promise<OfferAnswer>,
  ): Promise<void> {
    const agent = defineAgent({
      name: `offers-${capability}`,
      description: 'Answers intents',
      onIntent,
      capabilities: [{ ...echoCapability(capability, '0.02'), handler: echo }],
    })
    await agent.connect(node.url, { key: generateKeyPair() })
    agents.push(agent)
  }

  const quote = (): OfferAnswer => ({ price: '0.02' })

  it('waits for an offer that arrives while it waits, and answers once every asked provider offered', async () => {
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    let asked = 0
    await provider('intents.late', quote)
    await provider('intents.late', async () => {
      asked++
      await released
      return quote()
    })
    const intent = await client.openIntent('intents.late', { maxPrice: '0.05', windowMs: 20_000 })
    // The prompt provider's offer is in; the slow one has been asked and holds its answer back.
    await waitUntil(async () => asked === 1 && (await client.intent(intent.id)).offers.length === 1)
    const waiting = get(`${node.url}/v1/intents/${intent.id}?wait=15000`, client.token)
    let answered = false
    void waiting.then(() => (answered = true))
    // Still waiting after an offer-less round trip of its own.
    expect((await client.intent(intent.id)).offers).toHaveLength(1)
    expect(answered).toBe(false)
    release()
    const { status, body } = await waiting
    expect(status).toBe(200)
    expect(body.offers).toHaveLength(2)
    // It answered as soon as both offered, long before the window closes.
    expect(body.state).toBe('open')
  })

  it('answers when the window closes if a provider never offers', async () => {
    await provider('intents.silent', () => null)
    const intent = await client.openIntent('intents.silent', { maxPrice: '0.05', windowMs: 500 })
    const { status, body } = await get(
      `${node.url}/v1/intents/${intent.id}?wait=15000`,
      client.token,
    )
    expect(status).toBe(200)
    expect(body).toMatchObject({ state: 'closed', offers: [] })
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(intent.closesAt))
  })

  it('answers after `wait` when that comes before the window closes', async () => {
    await provider('intents.short', () => null)
    const intent = await client.openIntent('intents.short', { maxPrice: '0.05', windowMs: 20_000 })
    const startedAt = Date.now()
    const view = await client.intent(intent.id, { wait: 300 })
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(290)
    expect(view).toMatchObject({ state: 'open', offers: [] })
  })

  it('answers at once without wait, and refuses a wait over 30 s or an unknown parameter', async () => {
    await provider('intents.bounds', () => null)
    const intent = await client.openIntent('intents.bounds', { maxPrice: '0.05', windowMs: 20_000 })
    expect((await client.intent(intent.id)).state).toBe('open')
    for (const query of ['wait=30001', 'wait=-1', 'wait=soon', 'timeout=5']) {
      const answer = await get(`${node.url}/v1/intents/${intent.id}?${query}`, client.token)
      expect(answer.status, query).toBe(400)
    }
  })

  it('lists wait in the OpenAPI', async () => {
    const { body } = await get(`${node.url}/openapi.json`)
    const parameters = body.paths['/v1/intents/{id}'].get.parameters as {
      name: string
      in: string
      schema: { maximum: number }
    }[]
    expect(parameters.find((p) => p.in === 'query' && p.name === 'wait')).toMatchObject({
      schema: { maximum: 30_000 },
    })
  })

  it("is the requester's: another principal waiting on it gets 404 at once", async () => {
    await provider('intents.private', () => null)
    const intent = await client.openIntent('intents.private', {
      maxPrice: '0.05',
      windowMs: 20_000,
    })
    const stranger = await Mesh.connect(node.url, { key: generateKeyPair() })
    const answer = await get(`${node.url}/v1/intents/${intent.id}?wait=15000`, stranger.token)
    expect(answer).toMatchObject({ status: 404, body: { error: { code: 'INTENT_NOT_FOUND' } } })
    await stranger.close()
  })
})
