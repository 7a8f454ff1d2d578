import { describe, expect, it } from 'vitest'
import { Lifecycle, type NodeModule } from '../../src/node/lifecycle.js'
import { startTestNode } from '../helpers/test-node.js'
import { ManualScheduler } from '../helpers/manual-scheduler.js'

const quiet = { debug() {}, info() {}, warn() {}, error() {} }

describe('the node lifecycle', () => {
  it('stops the modules in reverse order', async () => {
    const events: string[] = []
    const lifecycle = new Lifecycle(quiet)
    for (const name of ['store', 'ledger', 'api']) {
      await lifecycle.start({
        name,
        start: () => void events.push(`start ${name}`),
        stop: () => void events.push(`stop ${name}`),
      })
    }
    await lifecycle.stop()
    expect(events).toEqual([
      'start store',
      'start ledger',
      'start api',
      'stop api',
      'stop ledger',
      'stop store',
    ])
  })

  it('stops the modules already started when one throws in start, closing the store, and rethrows', async () => {
    const events: string[] = []
    const lifecycle = new Lifecycle(quiet)
    const module = (name: string, fail = false): NodeModule => ({
      name,
      start: () => {
        if (fail) throw new Error(`${name} failed to start`)
        events.push(`start ${name}`)
      },
      stop: () => void events.push(`stop ${name}`),
    })
    await lifecycle.start({ name: 'store', stop: () => void events.push('store closed') })
    const started = lifecycle.build(async () => {
      await lifecycle.start(module('ledger'))
      await lifecycle.start(module('tasks'))
      await lifecycle.start(module('api', true))
      await lifecycle.start(module('demo'))
    })
    await expect(started).rejects.toThrow('api failed to start')
    expect(events).toEqual([
      'start ledger',
      'start tasks',
      'stop tasks',
      'stop ledger',
      'store closed',
    ])
  })

  it('stops every module even when one fails to stop, then reports the failure', async () => {
    const stopped: string[] = []
    const lifecycle = new Lifecycle(quiet)
    await lifecycle.start({ name: 'a', stop: () => void stopped.push('a') })
    await lifecycle.start({
      name: 'b',
      stop: () => {
        throw new Error('b failed to stop')
      },
    })
    await lifecycle.start({ name: 'c', stop: () => void stopped.push('c') })
    await expect(lifecycle.stop()).rejects.toThrow('b failed to stop')
    expect(stopped).toEqual(['c', 'a'])
  })
})

describe('a node on a manual scheduler', () => {
  it('runs its periodic jobs when the test says so, and none is left once it stops', async () => {
    const scheduler = new ManualScheduler()
    const node = await startTestNode({ presenceTtlMs: 3000 }, { scheduler })
    try {
      expect(scheduler.jobs).toEqual(
        expect.arrayContaining([
          'signing the audit head',
          'expiring pending transfers',
          'sweeping presence',
          'checking imported agents',
          'evaluating alerts',
          'verifying',
        ]),
      )
      await scheduler.tick(60 * 60_000)
      expect(scheduler.failures).toEqual([])
    } finally {
      await node.stop()
    }
    expect(scheduler.jobs).toEqual([])
  })

  it('stops what it started and rethrows when start-up fails half-way', async () => {
    const first = await startTestNode()
    const scheduler = new ManualScheduler()
    try {
      const port = Number(new URL(first.url).port)
      // The port is taken: listening fails after the store, the ledger and the API have started.
      await expect(startTestNode({ port }, { scheduler })).rejects.toThrow(/EADDRINUSE|in use/)
      expect(scheduler.jobs).toEqual([])
    } finally {
      await first.stop()
    }
  })
})
