import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh, type AlertsView } from '@agentmesh/sdk'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { KyselyAuditStore } from '../../src/adapters/store/audit-store.js'
import { resolveNodeConfig, type RunningNode } from '../../src/node.js'
import { agentsOfTest, echo, echoCapability, startAgent } from '../helpers/agents.js'
import { histogramCount, scrape, value } from '../helpers/prometheus.js'
import { get, post, startTestNode } from '../helpers/test-node.js'

const defaults = resolveNodeConfig({ memory: true }, {})

/** A node whose alert windows are short enough for a test to see them fire. */
function startObservedNode(): Promise<RunningNode> {
  return startTestNode({
    grant: { amount: '5', currency: 'USD' },
    observability: {
      ...defaults.observability,
      alerts: { ...defaults.observability.alerts, agentUnresponsiveMs: 200 },
    },
  })
}

/** The node's alerts, firing and resolved apart. */
async function alerts(node: RunningNode) {
  const answer = await get(`${node.url}/v1/alerts`, node.adminToken)
  expect(answer.status).toBe(200)
  const all = (answer.body as AlertsView).alerts
  return {
    firing: all.filter((a) => a.state === 'firing'),
    resolved: all.filter((a) => a.state === 'resolved'),
  }
}

const firingIds = async (node: RunningNode) => (await alerts(node)).firing.map((a) => a.id)

describe('metrics and alerts of a node', () => {
  let node: RunningNode
  let client: Mesh
  let clientDid: string
  const agents = agentsOfTest()

  beforeAll(async () => {
    node = await startObservedNode()
    const key = generateKeyPair()
    clientDid = key.did
    client = await Mesh.connect(node.url, { key })
  })
  afterEach(() => agents.closeAll())
  afterAll(async () => {
    await client.close()
    await node.stop()
  })

  const agent = agents.start

  it('serves /metrics in the Prometheus text format: tasks, latency, ledger, agents, auth, HTTP, event loop', async () => {
    const provider = await agent(node.url, echoCapability('obs.echo', '0.01'), echo)
    const task = await client.submit('obs.echo', { text: 'hi' }, { maxPrice: '0.05', wait: 10_000 })
    expect(task.state).toBe('completed')
    expect((await get(`${node.url}/v1/info`, 'not-a-token')).status).toBe(200)
    expect((await get(`${node.url}/v1/tasks/${task.id}`, 'not-a-token')).status).toBe(401)
    const login = await post(`${node.url}/v1/auth/token`, {
      did: clientDid,
      nonce: 'no-such-nonce',
      signature: 'AAAA',
    })
    expect(login.status).toBe(401)

    const metrics = await scrape(node.url)
    const capability = { capability: 'obs.echo', state: 'completed' }
    expect(value(metrics, 'agentmesh_tasks_finished_total', capability)).toBe(1)
    expect(metrics.get('agentmesh_task_duration_seconds')?.type).toBe('HISTOGRAM')
    const registry = node.metrics.registry
    expect(await histogramCount(registry, 'agentmesh_task_duration_seconds', capability)).toBe(1)
    expect(metrics.get('agentmesh_tasks_active')?.type).toBe('GAUGE')
    expect(
      value(metrics, 'agentmesh_ledger_volume_total', { currency: 'USD', code: 'payment' }),
    ).toBe(0.01)
    expect(
      value(metrics, 'agentmesh_ledger_volume_total', { code: 'mint' }),
    ).toBeGreaterThanOrEqual(10)
    expect(value(metrics, 'agentmesh_agents_online')).toBe(1)
    expect(value(metrics, 'agentmesh_agent_up', { agent_id: provider.key.did })).toBe(1)
    expect(value(metrics, 'agentmesh_auth_failures_total', { code: 'TOKEN_INVALID' })).toBe(1)
    expect(value(metrics, 'agentmesh_auth_failures_total', { code: 'NONCE_INVALID' })).toBe(1)
    expect(
      value(metrics, 'agentmesh_http_requests_total', {
        method: 'GET',
        route: '/v1/tasks/:id',
        status: '401',
      }),
    ).toBe(1)
    expect(metrics.get('agentmesh_http_request_duration_seconds')?.type).toBe('HISTOGRAM')
    const submit = { method: 'POST', route: '/v1/tasks' }
    expect(await histogramCount(registry, 'agentmesh_http_request_duration_seconds', submit)).toBe(
      1,
    )
    expect(value(metrics, 'agentmesh_event_loop_lag_p99_seconds')).toBeGreaterThanOrEqual(0)
  })

  it('lists alerts for admins only', async () => {
    expect((await get(`${node.url}/v1/alerts`)).status).toBe(401)
    expect((await get(`${node.url}/v1/alerts`, client.token)).status).toBe(403)
  })

  it('raises the error-rate alert when more than 1 % of tasks fail', async () => {
    await agent(node.url, echoCapability('obs.fails', '0.01'), () => {
      throw new Error('broken on purpose')
    })
    const task = await client.submit(
      'obs.fails',
      { text: 'x' },
      { maxPrice: '0.05', wait: 10_000, retry: { maximumAttempts: 1 } },
    )
    expect(task.state).toBe('failed')
    const { firing } = await alerts(node)
    expect(firing).toContainEqual(
      expect.objectContaining({
        id: 'TaskErrorRateHigh',
        rule: 'TaskErrorRateHigh',
        state: 'firing',
      }),
    )
    expect(firing.find((a) => a.id === 'TaskErrorRateHigh')?.value).toBeCloseTo(0.5)
  })

  it('raises the budget alert when the ledger refuses a task over the budget', async () => {
    const set = await fetch(`${node.url}/v1/budgets/${clientDid}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${client.token}` },
      body: JSON.stringify({ limit: { amount: '0.001', currency: 'USD' }, period: 'day' }),
    })
    expect(set.status).toBe(200)
    await agent(node.url, echoCapability('obs.budget', '0.01'), echo)
    await expect(
      client.submit('obs.budget', { text: 'x' }, { maxPrice: '0.05', wait: 10_000 }),
    ).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' })
    expect(await firingIds(node)).toContain(`BudgetExceeded:${clientDid}`)
    expect(value(await scrape(node.url), 'agentmesh_budget_exceeded_total')).toBe(1)
  })

  it('raises the unresponsive-agent alert once an agent stays offline past the window', async () => {
    const gone = await startAgent(node.url, echoCapability('obs.gone'), echo)
    await gone.agent.close()
    const id = `AgentUnresponsive:${gone.key.did}`
    await vi.waitFor(async () => expect(await firingIds(node)).toContain(id), {
      timeout: 5000,
      interval: 50,
    })
    expect(value(await scrape(node.url), 'agentmesh_agent_up', { agent_id: gone.key.did })).toBe(0)
  })
})

describe('integrity alerts', () => {
  let node: RunningNode
  beforeAll(async () => {
    node = await startObservedNode()
    await Mesh.connect(node.url, { key: generateKeyPair() }).then((mesh) => mesh.close())
  })
  afterAll(() => node.stop())

  /** The node's database, to damage it as an attacker or a failing disk would. */
  const db = () => (node.store.audit as KyselyAuditStore).db

  it('passes on a sound node and raises an alert for a damaged ledger, resolved once repaired', async () => {
    const sound = await node.integrity.run()
    expect(sound.map((r) => [r.check, r.ok])).toEqual([
      ['ledger', true],
      ['audit', true],
    ])
    expect(await firingIds(node)).toEqual([])

    const account = await db()
      .selectFrom('ledger_accounts')
      .select(['id', 'credits_posted'])
      .where('owner', 'like', 'did:key:%')
      .executeTakeFirstOrThrow()
    const setCredits = (credits: string) =>
      db()
        .updateTable('ledger_accounts')
        .set({ credits_posted: credits })
        .where('id', '=', account.id)
        .execute()
    await setCredits(`${BigInt(account.credits_posted) + 1_000_000n}`)
    const [ledger] = await node.integrity.run()
    expect(ledger).toMatchObject({ check: 'ledger', ok: false })
    const { firing } = await alerts(node)
    expect(firing).toEqual([
      expect.objectContaining({
        id: 'VerificationFailed:ledger',
        severity: 'critical',
        labels: { check: 'ledger' },
      }),
    ])
    expect(value(await scrape(node.url), 'agentmesh_verification_ok', { check: 'ledger' })).toBe(0)

    await setCredits(String(account.credits_posted))
    await node.integrity.run()
    const after = await alerts(node)
    expect(after.firing).toEqual([])
    expect(after.resolved[0]).toMatchObject({ id: 'VerificationFailed:ledger', state: 'resolved' })
    expect(value(await scrape(node.url), 'agentmesh_verification_ok', { check: 'ledger' })).toBe(1)
  })

  it('raises an alert for a tampered audit entry', async () => {
    await node.audit.flush()
    await db()
      .updateTable('audit_entries')
      .set({ resource: 'principal:someone-else' })
      .where('seq', '=', 2)
      .execute()
    const [, audit] = await node.integrity.run()
    expect(audit).toMatchObject({ check: 'audit', ok: false })
    expect(audit!.problem).toContain('seq 2')
    expect(await firingIds(node)).toContain('VerificationFailed:audit')
    expect(value(await scrape(node.url), 'agentmesh_verification_ok', { check: 'audit' })).toBe(0)
  })
})
