/**
 * Frames from agents are untrusted input: a number JSON parses to Infinity, or one out of range,
 * must end the attempt it answers (failed, unpaid) instead of wedging the task.
 */
import type { Capability } from '@agentmesh/protocol'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { echoCapability } from '../helpers/agents.js'
import { startRawAgent, type RawAgent } from '../helpers/raw-agent.js'
import { securityFixture, type SecurityFixture } from './security-fixture.js'

describe('untrusted agent frames', () => {
  let f: SecurityFixture
  const raw: RawAgent[] = []

  beforeAll(async () => {
    f = await securityFixture()
  })
  afterEach(() => {
    for (const agent of raw.splice(0)) agent.close()
  })
  afterAll(() => f.close())

  const perUnit = (id: string): Capability => ({
    ...echoCapability(id, '0.001', 2000),
    pricing: { model: 'per_unit', amount: '0.001', currency: 'USD' },
  })

  async function available(): Promise<string> {
    const account = await f.admin.account(`${f.aliceDid}:USD`)
    return account.available.amount
  }

  for (const [i, units] of ['1e400', '-1e400', '1e300', '9007199254740993'].entries()) {
    it(`fails the task, unpaid and within its deadline, when an agent reports ${units} units`, async () => {
      const agent = await startRawAgent(f.node.url, [perUnit(`frames.units${i}`)], (task) => {
        const result = { type: 'result', taskId: task.taskId, attempt: task.attempt, output: {} }
        // Spliced in as text: JSON.stringify could not write 1e400.
        return JSON.stringify(result).replace(
          '"output":{}',
          `"output":{"text":"x"},"units":${units}`,
        )
      })
      raw.push(agent)
      const before = await available()
      const timeoutMs = 3000
      const submitted = await f.call('POST', '/v1/tasks?wait=6000', f.alice.token, {
        capability: `frames.units${i}`,
        input: { text: 'x' },
        maxPrice: { amount: '1', currency: 'USD' },
        timeoutMs,
      })
      const task = submitted.body
      expect(task).toMatchObject({
        state: 'failed',
        error: { code: 'INVALID_OUTPUT' },
        settlement: { state: 'voided' },
      })
      expect(Date.parse(task.updatedAt)).toBeLessThan(Date.parse(task.deadline))
      expect(await available()).toBe(before)
      // The node hangs up on an agent that breaks the protocol.
      expect(await agent.closed).toBe(4001)
    })
  }
})
