import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ratingBodySchema, ratingToWire } from '../../src/api/routes/reputation-routes.js'
import { createValidators } from '../../src/api/validation.js'
import type { RunningNode } from '../../src/node.js'
import { get, startTestNode } from '../helpers/test-node.js'

describe('reputation over HTTP', () => {
  let node: RunningNode
  let mesh: Mesh
  const agent = generateKeyPair().did
  const url = (path: string) => `${node.url}/v1/agents/${encodeURIComponent(agent)}${path}`

  beforeAll(async () => {
    node = await startTestNode()
    mesh = await Mesh.connect(node.url, { key: generateKeyPair() })
  })
  afterAll(async () => {
    await mesh.close()
    await node.stop()
  })

  it('answers 401 without a token', async () => {
    expect((await get(url('/reputation'))).status).toBe(401)
  })

  it('answers the prior for an agent without evidence', async () => {
    const { status, body } = await get(url('/reputation'), mesh.token)
    expect(status).toBe(200)
    expect(body).toMatchObject({
      agentId: agent,
      capabilityId: null,
      score: 3.5,
      stats: { calls: 0, successRate: null, latencyMs: { p50: null, p95: null }, uptime: null },
      explanation: { prior: { mean: 3.5, strength: 5 } },
    })
    expect(body.explanation.text).toContain('Score 3.5 of 5')
  })

  it('serves stats, score and explanation for the agent and for one capability', async () => {
    const atMs = Date.now()
    for (let i = 0; i < 4; i++) {
      await node.reputation.recordOutcome({
        taskId: `t${i}`,
        agentId: agent,
        capabilityId: i === 3 ? 'text.summary' : 'text.sentiment',
        requester: 'did:key:requester',
        result: i === 2 ? 'failed' : 'completed',
        latencyMs: 100 * (i + 1),
        paidMicros: 1_000n,
        currency: 'USD',
        atMs,
      })
    }
    const all = await get(url('/reputation'), mesh.token)
    expect(all.body.stats).toMatchObject({
      calls: 4,
      successes: 3,
      failures: 1,
      successRate: 0.75,
      latencyMs: { p50: 200, p95: 400 },
      lastOutcomeAt: new Date(atMs).toISOString(),
    })
    expect(all.body.score).toBeCloseTo((5 * 3.5 + 15) / 9, 4)
    const components = all.body.explanation.components as Array<{ name: string }>
    expect(components.map((c) => c.name)).toEqual(['prior', 'outcomes', 'ratings'])
    const one = await get(url('/reputation?capability=text.summary'), mesh.token)
    expect(one.body).toMatchObject({ capabilityId: 'text.summary', stats: { calls: 1 } })
    const viaSdk = await mesh.reputation(agent, { capability: 'text.summary' })
    // Time passes between the two reads, so the score may differ in its last digits.
    expect(viaSdk.stats).toEqual(one.body.stats)
    expect(viaSdk.score).toBeCloseTo(one.body.score as number, 4)
  })

  it('rejects a malformed capability and unknown query fields', async () => {
    const bad = await get(url('/reputation?capability=Not%20A%20Capability'), mesh.token)
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT' } } })
    const unknown = await get(url('/reputation?sort=desc'), mesh.token)
    expect(unknown).toMatchObject({ status: 400, body: { error: { code: 'UNKNOWN_FIELD' } } })
  })

  it('publishes the route in the OpenAPI document', async () => {
    const openapi = await get(`${node.url}/openapi.json`)
    expect(Object.keys(openapi.body.paths)).toContain('/v1/agents/{id}/reputation')
  })

  it('exports the rating body schema and wire form the task flow needs', () => {
    const validate = createValidators().body.compile(ratingBodySchema)
    expect(validate({ stars: 4 })).toBe(true)
    for (const body of [{ stars: 0 }, { stars: 6 }, { stars: 2.5 }, { stars: '5' }, {}]) {
      expect(validate(body)).toBe(false)
    }
    expect(validate({ stars: 5, comment: 'great' })).toBe(false)
    expect(
      ratingToWire({
        taskId: 't',
        rater: 'did:key:r',
        agentId: 'did:key:a',
        capabilityId: 'text.sentiment',
        stars: 5,
        paidMicros: 1_500n,
        currency: 'USD',
        weight: 1.2,
        atMs: 0,
      }),
    ).toEqual({
      taskId: 't',
      agentId: 'did:key:a',
      capabilityId: 'text.sentiment',
      stars: 5,
      weight: 1.2,
      paid: { amount: '0.0015', currency: 'USD' },
      ratedAt: '1970-01-01T00:00:00.000Z',
    })
  })
})
