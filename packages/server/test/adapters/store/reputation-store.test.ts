import { openStore } from '../../../src/adapters/store/open-store.js'
import {
  dropPostgresSchema,
  freshSchema,
  postgresSkipReason,
  postgresUrl,
} from '../../helpers/postgres.js'
import { reputationStoreContract } from './reputation-store-contract.js'

reputationStoreContract('SQLite', {
  open: () => openStore({ kind: 'sqlite', filename: ':memory:' }),
  cleanup: () => Promise.resolve(),
})

const schema = freshSchema()
reputationStoreContract(
  'PostgreSQL',
  {
    open: () => openStore({ kind: 'postgres', url: postgresUrl, schema }),
    cleanup: () => dropPostgresSchema(postgresUrl, schema),
  },
  await postgresSkipReason(),
)
