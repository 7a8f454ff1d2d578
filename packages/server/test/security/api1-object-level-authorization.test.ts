/**
 * OWASP API1:2023 Broken Object Level Authorization: a principal reaches only its own objects.
 * Every request here names an object that exists but belongs to someone else.
 */
import type { Agent } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { echoCapability, hang, startAgent } from '../helpers/agents.js'
import { securityFixture, type SecurityFixture } from './security-fixture.js'

describe('API1 object-level authorization', () => {
  let f: SecurityFixture
  let agent: Agent
  let agentDid: string
  let taskId: string
  let runId: string

  beforeAll(async () => {
    f = await securityFixture()
    const started = await startAgent(f.node.url, echoCapability('sec.hang', '0.01', 60_000), hang, {
      concurrency: 8,
    })
    agent = started.agent
    agentDid = started.key.did
    const task = await f.alice.submit('sec.hang', { text: 'private' }, { maxPrice: '0.05' })
    taskId = task.id
    const run = await f.call('POST', '/v1/pipelines/runs', f.alice.token, {
      definition: {
        budget: { amount: '0.05', currency: 'USD' },
        steps: [{ id: 'a', capability: 'sec.hang', input: { text: 'x' } }],
      },
    })
    expect(run.status).toBe(202)
    runId = run.body.id
  })
  afterAll(async () => {
    await f.alice.cancel(taskId).catch(() => {})
    await agent.close()
    await f.close()
  })

  const deniedOrHidden = [403, 404]

  it("answers 404 when one principal reads another's task, its events or its pipeline run", async () => {
    expect(await f.call('GET', `/v1/tasks/${taskId}`, f.bob.token)).toMatchObject({
      status: 404,
      body: { error: { code: 'TASK_NOT_FOUND' } },
    })
    expect((await f.call('GET', `/v1/tasks/${taskId}/events`, f.bob.token)).status).toBe(404)
    expect(await f.call('GET', `/v1/pipelines/runs/${runId}`, f.bob.token)).toMatchObject({
      status: 404,
      body: { error: { code: 'PIPELINE_RUN_NOT_FOUND' } },
    })
    const listed = await f.call('GET', '/v1/tasks', f.bob.token)
    const ids = (listed.body.tasks as { id: string }[]).map((t) => t.id)
    expect(ids).not.toContain(taskId)
  })

  it('lets the requester, the provider and an admin read the same task', async () => {
    expect((await f.call('GET', `/v1/tasks/${taskId}`, f.alice.token)).status).toBe(200)
    expect((await f.call('GET', `/v1/tasks/${taskId}`, f.admin.token)).status).toBe(200)
    expect((await f.alice.task(taskId)).providerId).toBe(agentDid)
  })

  it("refuses to cancel another principal's task, and the task keeps running", async () => {
    const cancel = await f.call('POST', `/v1/tasks/${taskId}/cancel`, f.bob.token)
    expect(deniedOrHidden).toContain(cancel.status)
    expect((await f.alice.task(taskId)).state).not.toBe('canceled')
  })

  it("refuses to rate another principal's task", async () => {
    const rating = await f.call('POST', `/v1/tasks/${taskId}/rating`, f.bob.token, { stars: 1 })
    expect([...deniedOrHidden, 409]).toContain(rating.status)
  })

  it("refuses to read another principal's account, its history or one of its transfers", async () => {
    const account = `${f.aliceDid}:USD`
    expect(deniedOrHidden).toContain(
      (await f.call('GET', `/v1/accounts/${account}`, f.bob.token)).status,
    )
    expect(deniedOrHidden).toContain(
      (await f.call('GET', `/v1/accounts/${account}/transfers`, f.bob.token)).status,
    )
    const grant = `grant:${f.aliceDid}:USD`
    expect((await f.call('GET', `/v1/transfers/${grant}`, f.bob.token)).status).toBe(404)
    expect((await f.call('GET', `/v1/transfers/${grant}`, f.alice.token)).status).toBe(200)
  })

  it("refuses to spend from another principal's account", async () => {
    const before = await f.alice.account(`${f.aliceDid}:USD`)
    const steal = await f.call('POST', '/v1/transfers', f.bob.token, {
      id: 'steal-1',
      debitAccount: `${f.aliceDid}:USD`,
      creditAccount: `${f.bobDid}:USD`,
      amount: { amount: '1', currency: 'USD' },
    })
    expect(deniedOrHidden).toContain(steal.status)
    expect(await f.alice.account(`${f.aliceDid}:USD`)).toEqual(before)
  })

  it("refuses to read or set another principal's budget, or read its principal record", async () => {
    expect((await f.call('GET', `/v1/budgets/${f.aliceDid}`, f.bob.token)).status).toBe(403)
    const put = await f.call('PUT', `/v1/budgets/${f.aliceDid}`, f.bob.token, {
      limit: { amount: '0', currency: 'USD' },
      period: 'day',
    })
    expect(put.status).toBe(403)
    expect((await f.call('GET', `/v1/principals/${f.aliceDid}`, f.bob.token)).status).toBe(403)
  })

  it("refuses to remove another principal's agent, which stays registered", async () => {
    expect(deniedOrHidden).toContain(
      (await f.call('DELETE', `/v1/agents/${agentDid}`, f.bob.token)).status,
    )
    expect((await f.call('GET', `/v1/agents/${agentDid}`, f.bob.token)).status).toBe(200)
  })
})
