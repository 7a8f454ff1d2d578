import { randomBytes } from 'node:crypto'
import { jetstreamManager } from '@nats-io/jetstream'
import { Kvm } from '@nats-io/kv'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectNats, type NatsLink } from '../../../src/adapters/bus/nats/nats-connection.js'
import { NatsPresenceStore } from '../../../src/adapters/presence/nats-presence-store.js'
import { Presence } from '../../../src/core/registry/presence.js'
import { natsSkipReason, natsUrl } from '../../helpers/nats.js'
import { waitUntil } from '../../helpers/wait-until.js'

const skip = await natsSkipReason()
const silent = { debug() {}, info() {}, warn() {}, error() {} } as never

describe.skipIf(skip !== undefined)(
  `presence shared by two nodes in a NATS KV bucket${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    const bucket = `t${randomBytes(4).toString('hex')}-presence`
    const links: NatsLink[] = []
    const stores: NatsPresenceStore[] = []
    let now = 1_000_000
    const clock = { now: () => now }
    let a: Presence
    let b: Presence

    const node = async (id: string) => {
      const link = await connectNats(natsUrl, `presence-${id}`)
      links.push(link)
      const kv = await new Kvm(link.nc).create(bucket, { history: 1, ttl: 60_000 })
      const store = new NatsPresenceStore(kv, id, () => true, silent)
      await store.start()
      stores.push(store)
      return new Presence(clock, { store, ttlMs: 30_000 })
    }

    beforeAll(async () => {
      a = await node('a')
      b = await node('b')
    })

    afterAll(async () => {
      for (const store of stores) store.stop()
      const [first] = links
      if (first) await (await jetstreamManager(first.nc)).streams.delete(`KV_${bucket}`)
      await Promise.all(links.map((l) => l.close()))
    })

    it('keeps an agent online on every node by its HTTP heartbeats alone, until they stop', async () => {
      a.heartbeat('did:key:http-only')
      expect(a.isOnline('did:key:http-only')).toBe(true)
      await waitUntil(() => b.isOnline('did:key:http-only'), {
        what: 'node b to hear the heartbeat node a heard',
      })
      now += 31_000
      expect(a.isOnline('did:key:http-only')).toBe(false)
      expect(b.isOnline('did:key:http-only')).toBe(false)
    })

    it('goes by the fresher of a heartbeat heard here and a connection on another node', async () => {
      a.heartbeat('did:key:moved')
      now += 1000
      b.connected('did:key:moved')
      await waitUntil(() => a.state('did:key:moved').lastSeenMs === now, {
        what: 'node a to hear of the connection on node b',
      })
      now += 40_000
      // The connection on b keeps it online (b refreshes it); a's old heartbeat is not the answer.
      stores[1]!.refresh(now)
      await waitUntil(() => a.state('did:key:moved').lastSeenMs === now, {
        what: 'node a to hear node b’s refresh',
      })
      expect(a.isOnline('did:key:moved')).toBe(true)
      expect(b.isOnline('did:key:moved')).toBe(true)
    })
  },
)
