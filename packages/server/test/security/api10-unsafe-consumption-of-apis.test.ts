/**
 * OWASP API10:2023 Unsafe Consumption of APIs: what an agent sends back is untrusted input. Output
 * that breaks the capability's output schema, or a frame over the size cap, is refused, the task
 * does not complete with it, and the agent is not paid for it.
 */
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { echoCapability, startAgent } from '../helpers/agents.js'
import { securityFixture, type SecurityFixture } from './security-fixture.js'

describe('API10 unsafe consumption of agent output', () => {
  let f: SecurityFixture

  beforeAll(async () => {
    f = await securityFixture({ bodyLimitBytes: 64 * 1024 })
  })
  afterAll(() => f.close())

  async function balance(did: string): Promise<string> {
    return (await f.admin.account(`${did}:USD`)).available.amount
  }

  it('refuses output that breaks the output schema with INVALID_OUTPUT, and pays nothing', async () => {
    const { agent, key } = await startAgent(f.node.url, echoCapability('sec.liar', '0.01'), () => ({
      text: 42,
      injected: '<script>',
    }))
    const before = await balance(f.aliceDid)
    const task = await f.alice.submit(
      'sec.liar',
      { text: 'x' },
      {
        maxPrice: '0.05',
        retry: { maximumAttempts: 1 },
        wait: 10_000,
      },
    )
    expect(task.state).toBe('failed')
    expect(task.output ?? undefined).toBeUndefined()
    expect(JSON.stringify(task.error)).toContain('INVALID_OUTPUT')
    expect(await balance(key.did)).toBe('100')
    expect(await balance(f.aliceDid)).toBe(before)
    await agent.close()
  })

  it('refuses an output frame over the size cap, and the task does not complete with it', async () => {
    const { agent, key } = await startAgent(
      f.node.url,
      echoCapability('sec.flood', '0.01'),
      () => ({ text: 'x'.repeat(128 * 1024) }),
    )
    const task = await f.alice.submit(
      'sec.flood',
      { text: 'x' },
      {
        maxPrice: '0.05',
        retry: { maximumAttempts: 1 },
        wait: 10_000,
      },
    )
    expect(task.state).not.toBe('completed')
    expect(task.output ?? undefined).toBeUndefined()
    expect(await balance(key.did)).toBe('100')
    await agent.close()
  })

  it('does not let agent output pollute object prototypes', async () => {
    const { agent } = await startAgent(f.node.url, echoCapability('sec.proto', '0.01'), () =>
      JSON.parse('{"text":"ok","__proto__":{"polluted":true}}'),
    )
    const task = await f.alice.submit(
      'sec.proto',
      { text: 'x' },
      { maxPrice: '0.05', wait: 10_000 },
    )
    expect(['completed', 'failed']).toContain(task.state)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    await agent.close()
  })

  it('keeps serving after refusing agent output', async () => {
    const mesh = await Mesh.connect(f.node.url, { token: f.node.adminToken })
    expect((await mesh.verifyLedger()).ok).toBe(true)
    await mesh.close()
  })
})
