import { generateKeyPair } from '@agentmesh/protocol'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MemoryBus } from '../../../src/adapters/bus/memory-bus.js'
import { openStore } from '../../../src/adapters/store/open-store.js'
import { systemClock } from '../../../src/adapters/system/system-clock.js'
import { systemRandom } from '../../../src/adapters/system/system-random.js'
import { systemTimers } from '../../../src/adapters/system/system-timers.js'
import type { Caller } from '../../../src/core/auth/caller.js'
import {
  checkDefinition,
  type PipelineDefinition,
} from '../../../src/core/pipelines/pipeline-definition.js'
import { PipelineService } from '../../../src/core/pipelines/pipeline-service.js'
import type { Store } from '../../../src/core/store.js'
import { AjvTaskValidator } from '../../../src/adapters/schema/task-schema-validator.js'
import { TaskService } from '../../../src/core/tasks/task-service.js'
import {
  candidate,
  echoCapability,
  ListDirectory,
  MemoryEscrow,
  Recorder,
  ScriptedTransport,
} from '../tasks/task-doubles.js'

const alice: Caller = { did: generateKeyPair().did, roles: ['client'] }
const budget = { amount: '1', currency: 'USD' }

function capability(id: string) {
  return { ...echoCapability('0.01', 200), id }
}

describe('PipelineService', () => {
  let store: Store
  let escrow: MemoryEscrow
  let pipelines: PipelineService
  let tasks: TaskService
  let transport: ScriptedTransport

  beforeEach(async () => {
    store = await openStore({ kind: 'sqlite', filename: ':memory:' })
    escrow = new MemoryEscrow()
    escrow.balances.set(alice.did, 10_000_000n)
    const recorder = new Recorder()
    // One agent per capability: did:echo echoes, did:broken fails for good.
    transport = new ScriptedTransport({
      'did:echo': [{ kind: 'echo' }],
      'did:echo2': [{ kind: 'echo' }],
      'did:broken': [{ kind: 'fail', code: 'INVALID_INPUT' }],
    })
    const directory = new ListDirectory(
      [
        candidate('did:echo', capability('text.echo')),
        candidate('did:echo2', capability('text.shout')),
        candidate('did:broken', capability('text.broken')),
      ],
      ['text.echo', 'text.shout', 'text.broken'],
    )
    const bus = new MemoryBus()
    const deps = {
      tasks: store.tasks,
      transport,
      escrow,
      outcomes: recorder,
      audit: recorder,
      bus,
      clock: systemClock,
      timers: systemTimers,
      validator: new AjvTaskValidator(),
      nodeDid: 'did:node',
      directory,
      random: systemRandom,
    }
    tasks = new TaskService(deps, { defaultTimeoutMs: 5000, maxCandidates: 3, maxDepth: 3 })
    pipelines = new PipelineService({
      tasks,
      directory,
      runs: store.pipelines,
      bus,
      clock: systemClock,
      random: systemRandom,
      timers: systemTimers,
      audit: recorder,
    })
  })
  afterEach(async () => {
    await tasks.stop()
    await store.close()
  })

  async function run(definition: PipelineDefinition, input: unknown) {
    const started = await pipelines.start(alice, definition, input)
    return (await pipelines.waitFor(started.id, 10_000))!
  }

  it('runs four steps with a parallel pair, skips what needs a skipped failure, and maps inputs by JSON Pointer', async () => {
    const events: string[] = []
    const definition: PipelineDefinition = {
      budget,
      steps: [
        { id: 'first', capability: 'text.echo', input: { text: { $ref: '/input/text' } } },
        {
          id: 'left',
          capability: 'text.shout',
          needs: ['first'],
          input: { text: { $ref: '/steps/first/output/text' } },
        },
        {
          id: 'right',
          capability: 'text.broken',
          needs: ['first'],
          onFailure: 'skip',
          input: { text: 'x' },
        },
        {
          id: 'last',
          capability: 'text.echo',
          needs: ['left', 'right'],
          input: { text: { $ref: '/steps/left/output/text' } },
        },
      ],
    }
    const started = await pipelines.start(alice, definition, { text: 'hello' })
    pipelines.subscribe(started.id, (e) => {
      const event = e as { type: string; step?: string; state: string }
      events.push(event.type === 'step' ? `${event.step}:${event.state}` : `run:${event.state}`)
    })
    const done = (await pipelines.waitFor(started.id, 10_000))!
    expect(done.state).toBe('completed')
    expect(Object.fromEntries(Object.entries(done.steps).map(([id, s]) => [id, s.state]))).toEqual({
      first: 'completed',
      left: 'completed',
      right: 'failed',
      last: 'skipped',
    })
    expect(done.steps.left!.output).toEqual({ text: 'hello' })
    // The pair ran side by side: both started before either ended.
    const left = done.steps.left!
    const right = done.steps.right!
    expect(left.startedAtMs!).toBeLessThanOrEqual(right.endedAtMs!)
    expect(right.startedAtMs!).toBeLessThanOrEqual(left.endedAtMs!)
    expect(done.spentMicros).toBe(20_000n)
    expect(events).toContain('last:skipped')
    expect(events.at(-1)).toBe('run:completed')
  })

  it('lets steps run after a failure marked continue', async () => {
    const done = await run(
      {
        budget,
        steps: [
          { id: 'bad', capability: 'text.broken', onFailure: 'continue', input: { text: 'x' } },
          { id: 'after', capability: 'text.echo', needs: ['bad'], input: { text: 'still' } },
        ],
      },
      null,
    )
    expect(done.state).toBe('completed')
    expect(done.steps.after!.state).toBe('completed')
  })

  it('stops the run at a failure marked stop, skipping the rest', async () => {
    const done = await run(
      {
        budget,
        steps: [
          { id: 'bad', capability: 'text.broken', input: { text: 'x' } },
          { id: 'after', capability: 'text.echo', needs: ['bad'], input: { text: 'never' } },
        ],
      },
      null,
    )
    expect(done.state).toBe('failed')
    expect(done.steps.after!.state).toBe('skipped')
  })

  it('fails a step whose price cap exceeds what is left of the budget', async () => {
    const done = await run(
      {
        budget: { amount: '0.015', currency: 'USD' },
        steps: [{ id: 'a', capability: 'text.echo', maxPrice: '0.02', input: { text: 'x' } }],
      },
      null,
    )
    expect(done.steps.a!.error?.code).toBe('BUDGET_EXCEEDED')
    expect(done.state).toBe('failed')
  })

  it("lists only the caller's runs, newest first, and everyone's for an admin", async () => {
    const bob: Caller = { did: generateKeyPair().did, roles: ['client'] }
    const admin: Caller = { did: generateKeyPair().did, roles: ['admin'] }
    escrow.balances.set(bob.did, 10_000_000n)
    const definition: PipelineDefinition = {
      budget,
      steps: [{ id: 'a', capability: 'text.echo', input: { text: 'x' } }],
    }
    const started = []
    for (const caller of [alice, bob, alice]) {
      const r = await pipelines.start(caller, definition, null)
      await pipelines.waitFor(r.id, 10_000)
      started.push(r)
    }
    const [a1, b1, a2] = started.map((r) => r.id)
    const ids = async (caller: Caller, query = {}) =>
      (await pipelines.list(caller, { limit: 10, ...query })).map((r) => r.id)
    expect(await ids(alice)).toEqual([a1, a2].sort().reverse())
    expect(await ids(bob)).toEqual([b1])
    // A requester named in the query does not widen what a non-admin sees.
    expect(await ids(bob, { requester: alice.did })).toEqual([b1])
    expect((await ids(admin)).sort()).toEqual([a1, b1, a2].sort())
    expect(await ids(admin, { requester: bob.did })).toEqual([b1])
    expect(await ids(alice, { state: 'running' })).toEqual([])
  })

  describe('definition checks', () => {
    const step = (id: string, needs: string[] = [], input: unknown = {}) => ({
      id,
      capability: 'text.echo',
      needs,
      input,
    })

    it('names a cycle', () => {
      expect(() =>
        checkDefinition({ budget, steps: [step('a', ['c']), step('b', ['a']), step('c', ['b'])] }),
      ).toThrow(/cycle: a -> c -> b -> a/)
    })

    it('names a dangling need', () => {
      expect(() => checkDefinition({ budget, steps: [step('a', ['ghost'])] })).toThrow(
        /"a" needs "ghost"/,
      )
    })

    it('refuses a ref to a step that is not needed, and a repeated id', () => {
      expect(() =>
        checkDefinition({
          budget,
          steps: [step('a'), step('b', [], { x: { $ref: '/steps/a/output' } })],
        }),
      ).toThrow(/refers to "\/steps\/a\/output"/)
      expect(() => checkDefinition({ budget, steps: [step('a'), step('a')] })).toThrow(/used twice/)
    })
  })
})
