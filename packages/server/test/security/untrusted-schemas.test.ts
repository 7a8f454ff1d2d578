/**
 * Agents publish JSON Schemas that the node compiles and runs on every task: a schema must not be
 * able to freeze the node (a catastrophic `pattern`) nor break another agent's schemas (a shared
 * `$id`).
 */
import { generateKeyPair, signJws, type Capability } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { agentCard } from '../helpers/agent-cards.js'
import { agentsOfTest, echo, echoCapability } from '../helpers/agents.js'
import { startRawAgent, type RawAgent } from '../helpers/raw-agent.js'
import { securityFixture, type SecurityFixture } from './security-fixture.js'

/** A pattern that backtracking engines take 2^n steps to fail on `a…a!`. */
const CATASTROPHIC = '^(a+)+$'
const ADVERSARIAL = `${'a'.repeat(30)}!`

const textSchema = (pattern?: string) => ({
  type: 'object',
  properties: { text: { type: 'string', ...(pattern ? { pattern } : {}) } },
  required: ['text'],
})

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now()
  const value = await work()
  return { ms: performance.now() - start, value }
}

describe('untrusted schemas', () => {
  let f: SecurityFixture
  const agents = agentsOfTest()
  const raw: RawAgent[] = []

  beforeAll(async () => {
    f = await securityFixture()
  })
  afterEach(async () => {
    for (const agent of raw.splice(0)) agent.close()
    await agents.closeAll()
  })
  afterAll(() => f.close())

  const submit = (capability: string, text: string) =>
    f.call('POST', '/v1/tasks?wait=10000', f.alice.token, {
      capability,
      input: { text },
      maxPrice: { amount: '0.01', currency: 'USD' },
      retry: { maximumAttempts: 1 },
    })

  const healthz = () => timed(() => fetch(`${f.node.url}/healthz`).then((r) => r.text()))

  /** Three runs one after the other (a machine shared with other work is noisy: take the best). */
  async function repeat<T>(work: () => Promise<T>): Promise<T[]> {
    const runs: T[] = []
    for (let i = 0; i < 3; i++) runs.push(await work())
    return runs
  }

  /** The best of three runs: what the work costs on this machine, now. */
  async function best(work: () => Promise<{ ms: number }>): Promise<number> {
    return Math.min(...(await repeat(work)).map((run) => run.ms))
  }

  /**
   * Runs `attack` while GET /healthz is called over and over; answers the attack's duration, its
   * value and the slowest /healthz seen meanwhile (at least one call overlaps the attack).
   */
  async function underWatch<T>(attack: () => Promise<T>) {
    let done = false
    const latencies: number[] = []
    const watching = (async () => {
      while (!done || latencies.length === 0) latencies.push((await healthz()).ms)
    })()
    const result = await timed(attack)
    done = true
    await watching
    return { ...result, slowestHealthzMs: Math.max(...latencies) }
  }

  it('validates an input against a catastrophic pattern in linear time, with /healthz answering meanwhile', async () => {
    const capability: Capability = {
      ...echoCapability('redos.input'),
      input: textSchema(CATASTROPHIC),
    }
    const output = JSON.stringify
    raw.push(
      await startRawAgent(f.node.url, [capability], (task) =>
        output({ type: 'result', taskId: task.taskId, attempt: task.attempt, output: task.input }),
      ),
    )
    // What a plainly wrong input costs, watched the same way.
    const refusedMs = await best(() => underWatch(() => submit('redos.input', 'b')))
    const healthzMs = await best(healthz)

    const attacks = await repeat(() => underWatch(() => submit('redos.input', ADVERSARIAL)))

    for (const attack of attacks) {
      expect(attack.value).toMatchObject({
        status: 422,
        body: { error: { code: 'SCHEMA_MISMATCH', details: { path: '/text' } } },
      })
    }
    // Linear time: the adversarial input costs what a plainly wrong one does, give or take 50 ms.
    expect(Math.min(...attacks.map((a) => a.ms))).toBeLessThan(refusedMs + 50)
    expect(Math.min(...attacks.map((a) => a.slowestHealthzMs))).toBeLessThan(healthzMs + 50)
    // And the pattern still means what it says.
    expect((await submit('redos.input', 'aaa')).body.state).toBe('completed')
  })

  it('validates an output against a catastrophic pattern in linear time, and pays nothing for it', async () => {
    const capability: Capability = {
      ...echoCapability('redos.output'),
      output: textSchema(CATASTROPHIC),
    }
    raw.push(
      await startRawAgent(f.node.url, [capability], (task) =>
        JSON.stringify({
          type: 'result',
          taskId: task.taskId,
          attempt: task.attempt,
          output: { text: (task.input as { text: string }).text },
        }),
      ),
    )
    const healthzMs = await best(healthz)
    const completedMs = await best(() => underWatch(() => submit('redos.output', 'aaa')))

    const attacks = await repeat(() => underWatch(() => submit('redos.output', ADVERSARIAL)))

    for (const attack of attacks) {
      expect(attack.value.body).toMatchObject({
        state: 'failed',
        error: { code: 'INVALID_OUTPUT' },
        settlement: { state: 'voided' },
      })
    }
    expect(Math.min(...attacks.map((a) => a.ms))).toBeLessThan(completedMs + 50)
    expect(Math.min(...attacks.map((a) => a.slowestHealthzMs))).toBeLessThan(healthzMs + 50)
  })

  it('refuses at registration a pattern the linear-time engine cannot run, naming its path', async () => {
    const key = generateKeyPair()
    const agent = await Mesh.connect(f.node.url, { key, roles: ['agent'] })
    const register = (capability: Capability) =>
      f.call('POST', '/v1/agents', agent.token, {
        card: signJws(agentCard(key, { capabilities: [capability] }), key),
      })
    // A backreference: ECMAScript has it, a linear-time engine cannot.
    const backreference = await register({
      ...echoCapability('redos.backref'),
      input: textSchema('^(a)\\1$'),
    })
    expect(backreference).toMatchObject({
      status: 422,
      body: {
        error: {
          code: 'SCHEMA_INVALID',
          details: { path: '/capabilities/0/input/properties/text/pattern' },
        },
      },
    })
    // A lookahead, as a property-name pattern of the output.
    const lookahead = await register({
      ...echoCapability('redos.lookahead'),
      output: { type: 'object', patternProperties: { '^(?=a)a/b$': { type: 'string' } } },
    })
    expect(lookahead).toMatchObject({
      status: 422,
      body: {
        error: {
          code: 'SCHEMA_INVALID',
          details: { path: '/capabilities/0/output/patternProperties/^(?=a)a~1b$' },
        },
      },
    })
    expect((await f.call('GET', `/v1/agents/${key.did}`, agent.token)).status).toBe(404)
    await agent.close()
  })

  it('compiles each capability on its own: two agents declaring the same $id both keep working', async () => {
    const shared = (maxLength: number) => ({
      $id: 'https://schemas.example/text',
      type: 'object',
      properties: { text: { type: 'string', maxLength } },
      required: ['text'],
    })
    await agents.start(
      f.node.url,
      { ...echoCapability('ids.first'), input: shared(10), output: shared(10) },
      echo,
    )
    await agents.start(
      f.node.url,
      { ...echoCapability('ids.second'), input: shared(20), output: shared(20) },
      echo,
    )
    for (let round = 0; round < 2; round++) {
      expect((await submit('ids.first', 'hello')).body.state).toBe('completed')
      expect((await submit('ids.second', 'hello')).body.state).toBe('completed')
    }
    // Each keeps its own schema: 15 characters fit the second, not the first.
    expect((await submit('ids.second', 'x'.repeat(15))).body.state).toBe('completed')
    expect(await submit('ids.first', 'x'.repeat(15))).toMatchObject({
      status: 422,
      body: { error: { code: 'SCHEMA_MISMATCH' } },
    })
  })
})
