import { generateKeyPair } from '@agentmesh/protocol'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MemoryBus } from '../../../src/adapters/bus/memory-bus.js'
import { openStore } from '../../../src/adapters/store/open-store.js'
import { systemClock } from '../../../src/adapters/system/system-clock.js'
import { systemRandom } from '../../../src/adapters/system/system-random.js'
import { systemTimers } from '../../../src/adapters/system/system-timers.js'
import type { Caller } from '../../../src/core/auth/caller.js'
import type { Store } from '../../../src/core/store.js'
import { AjvTaskValidator } from '../../../src/adapters/schema/task-schema-validator.js'
import { TaskService, type SubmitRequest } from '../../../src/core/tasks/task-service.js'
import {
  candidate,
  ListDirectory,
  MemoryEscrow,
  Recorder,
  ScriptedTransport,
  type Behaviour,
} from './task-doubles.js'

const alice: Caller = { did: generateKeyPair().did, roles: ['client'] }
const bob: Caller = { did: generateKeyPair().did, roles: ['client'] }
const fastRetry = {
  initialIntervalMs: 1,
  maximumIntervalMs: 5,
  backoffCoefficient: 2,
  maximumAttempts: 2,
}
const request = (over: Partial<SubmitRequest> = {}): SubmitRequest => ({
  capability: 'text.echo',
  input: { text: 'hi' },
  maxPriceMicros: 50_000n,
  currency: 'USD',
  timeoutMs: 5_000,
  retry: fastRetry,
  ...over,
})

describe('TaskService', () => {
  let store: Store
  let escrow: MemoryEscrow
  let recorder: Recorder
  let directory: ListDirectory
  let transport: ScriptedTransport
  let service: TaskService

  function build(scripts: Record<string, Behaviour[]>, providers = ['did:a', 'did:b']) {
    transport = new ScriptedTransport(scripts)
    directory = new ListDirectory(providers.map((p) => candidate(p)))
    service = new TaskService(
      {
        tasks: store.tasks,
        transport,
        escrow,
        outcomes: recorder,
        audit: recorder,
        bus: new MemoryBus(),
        clock: systemClock,
        timers: systemTimers,
        validator: new AjvTaskValidator(),
        nodeDid: 'did:node',
        directory,
        random: systemRandom,
      },
      { defaultTimeoutMs: 5_000, maxCandidates: 5, maxDepth: 3 },
    )
  }

  async function run(req = request(), caller = alice) {
    const { task } = await service.submit(caller, req)
    return service.waitFor(task.id, 10_000)
  }

  beforeEach(async () => {
    store = await openStore({ kind: 'sqlite', filename: ':memory:' })
    escrow = new MemoryEscrow()
    escrow.balances.set(alice.did, 1_000_000n)
    recorder = new Recorder()
  })
  afterEach(async () => {
    await service?.stop()
    await store.close()
  })

  it('completes on the first provider and pays it its price, returning the rest', async () => {
    build({ 'did:a': [{ kind: 'echo' }] })
    const task = await run()
    expect(task.state).toBe('completed')
    expect(task.output).toEqual({ text: 'hi' })
    expect(task.settlement).toEqual({ state: 'posted', paidMicros: 10_000n, payee: 'did:a' })
    expect(escrow.paid.get('did:a')).toBe(10_000n)
    expect(escrow.balances.get(alice.did)).toBe(990_000n)
    expect(task.history.map((h) => h.state)).toEqual([
      'pending',
      'assigned',
      'running',
      'completed',
    ])
    expect(recorder.outcomes).toMatchObject([
      { agentId: 'did:a', result: 'completed', paidMicros: 10_000n },
    ])
  })

  it('times out, retries, then fails over to the second provider, which completes and alone is paid', async () => {
    build({ 'did:a': [{ kind: 'hang' }], 'did:b': [{ kind: 'echo' }] })
    const task = await run()
    expect(task.state).toBe('completed')
    expect(task.providerId).toBe('did:b')
    expect(task.attempts.map((a) => [a.agentId, a.outcome])).toEqual([
      ['did:a', 'timeout'],
      ['did:a', 'timeout'],
      ['did:b', 'completed'],
    ])
    expect(task.history.map((h) => h.state)).toContain('retrying')
    expect(escrow.paid.get('did:a')).toBeUndefined()
    expect(escrow.paid.get('did:b')).toBe(10_000n)
  })

  it('does not retry a code the catalogue marks final, and pays nobody', async () => {
    build({ 'did:a': [{ kind: 'fail', code: 'INVALID_INPUT' }], 'did:b': [{ kind: 'echo' }] })
    const task = await run()
    expect(task.state).toBe('failed')
    expect(task.error?.code).toBe('INVALID_INPUT')
    expect(transport.calls).toHaveLength(1)
    expect(task.settlement.state).toBe('voided')
    expect(escrow.balances.get(alice.did)).toBe(1_000_000n)
  })

  it('refuses a task under a contract when the node runs no contracts, as FEATURE_UNAVAILABLE', async () => {
    build({ 'did:a': [{ kind: 'echo' }] })
    await expect(service.submit(alice, request({ contractId: 'offer_x' }))).rejects.toMatchObject({
      code: 'FEATURE_UNAVAILABLE',
      status: 501,
      details: { feature: 'contracts' },
    })
    expect(transport.calls).toHaveLength(0)
  })

  it('fails an output that breaks the schema, unpaid', async () => {
    build({ 'did:a': [{ kind: 'output', output: { wrong: 1 } }] })
    const task = await run()
    expect(task.state).toBe('failed')
    expect(task.error?.code).toBe('INVALID_OUTPUT')
    expect(escrow.paid.size).toBe(0)
    expect(escrow.balances.get(alice.did)).toBe(1_000_000n)
  })

  it('cancels a running task, aborting it at the provider and voiding the reservation', async () => {
    build({ 'did:a': [{ kind: 'hang' }] }, ['did:a'])
    const { task } = await service.submit(alice, request({ timeoutMs: 60_000 }))
    directory.candidatesList[0]!.capability.sla.timeoutMs = 60_000
    const canceled = await service.cancel(alice, task.id)
    expect(canceled.state).toBe('canceled')
    expect(transport.aborted).toContain('did:a')
    expect(escrow.balances.get(alice.did)).toBe(1_000_000n)
    await expect(service.cancel(alice, task.id)).rejects.toMatchObject({ code: 'TASK_FINISHED' })
  })

  it('times the whole task out at its deadline', async () => {
    build({ 'did:a': [{ kind: 'hang' }] }, ['did:a'])
    directory.candidatesList[0]!.capability.sla.timeoutMs = 60_000
    const task = await run(request({ timeoutMs: 50 }))
    expect(task.state).toBe('timed_out')
    expect(task.settlement.state).toBe('voided')
  })

  it('refuses a task without funds, and stores nothing', async () => {
    build({ 'did:a': [{ kind: 'echo' }] })
    await expect(service.submit(bob, request())).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
    })
    expect(await store.tasks.list({ limit: 10 })).toEqual([])
  })

  it('answers 404 with the query for an unknown capability, and 503 when no provider is online', async () => {
    build({})
    await expect(service.submit(alice, request({ capability: 'nope.nope' }))).rejects.toMatchObject(
      {
        code: 'CAPABILITY_NOT_FOUND',
        message: expect.stringContaining('"nope.nope"'),
      },
    )
    directory.candidatesList = []
    await expect(service.submit(alice, request())).rejects.toMatchObject({ code: 'NO_PROVIDER' })
  })

  it('answers 422 with the path for input that does not match the schema', async () => {
    build({ 'did:a': [{ kind: 'echo' }] })
    await expect(service.submit(alice, request({ input: { text: 5 } }))).rejects.toMatchObject({
      code: 'SCHEMA_MISMATCH',
      details: { path: '/text' },
    })
  })

  describe('idempotency', () => {
    it('answers the same task for the same key and body', async () => {
      build({ 'did:a': [{ kind: 'echo' }] })
      const first = await service.submit(alice, request({ idempotencyKey: 'k1' }))
      const again = await service.submit(alice, request({ idempotencyKey: 'k1' }))
      expect(again).toMatchObject({ created: false, task: { id: first.task.id } })
      await service.waitFor(first.task.id, 5000)
      expect(escrow.reservations.size).toBe(1)
    })

    it('refuses the same key with another body with 409', async () => {
      build({ 'did:a': [{ kind: 'echo' }] })
      await service.submit(alice, request({ idempotencyKey: 'k2' }))
      await expect(
        service.submit(alice, request({ idempotencyKey: 'k2', input: { text: 'other' } })),
      ).rejects.toMatchObject({
        code: 'IDEMPOTENCY_MISMATCH',
        status: 409,
      })
    })

    it('makes one task of concurrent submits with one key, releasing the extra reservations', async () => {
      build({ 'did:a': [{ kind: 'echo' }] })
      const results = await Promise.all(
        Array.from({ length: 5 }, () => service.submit(alice, request({ idempotencyKey: 'k3' }))),
      )
      expect(new Set(results.map((r) => r.task.id)).size).toBe(1)
      expect(results.filter((r) => r.created)).toHaveLength(1)
      await service.waitFor(results[0]!.task.id, 5000)
      const pending = [...escrow.reservations.values()].filter((r) => r.state === 'pending')
      expect(pending).toHaveLength(0)
      expect(escrow.balances.get(alice.did)).toBe(990_000n)
    })
  })

  describe('quorum', () => {
    it('completes when enough providers agree and pays only those that agreed', async () => {
      build(
        {
          'did:a': [{ kind: 'echo' }],
          'did:b': [{ kind: 'echo' }],
          'did:c': [{ kind: 'output', output: { text: 'x' } }],
        },
        ['did:a', 'did:b', 'did:c'],
      )
      const task = await run(request({ verify: { mode: 'quorum', n: 3, agree: 2 } }))
      expect(task.state).toBe('completed')
      expect(task.output).toEqual({ text: 'hi' })
      expect(escrow.paid.get('did:a')).toBe(10_000n)
      expect(escrow.paid.get('did:b')).toBe(10_000n)
      expect(escrow.paid.get('did:c')).toBeUndefined()
      expect(escrow.balances.get(alice.did)).toBe(980_000n)
    })

    it('is disputed when too few agree, and nobody is paid', async () => {
      build(
        {
          'did:a': [{ kind: 'echo' }],
          'did:b': [{ kind: 'output', output: { text: 'y' } }],
          'did:c': [{ kind: 'output', output: { text: 'x' } }],
        },
        ['did:a', 'did:b', 'did:c'],
      )
      const task = await run(request({ verify: { mode: 'quorum', n: 3, agree: 2 } }))
      expect(task.state).toBe('disputed')
      expect(escrow.paid.size).toBe(0)
      expect(escrow.balances.get(alice.did)).toBe(1_000_000n)
    })
  })

  it('lets the requester and the provider read a task, and hides it from others', async () => {
    build({ 'did:a': [{ kind: 'echo' }] })
    const task = await run()
    await expect(service.get(alice, task.id)).resolves.toMatchObject({ id: task.id })
    await expect(service.get({ did: 'did:a', roles: ['agent'] }, task.id)).resolves.toMatchObject({
      id: task.id,
    })
    await expect(service.get(bob, task.id)).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' })
    await expect(service.cancel(bob, task.id)).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' })
  })

  /** Resolves once the task has reached `state`: subscribe first, then look, so no event is missed. */
  function untilState(id: string, state: string): Promise<void> {
    return new Promise((resolve) => {
      const off = service.subscribe(id, (event) => {
        if ((event as { state?: string }).state === state) {
          off()
          resolve()
        }
      })
      void store.tasks.get(id).then((task) => {
        if (task?.history.some((h) => h.state === state)) {
          off()
          resolve()
        }
      })
    })
  }

  it('limits how deep agent-to-agent calls nest', async () => {
    build({ 'did:a': [{ kind: 'hang' }] }, ['did:a'])
    directory.candidatesList[0]!.capability.sla.timeoutMs = 60_000
    escrow.balances.set('did:a', 1_000_000n)
    const { task: parent } = await service.submit(alice, request({ timeoutMs: 60_000 }))
    await untilState(parent.id, 'assigned')
    await expect(
      service.submit({ did: 'did:b', roles: ['agent'] }, request({ parentTaskId: parent.id })),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' })
    // did:a runs the parent: its call is depth 1, and may not spend more than the parent's budget.
    await expect(
      service.submit(
        { did: 'did:a', roles: ['agent'] },
        request({ parentTaskId: parent.id, maxPriceMicros: 60_000n }),
      ),
    ).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' })
  })
})
