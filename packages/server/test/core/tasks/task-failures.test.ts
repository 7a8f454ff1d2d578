import { generateKeyPair } from '@agentmesh/protocol'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MemoryBus } from '../../../src/adapters/bus/memory-bus.js'
import { AjvTaskValidator } from '../../../src/adapters/schema/task-schema-validator.js'
import { openStore } from '../../../src/adapters/store/open-store.js'
import { systemClock } from '../../../src/adapters/system/system-clock.js'
import { systemRandom } from '../../../src/adapters/system/system-random.js'
import { systemTimers } from '../../../src/adapters/system/system-timers.js'
import type { Caller } from '../../../src/core/auth/caller.js'
import type { Escrow } from '../../../src/core/ports/escrow.js'
import type { Store } from '../../../src/core/store.js'
import type { TaskTransport } from '../../../src/core/ports/task-transport.js'
import { TaskService } from '../../../src/core/tasks/task-service.js'
import { candidate, echoCapability, ListDirectory, MemoryEscrow, Recorder } from './task-doubles.js'

const alice: Caller = { did: generateKeyPair().did, roles: ['client'] }

/** Errors on the task path end the task; none is swallowed, leaving it running forever. */
describe('TaskService when something on the task path throws', () => {
  let store: Store
  let escrow: MemoryEscrow
  let service: TaskService | undefined
  const logged: string[] = []

  beforeEach(async () => {
    store = await openStore({ kind: 'sqlite', filename: ':memory:' })
    escrow = new MemoryEscrow()
    escrow.balances.set(alice.did, 1_000_000n)
    logged.length = 0
  })
  afterEach(async () => {
    await service?.stop()
    await store.close()
  })

  function build(transport: TaskTransport, escrowOf: Escrow = escrow) {
    const perUnit = {
      ...echoCapability('0.01'),
      pricing: { model: 'per_unit' as const, amount: '0.01', currency: 'USD' },
    }
    const recorder = new Recorder()
    service = new TaskService(
      {
        tasks: store.tasks,
        transport,
        escrow: escrowOf,
        outcomes: recorder,
        audit: recorder,
        bus: new MemoryBus(),
        clock: systemClock,
        timers: systemTimers,
        validator: new AjvTaskValidator(),
        nodeDid: 'did:node',
        directory: new ListDirectory([candidate('did:a', perUnit)]),
        random: systemRandom,
        logger: {
          debug: () => {},
          info: () => {},
          warn: () => {},
          error: (_fields, message) => logged.push(message),
        },
      },
      { defaultTimeoutMs: 5_000, maxCandidates: 5, maxDepth: 3 },
    )
    return service
  }

  async function run(tasks: TaskService) {
    const { task } = await tasks.submit(alice, {
      capability: 'text.echo',
      input: { text: 'hi' },
      maxPriceMicros: 50_000n,
      currency: 'USD',
      timeoutMs: 5_000,
      retry: { maximumAttempts: 1 },
    })
    return tasks.waitFor(task.id, 10_000)
  }

  it('fails, unpaid, an attempt whose provider reports units no price can be made of', async () => {
    for (const units of [Infinity, -1, NaN, 2 ** 60]) {
      const tasks = build({ dispatch: (_agent, d) => Promise.resolve({ output: d.input, units }) })
      const task = await run(tasks)
      expect(task).toMatchObject({ state: 'failed', error: { code: 'INVALID_OUTPUT' } })
      expect(task.settlement.state).toBe('voided')
      await tasks.stop()
    }
    expect(escrow.balances.get(alice.did)).toBe(1_000_000n)
  })

  it('ends a task whose settlement throws as failed, voided, without telling the requester why', async () => {
    class BrokenEscrow extends MemoryEscrow {
      override settle(): Promise<void> {
        return Promise.reject(new Error('connection to 10.0.0.7:5432 lost'))
      }
    }
    const broken = new BrokenEscrow()
    broken.balances.set(alice.did, 1_000_000n)
    const tasks = build(
      { dispatch: (_agent, d) => Promise.resolve({ output: d.input, units: 1 }) },
      broken,
    )
    const task = await run(tasks)
    expect(task).toMatchObject({ state: 'failed', error: { code: 'INTERNAL' } })
    expect(JSON.stringify(task.error)).not.toContain('10.0.0.7')
    expect(task.settlement.state).toBe('voided')
    expect(broken.balances.get(alice.did)).toBe(1_000_000n)
    expect((await store.tasks.get(task.id))?.state).toBe('failed')
    expect(logged).toContain('running a task failed')
  })
})
