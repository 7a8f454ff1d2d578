/**
 * The wall clock jumping forward and back, driven through the Clock port: expiries follow the
 * clock forward, and a backward jump never revives what expired nor stretches a task's attempt
 * past its SLA timeout (attempt deadlines run on timers, not on the wall clock).
 */
import { authChallengeBytes, generateKeyPair, signBytes, toBase64url } from '@agentmesh/protocol'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MemoryBus } from '../../src/adapters/bus/memory-bus.js'
import { openStore } from '../../src/adapters/store/open-store.js'
import { systemRandom } from '../../src/adapters/system/system-random.js'
import { AuthService } from '../../src/core/auth/auth-service.js'
import type { Caller } from '../../src/core/auth/caller.js'
import { LedgerService } from '../../src/core/ledger/ledger-service.js'
import { accountId, SYSTEM } from '../../src/core/ledger/types.js'
import type { Store } from '../../src/core/store.js'
import type { Timers } from '../../src/core/ports/timers.js'
import { MemoryPresenceStore } from '../../src/adapters/presence/memory-presence-store.js'
import { Presence } from '../../src/core/registry/presence.js'
import { AjvTaskValidator } from '../../src/adapters/schema/task-schema-validator.js'
import { TaskService } from '../../src/core/tasks/task-service.js'
import { ManualClock, MemoryAudit } from '../helpers/ledger.js'
import {
  candidate,
  ListDirectory,
  MemoryEscrow,
  Recorder,
  ScriptedTransport,
} from '../core/tasks/task-doubles.js'

const HOUR = 3_600_000

/** Timers the test fires by hand; it sees every delay asked for. */
class ManualTimers implements Timers {
  readonly pending: { fn: () => void; ms: number }[] = []
  setTimeout(fn: () => void, ms: number): () => void {
    const entry = { fn, ms }
    this.pending.push(entry)
    return () => {
      const i = this.pending.indexOf(entry)
      if (i >= 0) this.pending.splice(i, 1)
    }
  }
  fireAll(): void {
    for (const entry of this.pending.splice(0)) entry.fn()
  }
}

describe('clock jumps', () => {
  let store: Store
  let clock: ManualClock

  beforeEach(async () => {
    store = await openStore({ kind: 'sqlite', filename: ':memory:' })
    clock = new ManualClock()
  })
  afterEach(() => store.close())

  function auth() {
    return new AuthService(
      { store, clock, random: systemRandom },
      { nodeDid: 'did:node', closed: false, nonceTtlMs: 60_000, sessionTtlMs: HOUR },
    )
  }

  it('expires a nonce when the clock jumps past its TTL, and a jump back does not revive it', async () => {
    const service = auth()
    const key = generateKeyPair()
    const sign = (nonce: string) =>
      toBase64url(signBytes(authChallengeBytes('did:node', nonce), key))
    const { nonce } = await service.challenge(key.did)
    clock.advance(2 * HOUR)
    await expect(service.login({ did: key.did, nonce, signature: sign(nonce) })).rejects.toThrow(
      'expired',
    )
    clock.advance(-2 * HOUR)
    // The nonce was consumed by the refused attempt: replaying it after the jump back fails too.
    await expect(
      service.login({ did: key.did, nonce, signature: sign(nonce) }),
    ).rejects.toMatchObject({ code: 'NONCE_INVALID' })
    const fresh = await service.challenge(key.did)
    clock.advance(-HOUR)
    expect(
      (await service.login({ did: key.did, nonce: fresh.nonce, signature: sign(fresh.nonce) }))
        .token,
    ).toMatch(/^amt_/)
  })

  it('expires a session token when the clock jumps past its TTL', async () => {
    const service = auth()
    const did = generateKeyPair().did
    await service.ensurePrincipal(did, ['client'])
    const { token } = await service.issue(did, HOUR)
    clock.advance(-HOUR)
    expect((await service.authenticate(token)).did).toBe(did)
    clock.advance(2 * HOUR + 1)
    await expect(service.authenticate(token)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' })
  })

  it('voids a pending transfer once the clock passes its timeout, not before, whatever the jumps', async () => {
    const ledger = new LedgerService({
      store: store.ledger,
      clock,
      audit: new MemoryAudit(),
      nodeDid: 'did:node',
    })
    const payer = generateKeyPair().did
    const usd = (owner: string) => accountId(owner, 'USD')
    await ledger.transfer(
      {
        kind: 'posted',
        id: 'seed',
        debitAccount: usd(SYSTEM.mint),
        creditAccount: usd(payer),
        amountMicros: 10_000_000n,
        code: 'mint',
      },
      'did:admin',
    )
    await ledger.transfer(
      {
        kind: 'pending',
        id: 'hold',
        debitAccount: usd(payer),
        creditAccount: usd(generateKeyPair().did),
        amountMicros: 1_000_000n,
        code: 'transfer',
        timeoutMs: 60_000,
      },
      payer,
    )
    clock.advance(-HOUR)
    expect(await ledger.expirePending()).toBe(0)
    clock.advance(HOUR + 59_000)
    expect(await ledger.expirePending()).toBe(0)
    clock.advance(2 * HOUR)
    expect(await ledger.expirePending()).toBe(1)
    clock.advance(-3 * HOUR)
    expect(await ledger.expirePending()).toBe(0)
    expect((await ledger.accountOrEmpty(usd(payer))).debitsPending).toBe(0n)
    expect((await ledger.verify()).ok).toBe(true)
  })

  it('takes an agent offline when the clock jumps past the presence TTL, and online again on a heartbeat', () => {
    const presence = new Presence(clock, { ttlMs: 30_000, store: new MemoryPresenceStore() })
    presence.heartbeat('did:a')
    expect(presence.isOnline('did:a')).toBe(true)
    clock.advance(31_000)
    expect(presence.isOnline('did:a')).toBe(false)
    clock.advance(-HOUR)
    presence.heartbeat('did:a')
    expect(presence.isOnline('did:a')).toBe(true)
    clock.advance(HOUR + 31_000)
    expect(presence.isOnline('did:a')).toBe(false)
  })

  describe('task deadlines', () => {
    const alice: Caller = { did: generateKeyPair().did, roles: ['client'] }
    let timers: ManualTimers
    let transport: ScriptedTransport
    let escrow: MemoryEscrow
    let service: TaskService

    beforeEach(() => {
      timers = new ManualTimers()
      transport = new ScriptedTransport({ 'did:a': [{ kind: 'hang' }] })
      escrow = new MemoryEscrow()
      escrow.balances.set(alice.did, 1_000_000n)
      const recorder = new Recorder()
      service = new TaskService(
        {
          tasks: store.tasks,
          transport,
          escrow,
          outcomes: recorder,
          audit: recorder,
          bus: new MemoryBus(),
          clock,
          timers,
          validator: new AjvTaskValidator(),
          nodeDid: 'did:node',
          directory: new ListDirectory([candidate('did:a')]),
          random: systemRandom,
        },
        { defaultTimeoutMs: 5_000, maxCandidates: 5, maxDepth: 3 },
      )
    })
    afterEach(() => service.stop())

    async function dispatched(n: number) {
      while (transport.calls.length < n) await new Promise((resolve) => setImmediate(resolve))
    }

    it('bounds an attempt by the SLA timeout even when the clock jumped back an hour', async () => {
      clock.advance(-HOUR)
      const { task } = await service.submit(alice, {
        capability: 'text.echo',
        input: { text: 'hi' },
        maxPriceMicros: 50_000n,
        currency: 'USD',
        timeoutMs: 5_000,
        retry: { maximumAttempts: 1 },
      })
      await dispatched(1)
      clock.advance(-HOUR)
      // The attempt's timer asks for at most the SLA's 200 ms, whatever the wall clock says.
      expect(Math.max(...timers.pending.map((t) => t.ms))).toBeLessThanOrEqual(200)
      timers.fireAll()
      const done = await service.waitFor(task.id, 10_000)
      expect(['timed_out', 'failed']).toContain(done.state)
      expect(escrow.reservations.get(task.id)?.state ?? 'voided').not.toBe('pending')
    })

    it('times a task out, unpaid, when the clock jumps past its deadline', async () => {
      const { task } = await service.submit(alice, {
        capability: 'text.echo',
        input: { text: 'hi' },
        maxPriceMicros: 50_000n,
        currency: 'USD',
        timeoutMs: 5_000,
        retry: { maximumAttempts: 3, initialIntervalMs: 1, maximumIntervalMs: 1 },
      })
      await dispatched(1)
      clock.advance(HOUR)
      timers.fireAll()
      const done = await service.waitFor(task.id, 10_000)
      expect(done.state).toBe('timed_out')
      expect(done.settlement?.state).not.toBe('posted')
      expect(escrow.paid.size).toBe(0)
      expect(escrow.balances.get(alice.did)).toBe(1_000_000n)
    })
  })
})
