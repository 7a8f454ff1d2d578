import {
  authChallengeBytes,
  generateKeyPair,
  signBytes,
  toBase64url,
  type KeyPair,
} from '@agentmesh/protocol'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MemoryBus } from '../../src/adapters/bus/memory-bus.js'
import { openStore } from '../../src/adapters/store/open-store.js'
import { systemRandom } from '../../src/adapters/system/system-random.js'
import { AuthService } from '../../src/core/auth/auth-service.js'
import { PermissionService } from '../../src/core/auth/permission-service.js'
import type { Bus } from '../../src/core/ports/bus.js'
import { RecentCache } from '../../src/core/recent-cache.js'
import { ReputationService } from '../../src/core/reputation/reputation-service.js'
import { defaultScoring } from '../../src/core/reputation/score.js'
import type { Store } from '../../src/core/store.js'

const nodeKey = generateKeyPair()
/** Longer than any test: only a bus message can drop an entry. */
const HOUR_MS = 3_600_000
const clock = { now: () => 1_800_000_000_000 }
const audit = { record: () => Promise.resolve() }
/** Lets the in-process bus deliver what was published (it delivers a microtask later). */
const delivered = () => new Promise((resolve) => setTimeout(resolve, 0))

/** Two nodes on one database: each service twice, with caches that never expire by themselves. */
describe('caches that agree by message', () => {
  let store: Store
  let bus: MemoryBus

  beforeEach(async () => {
    store = await openStore({ kind: 'sqlite', filename: ':memory:' })
    bus = new MemoryBus()
  })
  afterEach(async () => {
    await bus.stop()
    await store.close()
  })

  const auth = (onBus: Bus | undefined, onRemoved: (did: string) => void = () => {}) =>
    new AuthService(
      { store, clock, random: systemRandom, onRemoved, ...(onBus ? { bus: onBus } : {}) },
      {
        nodeDid: nodeKey.did,
        closed: false,
        nonceTtlMs: 60_000,
        sessionTtlMs: HOUR_MS,
        cacheMs: HOUR_MS,
      },
    )
  const signIn = async (service: AuthService, key: KeyPair) => {
    const { nonce } = await service.challenge(key.did)
    const signature = toBase64url(signBytes(authChallengeBytes(nodeKey.did, nonce), key))
    return service.login({ did: key.did, nonce, signature })
  }

  it('refuses on the other node a token revoked on one, once the message arrives', async () => {
    const [one, other] = [auth(bus), auth(bus)]
    const { token } = await signIn(one, generateKeyPair())
    await other.authenticate(token) // cached there
    await one.revoke(token)
    await delivered()
    await expect(other.authenticate(token)).rejects.toMatchObject({ code: 'TOKEN_INVALID' })
  })

  it('keeps the revoked token on the other node without the bus: the message is what drops it', async () => {
    const [one, other] = [auth(undefined), auth(undefined)]
    const { token } = await signIn(one, generateKeyPair())
    await other.authenticate(token)
    await one.revoke(token)
    await delivered()
    await expect(other.authenticate(token)).resolves.toMatchObject({ roles: ['client'] })
  })

  it('applies role changes and removals made on one node on the other', async () => {
    const removed: string[] = []
    const [one, other] = [auth(bus), auth(bus, (did) => removed.push(did))]
    const key = generateKeyPair()
    const { token } = await signIn(one, key)
    expect((await other.authenticate(token)).roles).toEqual(['client'])
    await one.setRoles(key.did, ['client', 'validator'])
    await delivered()
    expect((await other.authenticate(token)).roles).toEqual(['client', 'validator'])
    await one.remove(key.did, nodeKey.did)
    await delivered()
    await expect(other.authenticate(token)).rejects.toMatchObject({ code: 'TOKEN_INVALID' })
    expect(removed).toEqual([key.did]) // the other node drops its permissions, closes its sockets
  })

  it('refuses on the other node a call a permission granted on one no longer covers', async () => {
    const permissions = () =>
      new PermissionService({
        permissions: store.permissions,
        principals: store.principals,
        clock,
        random: systemRandom,
        audit,
        bus,
        cacheMs: HOUR_MS,
      })
    const [one, other] = [permissions(), permissions()]
    const key = generateKeyPair()
    await auth(bus).setRoles(key.did, ['client'])
    const caller = { did: key.did, roles: ['client' as const] }
    const call = { capability: 'text.echo', maxPriceMicros: 10_000n, currency: 'USD' }
    await other.checkCall(caller, call) // no permissions: allowed, and cached
    const grant = await one.grant(nodeKey.did, key.did, {
      resource: 'capability',
      action: 'call',
      scope: { capability: 'text.upper' },
    })
    await delivered()
    await expect(other.checkCall(caller, call)).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await one.revoke(nodeKey.did, key.did, grant.id)
    await delivered()
    await expect(other.checkCall(caller, call)).resolves.toBeUndefined()
  })

  it('ranks on the other node with the outcomes and ratings recorded on one', async () => {
    const ratable = {
      requester: 'did:key:requester',
      agentId: 'did:key:agent',
      capabilityId: 'text.echo',
      settled: true,
      paidMicros: 10_000n,
      currency: 'USD',
    }
    const reputation = () =>
      new ReputationService(
        {
          store: store.reputation,
          clock,
          audit,
          tasks: { get: () => Promise.resolve(ratable) },
          bus,
          cacheMs: HOUR_MS,
        },
        defaultScoring,
      )
    const [one, other] = [reputation(), reputation()]
    const agentId = ratable.agentId
    expect((await other.summaries([agentId])).get(agentId)?.calls).toBe(0)
    await one.recordOutcome({
      taskId: 'task-1',
      agentId,
      capabilityId: 'text.echo',
      requester: ratable.requester,
      result: 'completed',
      latencyMs: 40,
      paidMicros: 10_000n,
      currency: 'USD',
      atMs: clock.now(),
    })
    await delivered()
    const after = (await other.summaries([agentId])).get(agentId)!
    expect(after).toMatchObject({ calls: 1, p95LatencyMs: 40 })
    await one.rate({ taskId: 'task-1', rater: ratable.requester, stars: 1 })
    await delivered()
    expect((await other.summaries([agentId])).get(agentId)!.score).toBeLessThan(after.score)
  })

  it('ignores messages that are not what the topic carries', async () => {
    const other = auth(bus)
    const { token } = await signIn(other, generateKeyPair())
    for (const body of [null, 'x', { tokenHash: 5 }, { did: 'x'.repeat(600) }])
      await bus.publish('auth.changed', body)
    await delivered()
    await expect(other.authenticate(token)).resolves.toMatchObject({ roles: ['client'] })
  })
})

describe('RecentCache', () => {
  it('keeps nothing read before a drop, so a drop racing a read is not undone', () => {
    const cache = new RecentCache<string, number>(HOUR_MS, 10)
    const readAt = cache.generation
    cache.delete('a') // the value changed while the old one was being read
    cache.set('a', 1, 0, readAt)
    expect(cache.get('a', 0)).toBeUndefined()
    cache.set('a', 2, 0, cache.generation)
    expect(cache.get('a', 0)).toBe(2)
  })

  it('keeps nothing with no expiry at all', () => {
    const cache = new RecentCache<string, number>(0, 10)
    cache.set('a', 1, 0)
    expect(cache.get('a', 0)).toBeUndefined()
  })
})
