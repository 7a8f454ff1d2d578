import { openStore } from '../../src/adapters/store/open-store.js'
import type { Store } from '../../src/core/store.js'
import { dropPostgresSchema, freshSchema, postgresSkipReason, postgresUrl } from './postgres.js'

/** A store test suite on one database: its name, how to open a store, how to clean up after. */
type StoreSuite = (
  name: string,
  open: () => Promise<Store>,
  cleanup: () => Promise<void>,
  skipReason?: string,
) => void

/** Runs `suite` on SQLite (in memory) and on PostgreSQL (in a schema of its own). */
export async function onBothDatabases(suite: StoreSuite): Promise<void> {
  suite(
    'SQLite',
    () => openStore({ kind: 'sqlite', filename: ':memory:' }),
    () => Promise.resolve(),
  )
  const schema = freshSchema()
  suite(
    'PostgreSQL',
    () => openStore({ kind: 'postgres', url: postgresUrl, schema }),
    () => dropPostgresSchema(postgresUrl, schema),
    await postgresSkipReason(),
  )
}
