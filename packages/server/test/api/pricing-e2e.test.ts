/**
 * Money through the public surface, with real SDK agents over WebSockets: a quorum settles once
 * and `ledger verify` stays clean; a slow call loses the latency penalty; a rating releases the
 * bonus set aside; subscriptions are paid per period and lapse; per-unit calls pay the units the
 * handler reports; a refund goes back once, fee part included.
 */
import { formatAmount, generateKeyPair, parseAmount, type Capability } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { agentsOfTest, echo, echoCapability } from '../helpers/agents.js'
import { ManualClock } from '../helpers/ledger.js'
import { post, startTestNode } from '../helpers/test-node.js'
import { waitUntil } from '../helpers/wait-until.js'

const DAY = 86_400_000

describe('pricing end to end (fee 10 %, latency penalty 20 %)', () => {
  let node: RunningNode
  let admin: Mesh
  let client: Mesh
  let clientDid: string
  const agents = agentsOfTest()
  const subscriptionClock = new ManualClock(Date.now())

  beforeAll(async () => {
    node = await startTestNode(
      {
        grant: { amount: '100', currency: 'USD' },
        ledger: {
          groupCommitMs: 1,
          feeBps: 1_000,
          latencyPenaltyBps: 2_000,
          expiryIntervalMs: 50,
          bonusWindowMs: 1_000,
        },
      },
      { subscriptionClock },
    )
    admin = await Mesh.connect(node.url, { token: node.adminToken })
    const key = generateKeyPair()
    clientDid = key.did
    client = await Mesh.connect(node.url, { key })
  })
  afterEach(() => agents.closeAll())
  afterAll(async () => {
    await client.close()
    await node.stop()
  })

  /** An account's posted balance, in micro-units. */
  async function posted(did: string): Promise<bigint> {
    return parseAmount((await admin.account(`${did}:USD`)).posted.amount)
  }

  async function expectCleanLedger(): Promise<void> {
    const report = await admin.verifyLedger()
    expect(report.problems).toEqual([])
    expect(report.ok).toBe(true)
    await node.integrity.run()
    const { alerts } = await admin.alerts()
    expect(alerts.filter((a) => a.rule === 'VerificationFailed' && a.state === 'firing')).toEqual(
      [],
    )
  }

  it('settles a quorum once out of one reservation, and `ledger verify` stays clean', async () => {
    const a = await agents.start(node.url, echoCapability('money.quorum', '0.01'), echo)
    const b = await agents.start(node.url, echoCapability('money.quorum', '0.01'), echo)
    const odd = await agents.start(node.url, echoCapability('money.quorum', '0.01'), () => ({
      text: 'different',
    }))
    const before = await posted(clientDid)
    const task = await client.submit(
      'money.quorum',
      { text: 'q' },
      { maxPrice: '0.05', verify: { mode: 'quorum', n: 3, agree: 2 }, wait: 10_000 },
    )
    expect(task.state).toBe('completed')
    expect(task.settlement).toMatchObject({ state: 'posted', paid: { amount: '0.02' } })
    expect([...task.settlement.payees].sort()).toEqual([a.key.did, b.key.did].sort())
    expect(before - (await posted(clientDid))).toBe(20_000n)
    expect(await posted(a.key.did)).toBe(100_009_000n)
    expect(await posted(b.key.did)).toBe(100_009_000n)
    expect(await posted(odd.key.did)).toBe(100_000_000n)
    const settlements = await admin.accountTransfers(`${clientDid}:USD`, { limit: 100 })
    expect(
      settlements.transfers.filter((t) => t.kind === 'post' && t.reference === task.id),
    ).toHaveLength(1)
    await expectCleanLedger()

    // One payee refunds only its own part; the other's stays paid.
    const refunded = await (await Mesh.connect(node.url, { key: a.key })).refund(task.id)
    expect(refunded.settlement).toMatchObject({ state: 'refunded', refunded: { amount: '0.01' } })
    expect(await posted(a.key.did)).toBe(100_000_000n)
    expect(await posted(b.key.did)).toBe(100_009_000n)
    expect(before - (await posted(clientDid))).toBe(10_000n)
    await expectCleanLedger()
  })

  it('pays a call slower than its SLA p95 less, by exactly the configured penalty', async () => {
    const slowCard = (id: string, sla: Capability['sla']): Capability => ({
      ...echoCapability(id, '0.01', 5000),
      sla,
    })
    const wait = (ms: number) => async (input: { text: string }) => {
      await new Promise((resolve) => setTimeout(resolve, ms))
      return { text: input.text }
    }
    const slow = await agents.start(
      node.url,
      slowCard('money.slow', { timeoutMs: 5000, p95LatencyMs: 20 }),
      wait(300),
    )
    const fast = await agents.start(
      node.url,
      slowCard('money.fast', { timeoutMs: 5000, p95LatencyMs: 4000 }),
      echo,
    )
    const strict = await agents.start(
      node.url,
      slowCard('money.strict', { timeoutMs: 5000, p95LatencyMs: 20, latencyPenaltyBps: 5_000 }),
      wait(300),
    )
    const call = (capability: string) =>
      client.submit(capability, { text: 's' }, { maxPrice: '0.01', wait: 10_000 })
    const late = await call('money.slow')
    const onTime = await call('money.fast')
    const stricter = await call('money.strict')
    expect(late.settlement.paid.amount).toBe('0.008')
    expect(onTime.settlement.paid.amount).toBe('0.01')
    // The capability's own SLA term is higher than the node's: it applies.
    expect(stricter.settlement.paid.amount).toBe('0.005')
    // Less the 10 % fee.
    expect(await posted(slow.key.did)).toBe(100_007_200n)
    expect(await posted(fast.key.did)).toBe(100_009_000n)
    expect(await posted(strict.key.did)).toBe(100_004_500n)
  })

  it('pays the bonus a good rating earns from what the requester set aside, and gives back the rest', async () => {
    const provider = await agents.start(node.url, echoCapability('money.bonus', '0.01'), echo)
    const requester = await Mesh.connect(node.url, { key: generateKeyPair() })
    const me = (await requester.whoami()).did
    const call = () =>
      requester.submit(
        'money.bonus',
        { text: 'b' },
        { maxPrice: '0.01', bonus: '0.004', wait: 10_000 },
      )
    const five = await call()
    expect(five.bonus).toMatchObject({ amount: { amount: '0.004' }, state: 'reserved' })
    expect((await requester.account(`${me}:USD`)).pending.amount).toBe('0.004')
    await requester.rate(five.id, 5)
    expect((await requester.task(five.id)).bonus).toMatchObject({
      state: 'paid',
      paid: { amount: '0.004' },
    })
    const four = await call()
    await requester.rate(four.id, 4)
    expect((await requester.task(four.id)).bonus).toMatchObject({ paid: { amount: '0.002' } })
    const two = await call()
    await requester.rate(two.id, 2)
    expect((await requester.task(two.id)).bonus).toMatchObject({ state: 'released' })
    // Three calls at 0.01, bonuses 0.004 and 0.002: the provider got 90 % of it all.
    expect(await posted(me)).toBe(100_000_000n - 36_000n)
    expect(await posted(provider.key.did)).toBe(100_000_000n + 32_400n)
    // Unrated, the bonus goes back when the window (deadline + 1 s here) has passed.
    const unrated = await requester.submit(
      'money.bonus',
      { text: 'b' },
      { maxPrice: '0.01', bonus: '0.004', timeoutMs: 1000, wait: 10_000 },
    )
    expect(unrated.state).toBe('completed')
    await waitUntil(async () => (await requester.account(`${me}:USD`)).pending.amount === '0', {
      what: 'the unrated bonus to go back',
    })
    await requester.rate(unrated.id, 5)
    expect((await requester.task(unrated.id)).bonus).toMatchObject({ state: 'released' })
    expect(await posted(me)).toBe(100_000_000n - 46_000n)
    await requester.close()
    await expectCleanLedger()
  })

  it('sells a subscription per period: refused unpaid, free within the period, 402 once lapsed', async () => {
    const card: Capability = {
      ...echoCapability('money.sub', '0'),
      pricing: { model: 'subscription', amount: '0.5', currency: 'USD', period: 'day' },
    }
    const provider = await agents.start(node.url, card, echo)
    const requester = await Mesh.connect(node.url, { key: generateKeyPair() })
    const me = (await requester.whoami()).did
    const call = () =>
      requester.submit('money.sub', { text: 's' }, { maxPrice: '0.01', wait: 10_000 })
    await expect(call()).rejects.toMatchObject({ code: 'SUBSCRIPTION_LAPSED', status: 402 })
    const paid = await requester.subscribe(provider.key.did, 'money.sub')
    expect(paid).toMatchObject({ price: { amount: '0.5' }, period: 'day', active: true })
    const again = await post(
      `${node.url}/v1/subscriptions`,
      { agentId: provider.key.did, capabilityId: 'money.sub' },
      { authorization: `Bearer ${requester.token}` },
    )
    expect(again).toMatchObject({ status: 200, body: { transferId: paid.transferId } })
    expect(await posted(me)).toBe(100_000_000n - 500_000n)
    expect(await posted(provider.key.did)).toBe(100_500_000n)
    for (const task of [await call(), await call()]) {
      expect(task).toMatchObject({ state: 'completed', settlement: { paid: { amount: '0' } } })
    }
    expect(await posted(me)).toBe(100_000_000n - 500_000n)
    expect(await requester.subscriptions()).toEqual([paid])
    subscriptionClock.advance(DAY)
    await expect(call()).rejects.toMatchObject({ code: 'SUBSCRIPTION_LAPSED', status: 402 })
    expect((await requester.subscriptions()).filter((s) => s.active)).toEqual([])
    await expect(requester.subscribe(provider.key.did, 'money.bonus')).rejects.toMatchObject({
      code: 'CAPABILITY_NOT_FOUND',
    })
    await requester.close()
    await expectCleanLedger()
  })

  it('pays per unit what the SDK handler reports, within maxPrice × maxUnits', async () => {
    const card: Capability = {
      ...echoCapability('money.units', '0'),
      pricing: { model: 'per_unit', amount: '0.001', currency: 'USD', unit: 'token' },
    }
    await agents.start(node.url, card, (input, ctx) => {
      ctx.units(Number(input.text))
      return { text: input.text }
    })
    const call = (units: string, maxUnits?: number) =>
      client.submit(
        'money.units',
        { text: units },
        { maxPrice: '0.001', wait: 10_000, ...(maxUnits ? { maxUnits } : {}) },
      )
    expect((await call('7', 10)).settlement.paid.amount).toBe('0.007')
    expect((await call('20', 10)).settlement.paid.amount).toBe('0.01')
    expect((await call('7')).settlement.paid.amount).toBe('0.001')
    expect((await call('0', 10)).settlement).toMatchObject({ paid: { amount: '0' } })
    const task = await call('3', 5)
    expect(task).toMatchObject({ maxUnits: 5, settlement: { paid: { amount: '0.003' } } })
  })

  it('refunds part of a settled payment once, fee part included; a second is 409', async () => {
    const provider = await agents.start(node.url, echoCapability('money.refund', '0.01'), echo)
    const requester = await Mesh.connect(node.url, { key: generateKeyPair() })
    const me = (await requester.whoami()).did
    const task = await requester.submit(
      'money.refund',
      { text: 'r' },
      { maxPrice: '0.01', wait: 10_000 },
    )
    expect(task.settlement.paid.amount).toBe('0.01')
    const feesBefore = parseAmount((await admin.account('system:fees:USD')).posted.amount)
    await expect(requester.refund(task.id)).rejects.toMatchObject({ code: 'FORBIDDEN' })
    const stranger = await Mesh.connect(node.url, { key: generateKeyPair() })
    await expect(stranger.refund(task.id)).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' })
    const providerMesh = await Mesh.connect(node.url, { key: provider.key })
    await expect(providerMesh.refund(task.id, '0.02')).rejects.toMatchObject({
      code: 'INVALID_AMOUNT',
    })
    const refunded = await providerMesh.refund(task.id, '0.004')
    expect(refunded.settlement).toMatchObject({
      state: 'refunded',
      paid: { amount: '0.01' },
      refunded: { amount: '0.004' },
    })
    expect((await requester.task(task.id)).settlement.state).toBe('refunded')
    await expect(providerMesh.refund(task.id, '0.001')).rejects.toMatchObject({
      code: 'ALREADY_REFUNDED',
      status: 409,
    })
    await expect(admin.refund(task.id)).rejects.toMatchObject({ code: 'ALREADY_REFUNDED' })
    expect(await posted(me)).toBe(100_000_000n - 6_000n)
    expect(await posted(provider.key.did)).toBe(100_000_000n + 9_000n - 3_600n)
    const feesAfter = parseAmount((await admin.account('system:fees:USD')).posted.amount)
    expect(formatAmount(feesBefore - feesAfter)).toBe('0.0004')
    const { entries } = await admin.auditEntries({ action: 'task.refunded' })
    expect(entries.some((e) => e.resource === `task:${task.id}`)).toBe(true)
    await Promise.all([requester.close(), stranger.close(), providerMesh.close()])
    await expectCleanLedger()
  })
})
