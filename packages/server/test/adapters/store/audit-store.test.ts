import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fromHex, generateKeyPair, verifyConsistency, verifyInclusion } from '@agentmesh/protocol'
import SqliteDatabase from 'better-sqlite3'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore } from '../../../src/adapters/store/open-store.js'
import { AuditLog, type SignedTreeHead } from '../../../src/core/audit/audit-log.js'
import type { AuditEntryWire } from '../../../src/core/audit/audit-entry.js'
import { rootOf } from '../../../src/core/audit/merkle.js'
import type { Caller } from '../../../src/core/auth/caller.js'
import type { Store } from '../../../src/core/store.js'
import { verifyAuditLog } from '../../helpers/audit-reference.js'
import {
  dropPostgresSchema,
  freshSchema,
  postgresSkipReason,
  postgresUrl,
} from '../../helpers/postgres.js'

/** Runs one SQL statement on the database behind the store's back, as an attacker with disk access would. */
type RawSql = (text: string, params: unknown[]) => Promise<Record<string, unknown>[]>

interface Backend {
  open(): Promise<Store>
  /**
   * A second connection as another node process would have. SQLite answers the same store:
   * better-sqlite3 waits for a lock synchronously, so two connections in one thread would
   * deadlock, and a cluster of nodes runs on PostgreSQL anyway.
   */
  openOther(first: Store): Promise<Store>
  raw(): Promise<{ query: RawSql; close(): Promise<void> }>
  cleanup(): Promise<void>
}

const admin: Caller = { did: 'did:key:admin', roles: ['admin'] }
const key = generateKeyPair()
let now = 1_700_000_000_000
const clock = { now: () => (now += 7) }
const options = { headEveryEntries: 1000, headEveryMs: 60_000, maxPageEntries: 1000 }

async function allEntries(log: AuditLog): Promise<AuditEntryWire[]> {
  const entries: AuditEntryWire[] = []
  let cursor: string | undefined
  do {
    const page = await log.list(admin, { limit: 40, ...(cursor ? { cursor } : {}) })
    entries.push(...page.entries)
    cursor = page.nextCursor ?? undefined
  } while (cursor)
  return entries
}

async function burst(log: AuditLog, count: number, actor = 'did:key:alice'): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      log.record({
        actor: i % 3 === 0 ? 'did:key:bob' : actor,
        action: i % 2 === 0 ? 'auth.login' : 'transfer.posted',
        resource: `transfer:${i}`,
        result: 'ok',
        details: { i, amountMicros: 10n ** 20n + BigInt(i), note: 'héllo ✓' },
      }),
    ),
  )
}

/**
 * Changes one byte (one character) of a column of entry `seq`; answers the original value.
 * Statements use `?` placeholders; column names come from the test table only.
 */
async function changeOneByte(raw: RawSql, column: string, seq: number): Promise<unknown> {
  const [row] = await raw(`select ${column} as v from audit_entries where seq = ?`, [seq])
  const original = row!.v
  const value = String(original)
  const at = Math.floor(value.length / 2)
  const code = value.charCodeAt(at)
  const changed =
    value.slice(0, at) + String.fromCharCode(code === 0x39 ? 0x38 : code + 1) + value.slice(at + 1)
  await setColumn(raw, column, seq, column === 'time_ms' ? Number(changed) : changed)
  return original
}

async function setColumn(raw: RawSql, column: string, seq: number, value: unknown): Promise<void> {
  await raw(`update audit_entries set ${column} = ? where seq = ?`, [value, seq])
}

function auditContract(name: string, backend: Backend, skipReason?: string): void {
  describe.skipIf(skipReason !== undefined)(
    `audit log on ${name}${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    () => {
      let store: Store
      let log: AuditLog
      let head: SignedTreeHead

      beforeAll(async () => {
        store = await backend.open()
        log = new AuditLog({ store: store.audit, clock, key }, options)
        await burst(log, 60)
        head = (await log.signHead(clock.now()))!
      })
      afterAll(async () => {
        await store?.close()
        await backend.cleanup()
      })

      it('appends one chain and a head whose root and signature verify', async () => {
        expect(head.size).toBe(60)
        const entries = await allEntries(log)
        expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1))
        expect(entries[0]!.details).toMatchObject({ amountMicros: '100000000000000000000' })
        expect(verifyAuditLog(entries, head, key.did)).toMatchObject({ ok: true, entries: 60 })
        expect(verifyAuditLog(entries, head, generateKeyPair().did)).toMatchObject({
          ok: false,
          seq: null,
        })
      })

      it('serves inclusion and consistency proofs that verify against the signed heads', async () => {
        const entries = await allEntries(log)
        const leaves = entries.map((e) => fromHex(e.leafHash))
        for (const seq of [1, 2, 31, 32, 33, 60]) {
          const proof = await log.inclusionProof(admin, seq)
          expect(
            verifyInclusion(
              leaves[seq - 1]!,
              proof.leafIndex,
              proof.size,
              proof.path.map(fromHex),
              fromHex(head.root),
            ),
          ).toBe(true)
        }
        for (const from of [1, 7, 32, 59, 60]) {
          const proof = await log.consistencyProof(from)
          const oldRoot = rootOf(leaves.slice(0, from))
          expect(
            verifyConsistency(from, 60, oldRoot, fromHex(head.root), proof.path.map(fromHex)),
          ).toBe(true)
        }
      })

      it('shows a non-admin only the entries where they are the actor', async () => {
        const bob: Caller = { did: 'did:key:bob', roles: ['client'] }
        const page = await log.list(bob, { limit: 1000 })
        expect(page.entries.length).toBe(20)
        expect(page.entries.every((e) => e.actor === bob.did)).toBe(true)
        await expect(log.list(bob, { actor: 'did:key:alice', limit: 10 })).rejects.toMatchObject({
          code: 'FORBIDDEN',
        })
        await expect(log.inclusionProof(bob, 2)).rejects.toMatchObject({ code: 'FORBIDDEN' })
        expect((await log.inclusionProof(bob, 1)).seq).toBe(1)
        const logins = await log.list(admin, { action: 'auth.login', limit: 1000 })
        expect(logins.entries.length).toBe(30)
      })

      it('keeps one chain when two processes append to the same database at once', async () => {
        const other = await backend.openOther(store)
        const otherLog = new AuditLog(
          { store: other.audit, clock, key: generateKeyPair() },
          options,
        )
        await Promise.all([burst(log, 40, 'did:key:one'), burst(otherLog, 40, 'did:key:two')])
        if (other !== store) await other.close()
        const entries = await allEntries(log)
        expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 140 }, (_, i) => i + 1))
        const newHead = (await log.signHead(clock.now()))!
        expect(verifyAuditLog(entries, newHead, key.did)).toMatchObject({ ok: true, entries: 140 })
        const proof = await log.consistencyProof(60, 140)
        const ok = verifyConsistency(
          60,
          140,
          fromHex(head.root),
          fromHex(newHead.root),
          proof.path.map(fromHex),
        )
        expect(ok).toBe(true)
        head = newHead
      })

      it.each([
        ['actor', 17],
        ['details', 23],
        ['time_ms', 41],
        ['chain_hash', 99],
        ['leaf_hash', 100],
        ['resource', 140],
      ])(
        'fails verification at exactly the entry whose %s lost a byte (seq %i)',
        async (column, seq) => {
          const raw = await backend.raw()
          try {
            const original = await changeOneByte(raw.query, column, seq)
            const verdict = verifyAuditLog(await allEntries(log), head, key.did)
            expect(verdict).toMatchObject({ ok: false, seq })
            // Restored, the log verifies again.
            await setColumn(raw.query, column, seq, original)
            expect(verifyAuditLog(await allEntries(log), head, key.did)).toMatchObject({ ok: true })
          } finally {
            await raw.close()
          }
        },
      )
    },
  )
}

const dir = mkdtempSync(join(tmpdir(), 'agentmesh-audit-'))
const file = join(dir, 'agentmesh.db')
auditContract('SQLite', {
  open: () => openStore({ kind: 'sqlite', filename: file }),
  openOther: (first) => Promise.resolve(first),
  raw: () => {
    const db = new SqliteDatabase(file)
    db.pragma('busy_timeout = 5000')
    return Promise.resolve({
      query: (text, params) => {
        const statement = db.prepare(text)
        if (statement.reader)
          return Promise.resolve(statement.all(...params) as Record<string, unknown>[])
        statement.run(...params)
        return Promise.resolve([])
      },
      close: () => Promise.resolve(void db.close()),
    })
  },
  cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
})

const schema = freshSchema()
auditContract(
  'PostgreSQL',
  {
    open: () => openStore({ kind: 'postgres', url: postgresUrl, schema }),
    openOther: () => openStore({ kind: 'postgres', url: postgresUrl, schema }),
    raw: async () => {
      const client = new pg.Client({
        connectionString: postgresUrl,
        options: `-c search_path=${schema}`,
      })
      await client.connect()
      return {
        query: async (text, params) => {
          let n = 0
          const numbered = text.replace(/\?/g, () => `$${++n}`)
          return (await client.query(numbered, params)).rows as Record<string, unknown>[]
        },
        close: () => client.end(),
      }
    },
    cleanup: () => dropPostgresSchema(postgresUrl, schema),
  },
  await postgresSkipReason(),
)
