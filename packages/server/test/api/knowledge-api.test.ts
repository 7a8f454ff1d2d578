/**
 * The knowledge graph through HTTP and the SDK: two agents of different reputations assert
 * conflicting facts and a query ranks the better-reputed first, with provenance; tasks that read
 * facts move their usage; forged assertions are refused and write nothing; paths and limits.
 */
import {
  generateKeyPair,
  MeshError,
  signFact,
  verifyFact,
  type Capability,
  type FactView,
  type KeyPair,
} from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { agentsOfTest, echo, echoCapability } from '../helpers/agents.js'
import { get, post, startTestNode } from '../helpers/test-node.js'
import { waitUntil } from '../helpers/wait-until.js'

async function refusal(promise: Promise<unknown>): Promise<MeshError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(MeshError)
  return error as MeshError
}

const paris = { subject: 'paris', relation: 'capital_of' }

/** A capability whose output carries signed facts in `facts`. */
const factsCapability: Capability = {
  ...echoCapability('kg.facts'),
  outputFacts: 'facts',
  output: {
    type: 'object',
    required: ['text'],
    properties: { text: { type: 'string' }, facts: { type: 'array' } },
  },
}

describe('the knowledge graph over HTTP and the SDK', () => {
  let node: RunningNode
  let client: Mesh
  let admin: Mesh
  const agents = agentsOfTest()
  const keys: Record<'good' | 'bad', KeyPair> = { good: generateKeyPair(), bad: generateKeyPair() }
  const as: Partial<Record<'good' | 'bad', Mesh>> = {}

  const query = async (filter: Record<string, string>) =>
    (await client.knowledge.query(filter)).facts

  beforeAll(async () => {
    node = await startTestNode({
      grant: { amount: '10', currency: 'USD' },
      knowledge: { maxFactsPerAgent: 7, maxPathNodes: 5 },
    })
    client = await Mesh.connect(node.url, { key: generateKeyPair() })
    admin = await Mesh.connect(node.url, { token: node.adminToken })
    // The good agent completes its tasks, the bad one fails them: their reputations part.
    await agents.start(node.url, echoCapability('kg.good'), echo, { key: keys.good })
    await agents.start(
      node.url,
      echoCapability('kg.bad'),
      () => {
        throw new MeshError('INVALID_INPUT', 'Refused')
      },
      { key: keys.bad },
    )
    for (let i = 0; i < 3; i++) {
      expect(
        (await client.submit('kg.good', { text: 'x' }, { maxPrice: '0.01', wait: 10_000 })).state,
      ).toBe('completed')
      expect(
        (await client.submit('kg.bad', { text: 'x' }, { maxPrice: '0.01', wait: 10_000 })).state,
      ).toBe('failed')
    }
    await waitUntil(
      async () =>
        (await client.reputation(keys.good.did)).stats.calls === 3 &&
        (await client.reputation(keys.bad.did)).stats.calls === 3,
      { what: 'both agents to have three outcomes' },
    )
    for (const name of ['good', 'bad'] as const) {
      as[name] = await Mesh.connect(node.url, { key: keys[name], roles: ['agent'] })
    }
  })
  afterAll(async () => {
    await agents.closeAll()
    for (const mesh of [client, admin, as.good, as.bad]) await mesh?.close()
    await node?.stop()
  })

  it("ranks two agents' conflicting facts by reputation first, each with its provenance", async () => {
    const good = await as.good!.knowledge.assert({ ...paris, object: 'france', confidence: 0.6 })
    expect(good.facts).toEqual([{ id: expect.stringMatching(/^fact_/), created: true }])
    await as.bad!.knowledge.assert([
      { ...paris, object: 'germany', confidence: 0.95 },
      { ...paris, object: 'france', confidence: 0.99 },
    ])
    const facts = await query(paris)
    expect(facts.map((f) => [f.provenance.agent, f.object, f.confidence])).toEqual([
      [keys.good.did, 'france', 0.6],
      [keys.bad.did, 'france', 0.99],
      [keys.bad.did, 'germany', 0.95],
    ])
    const [best, worse] = facts
    expect(best!.provenance.reputation).toBeGreaterThan(worse!.provenance.reputation)
    expect(best!.provenance.reputation).toBeCloseTo(
      (await client.reputation(keys.good.did)).score,
      6,
    )
    expect(best).toMatchObject({
      id: good.facts[0]!.id,
      provenance: { taskId: null, assertedAt: expect.any(String) },
      usage: { reads: 1, tasks: 0, effectiveness: null, ratings: { count: 0, average: null } },
    })
    // Anyone can check a fact's signature offline from what the query answers.
    for (const fact of facts) expect(() => verifyFact(assertionOf(fact))).not.toThrow()
    expect(() => verifyFact({ ...assertionOf(best!), confidence: 0.61 })).toThrow(/does not verify/)
  })

  it('counts reads, and the outcomes and ratings of the tasks that read facts', async () => {
    await agents.start(node.url, echoCapability('kg.reader'), async (input, ctx) => {
      const page = await ctx.knowledge.query({ subject: input.text, relation: 'capital_of' })
      return { text: page.facts[0]?.object ?? 'none' }
    })
    await agents.start(node.url, echoCapability('kg.reader.fails'), async (input, ctx) => {
      await ctx.knowledge.query({ subject: input.text, relation: 'capital_of' })
      throw new MeshError('INVALID_INPUT', 'Read, then failed')
    })
    const before = await query(paris)
    const task = await client.submit(
      'kg.reader',
      { text: 'paris' },
      { maxPrice: '0.01', wait: 10_000 },
    )
    expect(task.output).toEqual({ text: 'france' })
    await waitUntil(async () => (await query(paris)).every((f) => f.usage.completed === 1), {
      what: "the reader's outcome on the facts it read",
    })
    await client.rate(task.id, 5)
    const failed = await client.submit(
      'kg.reader.fails',
      { text: 'paris' },
      { maxPrice: '0.01', wait: 10_000 },
    )
    expect(failed.state).toBe('failed')
    await waitUntil(async () => (await query(paris)).every((f) => f.usage.failed === 1), {
      what: "the failed reader's outcome",
    })
    const after = await query(paris)
    for (const [i, fact] of after.entries()) {
      expect(fact.usage).toMatchObject({
        tasks: 2,
        completed: 1,
        failed: 1,
        effectiveness: 0.5,
        ratings: { count: 1, average: 5 },
      })
      // Each query answered it once, the two tasks' reads included.
      expect(fact.usage.reads).toBeGreaterThanOrEqual(before[i]!.usage.reads + 4)
    }
  })

  it('refuses forged assertions, writing nothing, and audits the refusal', async () => {
    const fact = { subject: 'forged', relation: 'is', object: 'true', confidence: 1 }
    const send = (mesh: Mesh, facts: unknown[]) =>
      post(`${node.url}/v1/knowledge`, { facts }, { authorization: `Bearer ${mesh.token}` })
    // The bad agent claims the good agent's name for a fact it signs itself.
    const claimed = { ...signFact(fact, keys.bad), agent: keys.good.did }
    const impostor = await send(as.bad!, [claimed])
    expect(impostor.status).toBe(401)
    expect(impostor.body.error.code).toBe('SIGNATURE_INVALID')
    // A genuine fact of the good agent, replayed by the bad one.
    const replayed = await send(as.bad!, [signFact(fact, keys.good)])
    expect(replayed.status).toBe(403)
    expect(replayed.body.error).toMatchObject({
      code: 'FACT_SIGNER_MISMATCH',
      details: { index: 0 },
    })
    // A good fact and a tampered one: neither is stored.
    const tampered = { ...signFact({ ...fact, object: 'other' }, keys.bad), confidence: 0.5 }
    const mixed = await send(as.bad!, [signFact(fact, keys.bad), tampered])
    expect(mixed.body.error).toMatchObject({ code: 'SIGNATURE_INVALID', details: { index: 1 } })
    // A task the agent never worked on.
    const foreign = await send(as.bad!, [signFact(fact, keys.bad, 'task_0000000000_nothing')])
    expect(foreign.body.error.code).toBe('FACT_SIGNER_MISMATCH')
    expect(await query({ subject: 'forged' })).toEqual([])
    // Only agents assert.
    const clientKey = generateKeyPair()
    const plain = await Mesh.connect(node.url, { key: clientKey })
    expect((await refusal(plain.knowledge.assert(fact))).code).toBe('FORBIDDEN')
    await plain.close()
    const audit = await admin.auditEntries({ action: 'knowledge.assert', actor: keys.bad.did })
    const denied = audit.entries.filter((e) => e.result === 'denied')
    expect(denied.map((e) => (e.details as { code: string }).code)).toEqual([
      'SIGNATURE_INVALID',
      'FACT_SIGNER_MISMATCH',
      'SIGNATURE_INVALID',
      'FACT_SIGNER_MISMATCH',
    ])
  })

  it('stores facts a task asserts or returns, bound to that task', async () => {
    const learner = await agents.start(
      node.url,
      echoCapability('kg.learner'),
      async (input, ctx) => {
        await ctx.knowledge.assert({
          subject: input.text,
          relation: 'seen_by',
          object: 'learner',
          confidence: 0.8,
        })
        return { text: 'ok' }
      },
    )
    const returner = await agents.start(node.url, factsCapability, (input, ctx) => ({
      text: 'ok',
      facts: [
        ctx.knowledge.sign({
          subject: input.text,
          relation: 'returned_by',
          object: 'returner',
          confidence: 0.7,
        }),
        // Not this agent's: skipped.
        signFact(
          { subject: input.text, relation: 'returned_by', object: 'other', confidence: 1 },
          generateKeyPair(),
          ctx.taskId,
        ),
      ],
    }))
    const asserted = await client.submit(
      'kg.learner',
      { text: 'lyon' },
      { maxPrice: '0.01', wait: 10_000 },
    )
    const returned = await client.submit(
      'kg.facts',
      { text: 'lyon' },
      { maxPrice: '0.01', wait: 10_000 },
    )
    expect([asserted.state, returned.state], JSON.stringify(asserted.error)).toEqual([
      'completed',
      'completed',
    ])
    await waitUntil(async () => (await query({ subject: 'lyon' })).length === 2, {
      what: "the returned task's facts",
    })
    const facts = await query({ subject: 'lyon' })
    expect(facts.map((f) => [f.relation, f.provenance.agent, f.provenance.taskId]).sort()).toEqual([
      ['returned_by', returner.key.did, returned.id],
      ['seen_by', learner.key.did, asserted.id],
    ])
    const audit = await admin.auditEntries({ action: 'knowledge.assert', actor: returner.key.did })
    expect(audit.entries.at(-1)?.details).toMatchObject({ source: 'output', facts: 1, skipped: 1 })
  })

  it('reads for a task only by the agent working on it, while it runs', async () => {
    const finished = await client.submit(
      'kg.good',
      { text: 'x' },
      { maxPrice: '0.01', wait: 10_000 },
    )
    const byClient = await refusal(client.knowledge.query({ ...paris, taskId: finished.id }))
    expect(byClient.code).toBe('TASK_NOT_FOUND')
    const byAgent = await refusal(as.good!.knowledge.query({ ...paris, taskId: finished.id }))
    expect(byAgent.code).toBe('TASK_FINISHED')
  })

  it('finds the shortest paths along facts, within hops', async () => {
    await as.good!.knowledge.assert([
      { subject: 'a', relation: 'to', object: 'b', confidence: 1 },
      { subject: 'b', relation: 'to', object: 'c', confidence: 1 },
      { subject: 'c', relation: 'to', object: 'd', confidence: 1 },
      { subject: 'a', relation: 'near', object: 'x', confidence: 0.5 },
      { subject: 'x', relation: 'near', object: 'd', confidence: 0.5 },
    ])
    const found = await client.knowledge.paths('a', 'd')
    expect(found).toMatchObject({ from: 'a', to: 'd', maxHops: 3, truncated: false })
    expect(found.paths.map((p) => p.map((h) => `${h.subject}-${h.relation}->${h.object}`))).toEqual(
      [['a-near->x', 'x-near->d']],
    )
    expect(found.paths[0]![0]).toMatchObject({ agent: keys.good.did, confidence: 0.5 })
    expect((await client.knowledge.paths('a', 'd', { maxHops: 1 })).paths).toEqual([])
    expect((await client.knowledge.paths('d', 'a')).paths).toEqual([])
    const [hop] = await query({ subject: 'a', relation: 'near' })
    expect(hop!.usage.reads).toBe(2)
  })

  it('keeps to its limits', async () => {
    // The good agent holds 6 facts of its 7: two new ones are refused, neither stored.
    const two = ['y1', 'y2'].map((object) => ({
      subject: 'z',
      relation: 'to',
      object,
      confidence: 1,
    }))
    expect((await refusal(as.good!.knowledge.assert(two))).code).toBe('KNOWLEDGE_LIMIT_REACHED')
    expect(await query({ subject: 'z' })).toEqual([])
    // A held fact asserted again does not count again; one new one fits.
    await as.good!.knowledge.assert([
      { subject: 'a', relation: 'to', object: 'b', confidence: 0.9 },
      two[0]!,
    ])
    expect((await refusal(as.good!.knowledge.assert(two[1]!))).code).toBe('KNOWLEDGE_LIMIT_REACHED')
    // A hub with more neighbours than the node lets a path search reach (5 nodes).
    await as.bad!.knowledge.assert(
      ['n1', 'n2', 'n3', 'n4', 'n5'].map((object) => ({
        subject: 'hub',
        relation: 'to',
        object,
        confidence: 1,
      })),
    )
    const cut = await client.knowledge.paths('hub', 'n5')
    expect(cut).toMatchObject({ truncated: true, visited: 5 })
    const token = client.token
    const bad = async (path: string): Promise<string> =>
      (await get(`${node.url}${path}`, token)).body.error.code as string
    expect(await bad('/v1/knowledge/paths?from=a&to=d&maxHops=7')).toBe('INVALID_INPUT')
    expect(await bad('/v1/knowledge?limit=5')).toBe('INVALID_INPUT')
    expect(await bad(`/v1/knowledge?subject=${'s'.repeat(257)}`)).toBe('INVALID_INPUT')
    expect(await bad('/v1/knowledge?subject=a&limit=101')).toBe('INVALID_INPUT')
    const many = Array.from({ length: 101 }, (_, i) =>
      signFact({ subject: `m${i}`, relation: 'r', object: 'o', confidence: 1 }, keys.good),
    )
    const tooMany = await post(
      `${node.url}/v1/knowledge`,
      { facts: many },
      { authorization: `Bearer ${as.good!.token}` },
    )
    expect([tooMany.status, tooMany.body.error.code]).toEqual([400, 'INVALID_INPUT'])
  })
})

function assertionOf(fact: FactView) {
  const { subject, relation, object, confidence, provenance } = fact
  return {
    subject,
    relation,
    object,
    confidence,
    agent: provenance.agent,
    signature: provenance.signature,
    ...(provenance.taskId === null ? {} : { taskId: provenance.taskId }),
  }
}
