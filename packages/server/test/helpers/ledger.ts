import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore } from '../../src/adapters/store/open-store.js'
import type { AuditEvent, AuditSink } from '../../src/core/ports/audit-sink.js'
import type { Store } from '../../src/core/store.js'
import { dropPostgresSchema, freshSchema, postgresSkipReason, postgresUrl } from './postgres.js'

/** A clock the test moves by hand. */
export class ManualClock {
  constructor(public ms = Date.UTC(2030, 0, 1)) {}
  now(): number {
    return this.ms
  }
  advance(ms: number): void {
    this.ms += ms
  }
}

/** An audit sink that keeps what it is told. */
export class MemoryAudit implements AuditSink {
  readonly events: AuditEvent[] = []
  record(event: AuditEvent): Promise<void> {
    this.events.push(event)
    return Promise.resolve()
  }
}

export interface Backend {
  name: string
  skipReason: string | undefined
  open(): Promise<Store>
  cleanup(): Promise<void>
}

/** SQLite (a file) and PostgreSQL (a schema of its own), for suites that run on both. */
export async function ledgerBackends(): Promise<Backend[]> {
  const dir = mkdtempSync(join(tmpdir(), 'agentmesh-ledger-'))
  const schema = freshSchema()
  return [
    {
      name: 'SQLite',
      skipReason: undefined,
      open: () => openStore({ kind: 'sqlite', filename: join(dir, 'ledger.db') }),
      cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    },
    {
      name: 'PostgreSQL',
      skipReason: await postgresSkipReason(),
      open: () => openStore({ kind: 'postgres', url: postgresUrl, schema }),
      cleanup: () => dropPostgresSchema(postgresUrl, schema),
    },
  ]
}
