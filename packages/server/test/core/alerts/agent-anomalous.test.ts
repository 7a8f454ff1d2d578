import { describe, expect, it } from 'vitest'
import { MemoryBus } from '../../../src/adapters/bus/memory-bus.js'
import { defaultAlertOptions } from '../../../src/core/alerts/alert-evaluator.js'
import { ALERTS_CHANGED, AlertService } from '../../../src/core/alerts/alert-service.js'
import { AnomalyDetector } from '../../../src/core/anomalies/anomaly-detector.js'
import { watchedOutcomes } from '../../../src/core/anomalies/watched-outcomes.js'
import type { TaskOutcome } from '../../../src/core/ports/outcome-sink.js'
import { ManualScheduler } from '../../helpers/manual-scheduler.js'

const T0 = Date.UTC(2030, 0, 1)
const AGENT = 'did:key:zSlowAgent'
const quiet = { debug() {}, info() {}, warn() {}, error() {} }

/**
 * The node's wiring of anomaly detection, on a test clock: outcomes reach reputation and the
 * detector, the alert job runs every 15 s on the scheduler, and time moves only when the test
 * ticks it.
 */
function setup() {
  const scheduler = new ManualScheduler()
  scheduler.nowMs = T0
  const clock = { now: () => scheduler.nowMs }
  const bus = new MemoryBus()
  const detector = new AnomalyDetector()
  const recorded: TaskOutcome[] = []
  const outcomes = watchedOutcomes(
    { recordOutcome: (o) => Promise.resolve(void recorded.push(o)) },
    detector,
  )
  const alerts = new AlertService(
    { bus, clock, logger: quiet, anomalies: detector },
    defaultAlertOptions,
  )
  const published: { change: string }[] = []
  bus.subscribe(ALERTS_CHANGED, ({ body }) => void published.push(body as { change: string }))
  scheduler.every('evaluating alerts', 15_000, () => void alerts.evaluate())
  let n = 0
  /** One task every 5 s for `ms`, each taking `latencyMs` (with a little jitter). */
  async function traffic(ms: number, latencyMs: number): Promise<void> {
    for (let t = 0; t < ms; t += 5000) {
      await scheduler.tick(5000)
      const jitter = 1 + 0.1 * Math.sin(n++)
      await outcomes.recordOutcome({
        taskId: `task-${n}`,
        agentId: AGENT,
        capabilityId: 'text.summarize',
        requester: 'did:key:zRequester',
        result: 'completed',
        latencyMs: latencyMs * jitter,
        paidMicros: 1000n,
        currency: 'USD',
        atMs: clock.now(),
      })
    }
  }
  const firing = () => alerts.list().firing.filter((a) => a.rule === 'AgentAnomalous')
  return { scheduler, alerts, traffic, firing, recorded, published }
}

describe('AgentAnomalous', () => {
  it('fires within a minute of an agent turning ten times slower, and resolves after it recovers', async () => {
    const { scheduler, alerts, traffic, firing, recorded, published } = setup()
    await traffic(10 * 60_000, 200)
    expect(firing()).toEqual([])
    const jumpAt = scheduler.nowMs
    let firedAt: number | undefined
    while (firedAt === undefined && scheduler.nowMs - jumpAt < 5 * 60_000) {
      await traffic(5000, 2000)
      if (firing().length > 0) firedAt = scheduler.nowMs
    }
    expect(firedAt! - jumpAt).toBeLessThanOrEqual(60_000)
    const [alert] = firing()
    expect(alert).toMatchObject({
      id: `AgentAnomalous:${AGENT}`,
      severity: 'warning',
      labels: { agentId: AGENT },
    })
    expect(alert!.summary).toMatch(/latency of text\.summarize \d+ ms \(normal 2\d\d ms\)/)
    expect(alert!.value).toBeGreaterThan(3)
    // Slow for ten more minutes: still firing, once.
    await traffic(10 * 60_000, 2000)
    expect(firing()).toHaveLength(1)
    await traffic(60_000, 200)
    expect(firing()).toEqual([])
    expect(alerts.list().resolved).toEqual([
      expect.objectContaining({ rule: 'AgentAnomalous', state: 'resolved' }),
    ])
    expect(published.map((p) => p.change)).toEqual(['fired', 'resolved'])
    // Reputation got every outcome too.
    expect(recorded).toHaveLength((10 * 60 + (firedAt! - jumpAt) / 1000 + 10 * 60 + 60) / 5)
  })

  it('stays quiet for an agent whose latency wanders within its normal', async () => {
    const { traffic, firing, published } = setup()
    for (const latencyMs of [200, 230, 180, 210, 260, 190]) await traffic(10 * 60_000, latencyMs)
    expect(firing()).toEqual([])
    expect(published).toEqual([])
  })
})
