/**
 * Anomaly detection through HTTP and the SDK: an agent whose answers suddenly grow a hundredfold
 * shows the anomaly in `GET /v1/agents/:id/reputation`, fires `AgentAnomalous` in `/v1/alerts`,
 * ranks lower while it lasts, and loses all three once its answers are back to normal. Output size
 * drives it because it does not depend on how loaded the machine running the test is.
 */
import { generateKeyPair, type Capability } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { startAgent } from '../helpers/agents.js'
import { startTestNode } from '../helpers/test-node.js'

const padded: Capability = {
  id: 'anomaly.pad',
  description: 'Pads a text to a length',
  tags: ['test'],
  input: { type: 'object', properties: { size: { type: 'integer' } }, required: ['size'] },
  output: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  pricing: { model: 'per_call', amount: '0.001', currency: 'USD' },
  sla: { timeoutMs: 5000 },
}

describe('anomalies, through HTTP', () => {
  let node: RunningNode
  let admin: Mesh
  let client: Mesh
  let agent: Awaited<ReturnType<typeof startAgent>>

  beforeAll(async () => {
    node = await startTestNode({ grant: { amount: '100', currency: 'USD' } })
    admin = await Mesh.connect(node.url, { token: node.adminToken })
    client = await Mesh.connect(node.url, { key: generateKeyPair() })
    agent = await startAgent(node.url, padded, (input) => ({
      text: 'x'.repeat((input as unknown as { size: number }).size),
    }))
  })
  afterAll(async () => {
    await agent.agent.close()
    await client.close()
    await admin.close()
    await node.stop()
  })

  async function run(count: number, size: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const task = await client.submit('anomaly.pad', { size }, { maxPrice: '0.001', wait: 10_000 })
      expect(task.state).toBe('completed')
    }
  }

  const outputSize = async () =>
    (await client.reputation(agent.key.did, { capability: 'anomaly.pad' })).anomalies.filter(
      (a) => a.metric === 'outputSize',
    )

  const anomalousAlerts = async () =>
    (await admin.alerts()).alerts.filter(
      (a) => a.rule === 'AgentAnomalous' && a.labels.agentId === agent.key.did,
    )

  const reputationReason = async () => {
    const page = await client.search('pads a text', { explain: true })
    return page.results.find((r) => r.agentId === agent.key.did)!.explain!.parts.reputation.reason
  }

  it('shows an agent out of its normal in its reputation and alerts, until it is back', async () => {
    await run(30, 40)
    expect(await outputSize()).toEqual([])
    expect(await reputationReason()).not.toMatch(/anomalous/)
    await run(6, 4000)
    const [anomaly] = await outputSize()
    expect(anomaly).toMatchObject({ capabilityId: 'anomaly.pad', metric: 'outputSize' })
    expect(anomaly!.expected).toBeGreaterThan(40)
    expect(anomaly!.expected).toBeLessThan(80)
    expect(anomaly!.observed).toBeGreaterThan(1000)
    expect(anomaly!.score).toBeGreaterThan(3)
    expect(Date.parse(anomaly!.since)).toBeLessThanOrEqual(Date.parse(anomaly!.lastSeenAt))
    // The agent-wide view lists it too.
    const overall = await client.reputation(agent.key.did)
    expect(overall.anomalies.map((a) => a.metric)).toContain('outputSize')
    const [alert] = await anomalousAlerts()
    expect(alert).toMatchObject({ state: 'firing', severity: 'warning' })
    expect(alert!.summary).toMatch(/outputSize of anomaly\.pad \d+ chars \(normal \d+ chars\)/)
    expect(await reputationReason()).toMatch(/lowered while it behaves anomalously/)

    await run(6, 40)
    expect(await outputSize()).toEqual([])
    const alerts = await anomalousAlerts()
    expect(alerts.filter((a) => a.state === 'firing' && /outputSize/.test(a.summary))).toEqual([])
    expect(alerts.some((a) => a.state === 'resolved')).toBe(true)
  })
})
