import { describe, expect, it } from 'vitest'
import { AlertEvaluator, defaultAlertOptions } from '../../../src/core/alerts/alert-evaluator.js'

const MIN = 60_000
const T0 = Date.UTC(2030, 0, 1)

function evaluator() {
  return new AlertEvaluator(defaultAlertOptions)
}

const firing = (e: AlertEvaluator) => e.list().firing.map((a) => a.id)

describe('AlertEvaluator', () => {
  it('fires the error-rate alert above 1 % of finished tasks in 5 minutes, and resolves as they age out', () => {
    const e = evaluator()
    for (let i = 0; i < 50; i++) e.taskFinished('completed', T0 + i)
    e.taskFinished('failed', T0 + 200)
    expect(e.evaluate(T0 + 1000)).toEqual([
      expect.objectContaining({
        change: 'fired',
        alert: expect.objectContaining({ id: 'TaskErrorRateHigh' }),
      }),
    ])
    expect(e.list().firing[0]!.value).toBeCloseTo(1 / 51)
    // Canceled tasks count neither way; more successes bring the rate to 1 % or less.
    e.taskFinished('canceled', T0 + 300)
    for (let i = 0; i < 60; i++) e.taskFinished('completed', T0 + 400)
    expect(e.evaluate(T0 + 2000)).toEqual([expect.objectContaining({ change: 'resolved' })])
    e.taskFinished('timed_out', T0 + 3000)
    e.taskFinished('disputed', T0 + 3000)
    expect(firing(e)).toEqual([])
    e.evaluate(T0 + 4000)
    expect(firing(e)).toEqual(['TaskErrorRateHigh'])
    // Five minutes on, the window holds nothing: the alert resolves.
    e.evaluate(T0 + 3000 + 5 * MIN + 10_000)
    expect(firing(e)).toEqual([])
    expect(e.list().resolved.map((a) => a.state)).toEqual(['resolved', 'resolved'])
  })

  it('stays quiet at exactly the threshold', () => {
    const e = evaluator()
    for (let i = 0; i < 99; i++) e.taskFinished('completed', T0)
    e.taskFinished('failed', T0)
    expect(e.evaluate(T0 + 1)).toEqual([])
  })

  it('fires for an agent offline for 5 minutes, not before, and resolves when it comes back', () => {
    const e = evaluator()
    e.agentOffline('did:key:zA', T0)
    e.agentOffline('did:key:zA', T0 + 2 * MIN)
    expect(e.evaluate(T0 + 5 * MIN - 1)).toEqual([])
    const [fired] = e.evaluate(T0 + 5 * MIN)
    expect(fired?.alert).toMatchObject({
      id: 'AgentUnresponsive:did:key:zA',
      labels: { agentId: 'did:key:zA' },
      severity: 'warning',
      startsAtMs: T0 + 5 * MIN,
    })
    e.agentOnline('did:key:zA')
    expect(e.evaluate(T0 + 6 * MIN)).toEqual([expect.objectContaining({ change: 'resolved' })])
  })

  it('forgets a removed agent', () => {
    const e = evaluator()
    e.agentOffline('did:key:zB', T0)
    e.agentRemoved('did:key:zB')
    expect(e.evaluate(T0 + 10 * MIN)).toEqual([])
  })

  it('fires once per principal for budget overages, and resolves 5 minutes after the last one', () => {
    const e = evaluator()
    e.budgetExceeded('did:key:zC', T0)
    e.budgetExceeded('did:key:zC', T0 + MIN)
    const changes = e.evaluate(T0 + MIN)
    expect(changes).toHaveLength(1)
    expect(changes[0]!.alert).toMatchObject({ id: 'BudgetExceeded:did:key:zC', value: 2 })
    expect(e.evaluate(T0 + 6 * MIN - 1)).toEqual([])
    expect(e.evaluate(T0 + 6 * MIN)).toEqual([expect.objectContaining({ change: 'resolved' })])
  })

  it('fires while the last ledger or audit check failed', () => {
    const e = evaluator()
    e.verified('ledger', true, '', T0)
    e.verified('audit', false, 'entry 3 does not match its chain hash', T0)
    e.evaluate(T0)
    expect(e.list().firing).toEqual([
      expect.objectContaining({
        id: 'VerificationFailed:audit',
        severity: 'critical',
        summary: 'The audit failed verification: entry 3 does not match its chain hash',
      }),
    ])
    e.verified('audit', true, '', T0 + MIN)
    e.evaluate(T0 + MIN)
    expect(e.list()).toMatchObject({
      firing: [],
      resolved: [{ id: 'VerificationFailed:audit', resolvedAtMs: T0 + MIN }],
    })
  })

  it('keeps a bounded list of resolved alerts, newest first', () => {
    const e = new AlertEvaluator({ ...defaultAlertOptions, maxResolved: 2 })
    for (const check of ['ledger', 'audit', 'ledger'] as const) {
      e.verified(check, false, 'broken', T0)
      e.evaluate(T0)
      e.verified(check, true, '', T0)
      e.evaluate(T0 + 1)
    }
    expect(e.list().resolved.map((a) => a.id)).toEqual([
      'VerificationFailed:ledger',
      'VerificationFailed:audit',
    ])
  })
})
