import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore } from '../../../src/adapters/store/open-store.js'
import {
  dropPostgresSchema,
  freshSchema,
  postgresSkipReason,
  postgresUrl,
} from '../../helpers/postgres.js'
import { storeContract } from './store-contract.js'

const dir = mkdtempSync(join(tmpdir(), 'agentmesh-store-'))
const file = join(dir, 'agentmesh.db')
storeContract('SQLite file', {
  open: () => openStore({ kind: 'sqlite', filename: file }),
  reopen: () => openStore({ kind: 'sqlite', filename: file }),
  cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
})

const schema = freshSchema()
storeContract(
  'PostgreSQL',
  {
    open: () => openStore({ kind: 'postgres', url: postgresUrl, schema }),
    reopen: () => openStore({ kind: 'postgres', url: postgresUrl, schema }),
    cleanup: () => dropPostgresSchema(postgresUrl, schema),
  },
  await postgresSkipReason(),
)
