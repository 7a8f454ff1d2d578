import { describe, expect, it } from 'vitest'
import { MemoryPresenceStore } from '../../../src/adapters/presence/memory-presence-store.js'
import { Presence } from '../../../src/core/registry/presence.js'
import { TestClock } from '../../helpers/registry-fixture.js'

function setup() {
  const clock = new TestClock()
  const presence = new Presence(clock, { ttlMs: 30_000, store: new MemoryPresenceStore() })
  const changes: string[] = []
  presence.onChange((id, online) => changes.push(`${id} ${online ? 'online' : 'offline'}`))
  return { clock, presence, changes }
}

describe('Presence', () => {
  it('keeps an agent online for the TTL after each heartbeat', () => {
    const { clock, presence, changes } = setup()
    presence.heartbeat('a')
    clock.nowMs += 29_999
    expect(presence.isOnline('a')).toBe(true)
    presence.heartbeat('a')
    clock.nowMs += 29_999
    presence.sweep()
    expect(presence.isOnline('a')).toBe(true)
    clock.nowMs += 1
    expect(presence.isOnline('a')).toBe(false)
    presence.sweep()
    expect(changes).toEqual(['a online', 'a offline'])
    expect(presence.onlineAgents()).toEqual([])
  })

  it('keeps a connected agent online until its last connection closes', () => {
    const { clock, presence, changes } = setup()
    presence.disconnected('a')
    presence.heartbeat('b')
    presence.disconnected('b')
    expect(presence.isOnline('b')).toBe(true)
    changes.length = 0
    presence.connected('a')
    presence.connected('a')
    clock.nowMs += 120_000
    presence.sweep()
    expect(presence.isOnline('a')).toBe(true)
    presence.disconnected('a')
    expect(presence.isOnline('a')).toBe(true)
    presence.disconnected('a')
    expect(presence.isOnline('a')).toBe(false)
    expect(changes.filter((c) => c.startsWith('a'))).toEqual(['a online', 'a offline'])
  })

  it('reports load, and reports each transition once', () => {
    const { presence, changes } = setup()
    presence.heartbeat('a', 3)
    presence.heartbeat('a')
    presence.setLoad('a', 2)
    expect(presence.state('a')).toMatchObject({ online: true, inFlight: 2, connections: 0 })
    expect(changes).toEqual(['a online'])
    expect(presence.state('nobody')).toEqual({
      online: false,
      lastSeenMs: null,
      connections: 0,
      inFlight: 0,
    })
  })
})
