import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@agentmesh/protocol'
import { sql, type Kysely } from 'kysely'
import pg from 'pg'
import {
  accountId,
  connectPostgres,
  connectSqlite,
  type Database,
  dropPostgresSchema,
  GroupCommit,
  LedgerService,
  openStore,
  type StoreLocation,
  SYSTEM,
  systemClock,
} from 'agentmesh/internal'
import { against, type BenchFigure } from './measure.js'

const CALLERS = 32

/** Runs `op` from `CALLERS` concurrent callers for `durationMs`; answers operations per second. */
async function rate(
  op: (caller: number, n: number) => Promise<unknown>,
  durationMs: number,
): Promise<number> {
  let done = 0
  const start = performance.now()
  const until = start + durationMs
  await Promise.all(
    Array.from({ length: CALLERS }, async (_, caller) => {
      for (let n = 0; performance.now() < until; n++) {
        await op(caller, n)
        done++
      }
    }),
  )
  return (done * 1000) / (performance.now() - start)
}

async function measure(
  label: string,
  location: StoreLocation,
  raw: Kysely<Database>,
  durationMs: number,
): Promise<BenchFigure[]> {
  const store = await openStore(location)
  try {
    await sql`create table if not exists bench_raw (id text primary key, amount text not null)`.execute(
      raw,
    )
    const rawInsert: BenchFigure = {
      suite: 'ledger',
      name: `raw INSERT, one per transaction (${label})`,
      opsPerSec: await rate(
        (c, n) =>
          raw
            .insertInto('bench_raw' as never)
            .values({ id: `${c}-${n}`, amount: '1' })
            .execute(),
        durationMs,
      ),
    }
    const sources = Array.from({ length: CALLERS }, () => accountId(generateKeyPair().did, 'USD'))
    const sink = accountId(generateKeyPair().did, 'USD')
    const figures: BenchFigure[] = [rawInsert]
    for (const [mode, batcher] of [
      ['single', undefined],
      ['group-committed 1 ms', new GroupCommit({ windowMs: 1 })],
    ] as const) {
      const ledger = new LedgerService({
        store: store.ledger,
        clock: systemClock,
        audit: { record: () => Promise.resolve() },
        nodeDid: 'did:bench',
        ...(batcher ? { batcher } : {}),
      })
      const tag = mode === 'single' ? 's' : 'g'
      await ledger.createTransfers(
        sources.map((creditAccount, i) => ({
          kind: 'posted' as const,
          id: `${tag}-seed-${i}`,
          debitAccount: accountId(SYSTEM.mint, 'USD'),
          creditAccount,
          amountMicros: 10n ** 15n,
          code: 'mint' as const,
        })),
        'did:bench',
      )
      const opsPerSec = await rate(
        (c, n) =>
          ledger.transfer(
            {
              kind: 'posted',
              id: `${tag}-${c}-${n}`,
              debitAccount: sources[c]!,
              creditAccount: sink,
              amountMicros: 1n,
              code: 'transfer',
            },
            'did:bench',
          ),
        durationMs,
      )
      figures.push(
        against({ suite: 'ledger', name: `transfers, ${mode} (${label})`, opsPerSec }, rawInsert),
      )
    }
    return figures
  } finally {
    await store.close()
  }
}

async function postgresReachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 })
  try {
    await client.connect()
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

/**
 * Ledger transfers per second from 32 concurrent callers, each in a transaction of its own and
 * group-committed, on SQLite (a file) and PostgreSQL (when reachable), each beside the rate of raw
 * one-row INSERTs into the same database in the same run.
 */
export async function ledgerBench(
  durationMs: number,
  postgresUrl: string | undefined,
): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'agentmesh-bench-'))
  const figures: BenchFigure[] = []
  try {
    const filename = join(dir, 'bench.db')
    const raw = connectSqlite(filename)
    try {
      figures.push(...(await measure('SQLite', { kind: 'sqlite', filename }, raw, durationMs)))
    } finally {
      await raw.destroy()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  if (postgresUrl && (await postgresReachable(postgresUrl))) {
    const schema = `bench_${Date.now().toString(36)}`
    const raw = await connectPostgres(postgresUrl, { schema })
    try {
      figures.push(
        ...(await measure(
          'PostgreSQL',
          { kind: 'postgres', url: postgresUrl, schema },
          raw,
          durationMs,
        )),
      )
    } finally {
      await raw.destroy()
      await dropPostgresSchema(postgresUrl, schema)
    }
  }
  return figures
}
