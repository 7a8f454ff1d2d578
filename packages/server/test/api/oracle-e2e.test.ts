/**
 * Oracle verification through the SDK and HTTP: five SDK agents answer a price; one lies far
 * off, one is slightly off. The task answers the weighted median with every source's answer and
 * weight, pays only the sources within tolerance out of one reservation, lowers the liar's oracle
 * reputation (and so its weight next time), and `ledger verify` stays clean.
 */
import { generateKeyPair, parseAmount, type Capability } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { agentsOfTest } from '../helpers/agents.js'
import { post, startTestNode } from '../helpers/test-node.js'

const number = { type: 'number' }
const quote: Capability = {
  id: 'oracle.price',
  description: 'Quotes a price',
  tags: ['test'],
  input: { type: 'object', properties: { pair: { type: 'string' } }, required: ['pair'] },
  output: { type: 'object', properties: { price: number }, required: ['price'] },
  pricing: { model: 'per_call', amount: '0.01', currency: 'USD' },
  sla: { timeoutMs: 5000 },
}
const label: Capability = {
  ...quote,
  id: 'oracle.label',
  description: 'Labels a text',
  output: { type: 'object', properties: { label: { type: 'string' } }, required: ['label'] },
}

describe('oracle verification, with five SDK agents', () => {
  let node: RunningNode
  let admin: Mesh
  let client: Mesh
  const agents = agentsOfTest()

  beforeAll(async () => {
    node = await startTestNode({ grant: { amount: '100', currency: 'USD' } })
    admin = await Mesh.connect(node.url, { token: node.adminToken })
    client = await Mesh.connect(node.url, { key: generateKeyPair() })
  })
  afterEach(() => agents.closeAll())
  afterAll(async () => {
    await client.close()
    await admin.close()
    await node.stop()
  })

  /** What an agent earned: its posted balance less the 100 USD it was granted. */
  async function earned(did: string): Promise<string> {
    const micros = parseAmount((await admin.account(`${did}:USD`)).posted.amount)
    return ((Number(micros) - 100_000_000) / 1e6).toFixed(2)
  }

  /** Starts a source of `capability` that always answers `output`. */
  async function source(capability: Capability, output: unknown): Promise<string> {
    return (await agents.start(node.url, capability, () => output)).key.did
  }

  it('answers the weighted median, pays the sources within tolerance, and lowers the liar', async () => {
    const honest = [
      await source(quote, { price: 100 }),
      await source(quote, { price: 100 }),
      await source(quote, { price: 99.9 }),
    ]
    const slight = await source(quote, { price: 100.6 })
    const liar = await source(quote, { price: 1000 })
    const verify = {
      mode: 'oracle' as const,
      n: 5,
      aggregate: 'median' as const,
      tolerance: 0.01,
      field: '/price',
    }
    const task = await client.submit(
      'oracle.price',
      { pair: 'EUR/USD' },
      { maxPrice: '0.05', verify, wait: 15_000 },
    )
    expect(task.state).toBe('completed')
    expect(task.output).toEqual({ price: 100 })
    expect(task.verify).toEqual(verify)
    expect(task.oracle!.answer).toBe(100)
    const sources = new Map(task.oracle!.sources.map((s) => [s.agentId, s]))
    expect(sources.size).toBe(5)
    expect(sources.get(liar)).toMatchObject({
      answer: 1000,
      weight: 0.5,
      withinTolerance: false,
      paid: { amount: '0', currency: 'USD' },
    })
    expect(sources.get(liar)!.deviation).toBeCloseTo(9)
    expect(sources.get(slight)).toMatchObject({ answer: 100.6, withinTolerance: true })
    for (const did of [...honest, slight])
      expect(sources.get(did)).toMatchObject({ withinTolerance: true, paid: { amount: '0.01' } })
    expect(task.settlement).toMatchObject({ state: 'posted', paid: { amount: '0.04' } })
    expect(task.settlement.payees.sort()).toEqual([...honest, slight].sort())
    expect(await earned(liar)).toBe('0.00')
    expect(await earned(honest[0]!)).toBe('0.01')

    const lowered = await client.reputation(liar, { capability: 'oracle.price' })
    expect(lowered.oracle).toEqual({
      answers: 1,
      withinTolerance: 0,
      meanDeviation: 1,
      weight: 1 / 3,
    })
    const trusted = await client.reputation(honest[1]!)
    expect(trusted.oracle).toMatchObject({ answers: 1, withinTolerance: 1, weight: 2 / 3 })

    // A tighter tolerance leaves the slightly-off source unpaid too; the liar now weighs less.
    const tight = await client.submit(
      'oracle.price',
      { pair: 'EUR/USD' },
      { maxPrice: '0.05', verify: { ...verify, tolerance: 0.001 }, wait: 15_000 },
    )
    expect(tight.state).toBe('completed')
    const again = new Map(tight.oracle!.sources.map((s) => [s.agentId, s]))
    expect(again.get(liar)!.weight).toBeCloseTo(1 / 3)
    expect(again.get(honest[0]!)!.weight).toBeCloseTo(2 / 3)
    expect(again.get(slight)).toMatchObject({ withinTolerance: false, paid: { amount: '0' } })
    expect(tight.settlement.paid.amount).toBe('0.03')
    expect((await client.reputation(liar)).oracle.weight).toBeCloseTo(1 / 4)

    const report = await admin.verifyLedger()
    expect(report.problems).toEqual([])
    expect(report.ok).toBe(true)
  })

  it('takes a weighted majority of labels, and disputes (unpaid) without one', async () => {
    const positive = [
      await source(label, { label: 'positive' }),
      await source(label, { label: 'positive' }),
      await source(label, { label: 'positive' }),
    ]
    await source(label, { label: 'negative' })
    await source(label, { text: 'no label' })
    const verify = {
      mode: 'oracle' as const,
      n: 5,
      aggregate: 'majority' as const,
      field: '/label',
    }
    const task = await client.submit(
      'oracle.label',
      { pair: 'x' },
      {
        maxPrice: '0.05',
        verify,
        wait: 15_000,
      },
    )
    expect(task.state).toBe('completed')
    expect(task.oracle!.answer).toBe('positive')
    expect(task.verify).toEqual({ ...verify, tolerance: 0.01 })
    expect(positive).toContain(task.providerId)
    expect(task.settlement.paid.amount).toBe('0.03')
    const answers = task.oracle!.sources.map((s) => s.answer).sort()
    expect(answers).toEqual(['negative', null, 'positive', 'positive', 'positive'])

    // Three labels two, two, one: no weighted majority.
    await agents.closeAll()
    for (const l of ['a', 'a', 'b', 'b', 'c']) await source(label, { label: l })
    const split = await client.submit(
      'oracle.label',
      { pair: 'x' },
      {
        maxPrice: '0.05',
        verify: { ...verify, field: '/label' },
        wait: 15_000,
      },
    )
    expect(split.state).toBe('disputed')
    expect(split.error?.code).toBe('ORACLE_NO_CONSENSUS')
    expect(split.settlement).toMatchObject({ state: 'voided', paid: { amount: '0' } })
    expect(split.oracle!.answer).toBeNull()
    expect((await admin.verifyLedger()).ok).toBe(true)
  })

  it('refuses an oracle of fewer than three sources or with a bonus, and fails without n online', async () => {
    await source(quote, { price: 1 })
    const body = {
      capability: 'oracle.price',
      input: { pair: 'x' },
      maxPrice: { amount: '0.05', currency: 'USD' },
      verify: { mode: 'oracle', n: 2, aggregate: 'median' },
    }
    const auth = { authorization: `Bearer ${client.token}` }
    expect((await post(`${node.url}/v1/tasks`, body, auth)).body.error.code).toBe('INVALID_INPUT')
    const unknown = { ...body, verify: { mode: 'oracle', n: 3, aggregate: 'mean' } }
    expect((await post(`${node.url}/v1/tasks`, unknown, auth)).status).toBe(400)
    await expect(
      client.submit(
        'oracle.price',
        { pair: 'x' },
        {
          maxPrice: '0.05',
          bonus: '0.01',
          verify: { mode: 'oracle', n: 3, aggregate: 'median' },
        },
      ),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    const alone = await client.submit(
      'oracle.price',
      { pair: 'x' },
      {
        maxPrice: '0.05',
        verify: { mode: 'oracle', n: 3, aggregate: 'median', field: '/price' },
        wait: 15_000,
      },
    )
    expect(alone.state).toBe('failed')
    expect(alone.error?.code).toBe('NO_PROVIDER')
  })
})
