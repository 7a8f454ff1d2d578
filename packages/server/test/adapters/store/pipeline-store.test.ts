import { openStore } from '../../../src/adapters/store/open-store.js'
import {
  dropPostgresSchema,
  freshSchema,
  postgresSkipReason,
  postgresUrl,
} from '../../helpers/postgres.js'
import { pipelineStoreContract } from './pipeline-store-contract.js'

pipelineStoreContract('SQLite', {
  open: () => openStore({ kind: 'sqlite', filename: ':memory:' }),
  cleanup: () => Promise.resolve(),
})

const schema = freshSchema()
pipelineStoreContract(
  'PostgreSQL',
  {
    open: () => openStore({ kind: 'postgres', url: postgresUrl, schema }),
    cleanup: () => dropPostgresSchema(postgresUrl, schema),
  },
  await postgresSkipReason(),
)
