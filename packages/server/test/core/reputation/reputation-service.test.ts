import { MeshError } from '@agentmesh/protocol'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore } from '../../../src/adapters/store/open-store.js'
import type { AuditEvent } from '../../../src/core/ports/audit-sink.js'
import type { Store } from '../../../src/core/store.js'
import type { TaskOutcome } from '../../../src/core/ports/outcome-sink.js'
import type { RatableTask } from '../../../src/core/reputation/ratable-tasks.js'
import { ReputationService } from '../../../src/core/reputation/reputation-service.js'
import { defaultScoring } from '../../../src/core/reputation/score.js'

const DAY_MS = 86_400_000
const HALF_LIFE_MS = 30 * DAY_MS
const REQUESTER = 'did:key:requester'

class TestClock {
  nowMs = 1_800_000_000_000
  now = () => this.nowMs
}

describe('ReputationService', () => {
  let store: Store
  let clock: TestClock
  let audit: AuditEvent[]
  let tasks: Map<string, RatableTask>
  let reputation: ReputationService
  let taskSeq = 0

  beforeEach(async () => {
    store = await openStore({ kind: 'sqlite', filename: ':memory:' })
    clock = new TestClock()
    audit = []
    tasks = new Map()
    reputation = new ReputationService(
      {
        store: store.reputation,
        clock,
        audit: { record: (event) => Promise.resolve(void audit.push(event)) },
        tasks: { get: (id) => Promise.resolve(tasks.get(id)) },
      },
      { ...defaultScoring, halfLifeMs: HALF_LIFE_MS },
    )
  })
  afterEach(() => store.close())

  const outcome = (agentId: string, patch: Partial<TaskOutcome> = {}): TaskOutcome => ({
    taskId: `task-${++taskSeq}`,
    agentId,
    capabilityId: 'text.sentiment',
    requester: REQUESTER,
    result: 'completed',
    latencyMs: 100,
    paidMicros: 1_000n,
    currency: 'USD',
    atMs: clock.nowMs,
    ...patch,
  })

  /** A settled task of `agentId`, ready to rate; answers its id. */
  const settledTask = (agentId: string, patch: Partial<RatableTask> = {}): string => {
    const id = `task-${++taskSeq}`
    tasks.set(id, {
      requester: REQUESTER,
      agentId,
      capabilityId: 'text.sentiment',
      settled: true,
      paidMicros: 0n,
      currency: 'USD',
      ...patch,
    })
    return id
  }

  const rateMany = async (agentId: string, stars: number, count: number) => {
    for (let i = 0; i < count; i++) {
      await reputation.rate({ taskId: settledTask(agentId), rater: REQUESTER, stars })
    }
  }

  const scoreOf = async (agentId: string) => (await reputation.get(agentId)).score

  it('counts outcomes per agent and per capability, with streaming latency quantiles', async () => {
    const results = [
      'completed',
      'completed',
      'failed',
      'timed_out',
      'canceled',
      'disputed',
    ] as const
    for (const result of results) await reputation.recordOutcome(outcome('a', { result }))
    for (let i = 1; i <= 100; i++) {
      await reputation.recordOutcome(outcome('a', { capabilityId: 'text.summary', latencyMs: i }))
    }
    const all = await reputation.get('a')
    expect(all.stats).toMatchObject({
      calls: 106,
      successes: 102,
      failures: 1,
      timeouts: 1,
      canceled: 1,
      disputed: 1,
      lastOutcomeAtMs: clock.nowMs,
    })
    expect(all.stats.successRate).toBeCloseTo(102 / 105, 12)
    const summary = await reputation.get('a', 'text.summary')
    expect(summary.capabilityId).toBe('text.summary')
    expect(summary.stats.calls).toBe(100)
    expect(summary.stats.latencyMs.p50).toBeGreaterThan(40)
    expect(summary.stats.latencyMs.p50).toBeLessThan(60)
    expect(summary.stats.latencyMs.p95).toBeGreaterThan(88)
    expect(summary.stats.latencyMs.p95).toBeLessThanOrEqual(100)
    expect((await reputation.get('a', 'text.sentiment')).stats.calls).toBe(6)
  })

  it('counts a redelivered outcome once', async () => {
    const event = outcome('a')
    await reputation.recordOutcome(event)
    await reputation.recordOutcome(event)
    expect((await reputation.get('a')).stats.calls).toBe(1)
  })

  it('moves a new agent from the prior by less than the raw average of a few ratings', async () => {
    expect(await scoreOf('new')).toBe(defaultScoring.priorMean)
    await rateMany('new', 1, 5)
    const score = await scoreOf('new')
    // The raw average of five 1-star ratings is 1; the prior holds the score well above it.
    expect(score).toBeLessThan(defaultScoring.priorMean)
    expect(defaultScoring.priorMean - score).toBeLessThan(defaultScoring.priorMean - 1)
    expect(score).toBeCloseTo((5 * 3.5 + 5 * 1) / (5 + 5), 9)
  })

  it('moves an established agent far less with the same ratings, keeping it near its evidence', async () => {
    for (let i = 0; i < 200; i++) await reputation.recordOutcome(outcome('old'))
    await rateMany('old', 5, 40)
    const before = await scoreOf('old')
    expect(before).toBeGreaterThan(4.9)
    await rateMany('old', 1, 5)
    await rateMany('new', 1, 5)
    const establishedShift = before - (await scoreOf('old'))
    const newShift = defaultScoring.priorMean - (await scoreOf('new'))
    expect(establishedShift).toBeGreaterThan(0)
    expect(establishedShift).toBeLessThan(newShift / 10)
    expect(await scoreOf('old')).toBeGreaterThan(4.8)
  })

  it('weighs a rating by what was paid', async () => {
    await reputation.rate({ taskId: settledTask('cheap'), rater: REQUESTER, stars: 1 })
    const paid = settledTask('dear', { paidMicros: 150_000n })
    const rating = await reputation.rate({ taskId: paid, rater: REQUESTER, stars: 1 })
    expect(rating.weight).toBe(5)
    expect(await scoreOf('dear')).toBeLessThan(await scoreOf('cheap'))
  })

  it('refuses ratings from non-requesters, on unsettled or unknown tasks, out of range, or twice', async () => {
    const refused = async (input: { taskId: string; rater: string; stars: number }) => {
      const error = await reputation.rate(input).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(MeshError)
      return { code: (error as MeshError).code, status: (error as MeshError).status }
    }
    const task = settledTask('agent')
    const unsettled = settledTask('agent', { settled: false })
    expect(await refused({ taskId: task, rater: 'did:key:someone-else', stars: 5 })).toEqual({
      code: 'FORBIDDEN',
      status: 403,
    })
    expect(await refused({ taskId: task, rater: 'agent', stars: 5 })).toMatchObject({ status: 403 })
    expect(await refused({ taskId: unsettled, rater: REQUESTER, stars: 5 })).toEqual({
      code: 'TASK_NOT_SETTLED',
      status: 409,
    })
    expect(await refused({ taskId: 'nope', rater: REQUESTER, stars: 5 })).toEqual({
      code: 'TASK_NOT_FOUND',
      status: 404,
    })
    for (const stars of [0, 6, 2.5, Number.NaN]) {
      expect(await refused({ taskId: task, rater: REQUESTER, stars })).toEqual({
        code: 'INVALID_INPUT',
        status: 400,
      })
    }
    expect(await scoreOf('agent')).toBe(defaultScoring.priorMean)
    await reputation.rate({ taskId: task, rater: REQUESTER, stars: 2 })
    expect(await refused({ taskId: task, rater: REQUESTER, stars: 5 })).toEqual({
      code: 'ALREADY_RATED',
      status: 409,
    })
    const report = await reputation.get('agent')
    expect(report.stats.ratings).toEqual({ count: 1, average: 2 })
    expect(audit.map((e) => [e.result, e.details?.code ?? null])).toEqual([
      ['denied', 'FORBIDDEN'],
      ['denied', 'FORBIDDEN'],
      ['denied', 'TASK_NOT_SETTLED'],
      ['denied', 'TASK_NOT_FOUND'],
      ['denied', 'INVALID_INPUT'],
      ['denied', 'INVALID_INPUT'],
      ['denied', 'INVALID_INPUT'],
      ['denied', 'INVALID_INPUT'],
      ['ok', null],
      ['denied', 'ALREADY_RATED'],
    ])
    expect(audit[0]).toMatchObject({
      actor: 'did:key:someone-else',
      action: 'reputation.rate',
      resource: `task:${task}`,
    })
  })

  it('lets old evidence fade back towards the prior', async () => {
    for (let i = 0; i < 30; i++)
      await reputation.recordOutcome(outcome('flaky', { result: 'failed' }))
    const fresh = await scoreOf('flaky')
    expect(fresh).toBeLessThan(1)
    clock.nowMs += HALF_LIFE_MS
    const report = await reputation.get('flaky')
    // 30 failures now count 15: (5·3.5) / (5 + 15).
    expect(report.score).toBeCloseTo(17.5 / 20, 9)
    expect(report.explanation.decay.sinceLastUpdate).toBeCloseTo(0.5, 4)
    clock.nowMs += 10 * HALF_LIFE_MS
    expect(await scoreOf('flaky')).toBeGreaterThan(3.3)
    // Recent successes now outweigh the faded failures.
    for (let i = 0; i < 5; i++) await reputation.recordOutcome(outcome('flaky'))
    expect(await scoreOf('flaky')).toBeGreaterThan(defaultScoring.priorMean)
    expect((await reputation.get('flaky')).stats.calls).toBe(35)
  })

  it('counts an outcome delivered late with the weight its age leaves it', async () => {
    await reputation.recordOutcome(outcome('late'))
    await reputation.recordOutcome(
      outcome('late', { result: 'failed', atMs: clock.nowMs - HALF_LIFE_MS }),
    )
    const parts = (await reputation.get('late')).explanation.components
    const outcomes = parts.find((c) => c.name === 'outcomes')!
    expect(outcomes.weight).toBeCloseTo(1.5, 4)
    expect(outcomes.mean).toBeCloseTo(5 / 1.5, 3)
  })

  it('explains the score by its prior, decay and components', async () => {
    for (let i = 0; i < 9; i++) await reputation.recordOutcome(outcome('x'))
    await reputation.recordOutcome(outcome('x', { result: 'timed_out' }))
    await rateMany('x', 4, 2)
    const { score, explanation } = await reputation.get('x')
    expect(explanation.prior).toEqual({ mean: 3.5, strength: 5 })
    expect(explanation.decay.halfLifeMs).toBe(HALF_LIFE_MS)
    expect(explanation.components.map((c) => c.name)).toEqual(['prior', 'outcomes', 'ratings'])
    const total = explanation.components.reduce((sum, c) => sum + c.share, 0)
    expect(total).toBeCloseTo(1, 3)
    const recomputed = explanation.components.reduce((sum, c) => sum + c.share * (c.mean ?? 0), 0)
    expect(recomputed).toBeCloseTo(score, 2)
    expect(explanation.text).toContain(
      `Score ${score.toFixed(2).replace(/0+$/, '').replace(/\.$/, '')} of 5`,
    )
    expect(explanation.text).toContain('90% succeeded')
    expect(explanation.components[2]!.detail).toContain('averaging 4 stars')
  })

  it('measures uptime from presence changes', async () => {
    const t0 = clock.nowMs
    expect((await reputation.get('p')).stats.uptime).toBeNull()
    await reputation.recordPresence('p', true, t0)
    await reputation.recordPresence('p', false, t0 + 60_000)
    await reputation.recordPresence('p', true, t0 + 100_000)
    await reputation.recordPresence('p', true, t0 + 150_000) // a heartbeat while online
    clock.nowMs = t0 + 200_000
    expect((await reputation.get('p')).stats.uptime).toBeCloseTo(160 / 200, 12)
  })

  it('summarizes many agents for ranking, the unknown ones at the prior', async () => {
    await reputation.recordOutcome(outcome('s', { latencyMs: 250 }))
    await reputation.recordOutcome(outcome('s', { result: 'failed', latencyMs: 50 }))
    const summaries = await reputation.summaries(['s', 'unknown', 's'])
    expect([...summaries.keys()]).toEqual(['s', 'unknown'])
    expect(summaries.get('s')).toMatchObject({
      agentId: 's',
      calls: 2,
      successRate: 0.5,
      p95LatencyMs: 250,
    })
    expect(summaries.get('s')!.score).toBeCloseTo((17.5 + 5) / 7, 9)
    expect(summaries.get('unknown')).toEqual({
      agentId: 'unknown',
      score: 3.5,
      calls: 0,
      successRate: null,
      p95LatencyMs: null,
    })
    expect((await reputation.summaries([])).size).toBe(0)
  })
})
