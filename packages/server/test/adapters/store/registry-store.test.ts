import { openStore } from '../../../src/adapters/store/open-store.js'
import {
  dropPostgresSchema,
  freshSchema,
  postgresSkipReason,
  postgresUrl,
} from '../../helpers/postgres.js'
import { registryStoreContract } from './registry-store-contract.js'

registryStoreContract('SQLite', {
  open: () => openStore({ kind: 'sqlite', filename: ':memory:' }),
  reopen: () => openStore({ kind: 'sqlite', filename: ':memory:' }),
  cleanup: () => Promise.resolve(),
})

const schema = freshSchema()
registryStoreContract(
  'PostgreSQL',
  {
    open: () => openStore({ kind: 'postgres', url: postgresUrl, schema }),
    reopen: () => openStore({ kind: 'postgres', url: postgresUrl, schema }),
    cleanup: () => dropPostgresSchema(postgresUrl, schema),
  },
  await postgresSkipReason(),
)
