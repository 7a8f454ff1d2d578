import { generateKeyPair } from '@agentmesh/protocol'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore } from '../../../src/adapters/store/open-store.js'
import type { AuditEntryWire } from '../../../src/core/audit/audit-entry.js'
import { AuditLog } from '../../../src/core/audit/audit-log.js'
import type { AuditStore } from '../../../src/core/audit/audit-store.js'
import type { Store } from '../../../src/core/store.js'
import { verifyAuditLog } from '../../helpers/audit-reference.js'

const admin = { did: 'did:key:admin', roles: ['admin' as const] }
const key = generateKeyPair()
const options = { headEveryEntries: 10_000, headEveryMs: 60_000, maxPageEntries: 1000 }

/** The store's audit port, counting appends and failing the ones `fail` picks. */
function counted(inner: AuditStore, fail: (call: number) => boolean) {
  const calls: number[] = []
  const store: AuditStore = Object.create(inner) as AuditStore
  store.append = (count, build) => {
    calls.push(count)
    if (fail(calls.length)) return Promise.reject(new Error(`append ${calls.length} failed`))
    return inner.append(count, build)
  }
  return { store, calls }
}

describe('audit appends in batches', () => {
  let store: Store
  beforeEach(async () => {
    store = await openStore({ kind: 'sqlite', filename: ':memory:' })
  })
  afterEach(async () => {
    await store.close()
  })

  const record = (log: AuditLog, i: number) =>
    log.record({
      actor: 'did:key:alice',
      action: 'test.burst',
      resource: `r:${i}`,
      result: 'ok',
      details: { i },
    })

  it('writes concurrent records together, in call order, as one chain that verifies', async () => {
    const { store: audit, calls } = counted(store.audit, () => false)
    let now = 1_700_000_000_000
    const log = new AuditLog({ store: audit, clock: { now: () => (now += 3) }, key }, options)
    await Promise.all(Array.from({ length: 100 }, (_, i) => record(log, i)))
    expect(calls.reduce((a, b) => a + b, 0)).toBe(100)
    // The first append goes at once; the rest wait for it and share a transaction.
    expect(calls.length).toBeLessThan(10)
    const head = (await log.signHead(now))!
    const { entries } = await log.list(admin, { limit: 1000 })
    expect(entries.map((e: AuditEntryWire) => e.resource)).toEqual(
      Array.from({ length: 100 }, (_, i) => `r:${i}`),
    )
    expect(verifyAuditLog(entries, head, key.did)).toMatchObject({ ok: true, entries: 100 })
  })

  it('fails only the records of a failed batch; later ones still chain on', async () => {
    const { store: audit } = counted(store.audit, (call) => call === 2)
    const log = new AuditLog({ store: audit, clock: { now: () => Date.now() }, key }, options)
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => record(log, i)))
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []))
    // Record 0 went alone; records 1–19 arrived during it and formed the second, failed, batch.
    expect(failed).toEqual(Array.from({ length: 19 }, (_, i) => i + 1))
    await record(log, 20)
    await log.flush()
    const head = (await log.signHead(Date.now()))!
    const { entries } = await log.list(admin, { limit: 1000 })
    expect(entries.map((e) => e.resource)).toEqual(['r:0', 'r:20'])
    expect(verifyAuditLog(entries, head, key.did)).toMatchObject({ ok: true, entries: 2 })
  })
})
