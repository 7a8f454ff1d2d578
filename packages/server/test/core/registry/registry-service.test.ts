import { generateKeyPair, signJws } from '@agentmesh/protocol'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { BusMessage } from '../../../src/core/ports/bus.js'
import type { RegistryEvent } from '../../../src/core/registry/registry-store.js'
import { REGISTRY_CHANGED } from '../../../src/core/registry/registry-service.js'
import { agentCard } from '../../helpers/agent-cards.js'
import { registryFixture } from '../../helpers/registry-fixture.js'

type Fixture = Awaited<ReturnType<typeof registryFixture>>

describe('RegistryService', () => {
  let f: Fixture

  beforeEach(async () => {
    f = await registryFixture()
  })
  afterEach(() => f.store.close())

  it('audits registrations, updates and removals, ok and denied', async () => {
    const key = generateKeyPair()
    const caller = f.callerOf(key)
    await f.registry.register(caller, signJws(agentCard(key), key))
    await expect(f.registry.register(caller, signJws(agentCard(key), key))).rejects.toMatchObject({
      code: 'AGENT_EXISTS',
    })
    await f.registry.update(caller, key.did, signJws(agentCard(key, { version: 2 }), key))
    const stranger = generateKeyPair()
    await expect(f.registry.remove(f.callerOf(stranger), key.did)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    })
    await f.registry.remove(caller, key.did)
    expect(f.audit.map((e) => [e.action, e.result, e.actor === key.did])).toEqual([
      ['agent.register', 'ok', true],
      ['agent.register', 'denied', true],
      ['agent.update', 'ok', true],
      ['agent.remove', 'denied', false],
      ['agent.remove', 'ok', true],
    ])
    expect(f.audit[0]?.resource).toBe(`agent:${key.did}`)
  })

  it('lets an admin remove any agent', async () => {
    const key = await f.add((k) => agentCard(k))
    await f.registry.remove({ did: generateKeyPair().did, roles: ['admin'] }, key.did)
    expect(await f.registry.get(key.did)).toBeUndefined()
  })

  it('re-registers a removed agent only with a higher version', async () => {
    const key = await f.add((k) => agentCard(k))
    const caller = f.callerOf(key)
    await f.registry.remove(caller, key.did)
    await expect(f.registry.register(caller, signJws(agentCard(key), key))).rejects.toMatchObject({
      code: 'VERSION_CONFLICT',
    })
    await f.registry.register(caller, signJws(agentCard(key, { version: 2 }), key))
    expect((await f.registry.get(key.did))?.version).toBe(2)
  })

  it('stores and publishes every change and presence transition, numbered in order', async () => {
    const published: RegistryEvent[] = []
    f.bus.subscribe(REGISTRY_CHANGED, (m: BusMessage) => published.push(m.body as RegistryEvent))
    const key = await f.add((k) => agentCard(k))
    f.presence.heartbeat(key.did)
    f.clock.nowMs += 30_000
    f.presence.sweep()
    await f.registry.flush()
    await f.registry.update(f.callerOf(key), key.did, signJws(agentCard(key, { version: 2 }), key))
    await f.registry.remove(f.callerOf(key), key.did)
    await f.registry.flush()
    const stored = await f.registry.eventsAfter(0)
    expect(stored.map((e) => e.type)).toEqual([
      'registered',
      'online',
      'offline',
      'updated',
      'removed',
    ])
    expect(stored.map((e) => e.seq)).toEqual([...stored.map((e) => e.seq)].sort((a, b) => a - b))
    expect(stored[0]?.data).toEqual({ version: 1, name: 'sentiment' })
    await new Promise((resolve) => setImmediate(resolve))
    expect(published.map((e) => e.seq).sort((a, b) => a - b)).toEqual(stored.map((e) => e.seq))
    expect(await f.registry.eventsAfter(stored[2]!.seq)).toEqual(stored.slice(3))
    expect(await f.registry.lastEventSeq()).toBe(stored.at(-1)?.seq)
  })

  it('refuses heartbeats for an unknown agent', async () => {
    const key = generateKeyPair()
    await expect(f.registry.heartbeat(f.callerOf(key), key.did)).rejects.toMatchObject({
      code: 'AGENT_NOT_FOUND',
    })
  })
})
