import { afterAll, describe, expect, it } from 'vitest'
import { GroupCommit } from '../../../src/adapters/store/group-commit.js'
import { openStore } from '../../../src/adapters/store/open-store.js'
import { LedgerEscrow } from '../../../src/core/ledger/escrow-service.js'
import { LedgerService } from '../../../src/core/ledger/ledger-service.js'
import { accountId, availableMicros, SYSTEM } from '../../../src/core/ledger/types.js'
import type { Store } from '../../../src/core/store.js'
import { ManualClock, MemoryAudit } from '../../helpers/ledger.js'
import {
  dropPostgresSchema,
  freshSchema,
  postgresSkipReason,
  postgresUrl,
} from '../../helpers/postgres.js'
import { MemoryEscrow } from '../tasks/task-doubles.js'
import { escrowChecks, escrowContract, type EscrowHarness } from './escrow-contract.js'
import { FlawedEscrow, type EscrowFlaw } from './flawed-escrow.js'

/** The test double, as the task tests use it. */
function memoryHarness(escrow = new MemoryEscrow()): Promise<EscrowHarness> {
  return Promise.resolve({
    escrow,
    fund: (owner, amountMicros) => {
      escrow.balances.set(owner, (escrow.balances.get(owner) ?? 0n) + amountMicros)
      return Promise.resolve()
    },
    available: (owner) =>
      Promise.resolve((escrow.balances.get(owner) ?? 0n) + (escrow.paid.get(owner) ?? 0n)),
    fees: () => Promise.resolve(0n),
    close: () => Promise.resolve(),
  })
}

/** LedgerEscrow on a ledger in `store`, taking a 2.5 % fee, committing in groups as a node does. */
async function ledgerHarness(store: Store): Promise<EscrowHarness> {
  const clock = new ManualClock(Date.now())
  const ledger = new LedgerService({
    store: store.ledger,
    clock,
    audit: new MemoryAudit(),
    nodeDid: 'did:node',
    batcher: new GroupCommit({ windowMs: 1 }),
  })
  const available = async (owner: string) =>
    availableMicros(await ledger.accountOrEmpty(accountId(owner, 'USD')))
  const feesBefore = await available(SYSTEM.fees)
  let minted = 0
  return {
    escrow: new LedgerEscrow(ledger, { feeBps: 250, nodeDid: 'did:node' }),
    fund: async (owner, amountMicros) => {
      await ledger.transfer(
        {
          kind: 'posted',
          id: `fund-${owner}-${++minted}`,
          debitAccount: accountId(SYSTEM.mint, 'USD'),
          creditAccount: accountId(owner, 'USD'),
          amountMicros,
          code: 'mint',
        },
        'did:admin',
      )
    },
    available,
    fees: async () => (await available(SYSTEM.fees)) - feesBefore,
    advanceMs: (ms) => clock.advance(ms),
    close: () => Promise.resolve(),
  }
}

escrowContract('MemoryEscrow (the task tests double)', () => memoryHarness(), { clock: false })

describe('LedgerEscrow on an in-memory SQLite ledger', () => {
  let store: Store | undefined
  afterAll(() => store?.close())
  escrowContract(
    'LedgerEscrow (SQLite in memory)',
    async () =>
      ledgerHarness((store ??= await openStore({ kind: 'sqlite', filename: ':memory:' }))),
    { clock: true },
  )
})

const skip = await postgresSkipReason()
describe.skipIf(skip !== undefined)(
  `LedgerEscrow on PostgreSQL${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    const schema = freshSchema()
    let store: Store | undefined
    afterAll(async () => {
      await store?.close()
      await dropPostgresSchema(postgresUrl, schema)
    })
    escrowContract(
      'LedgerEscrow (PostgreSQL)',
      async () =>
        ledgerHarness((store ??= await openStore({ kind: 'postgres', url: postgresUrl, schema }))),
      { clock: true },
    )
  },
)

const check = (name: string) => {
  const found = escrowChecks.find((c) => c.name.startsWith(name))
  if (!found) throw new Error(`No escrow check named "${name}"`)
  return found
}

describe('the Escrow contract catches broken implementations', () => {
  const cases: [EscrowFlaw, string][] = [
    ['settles-twice', 'a repeated settle pays once'],
    ['releases-twice', 'a repeated release returns the money once'],
    ['reserves-twice', 'a repeated reserve holds once'],
    ['settles-after-release', 'settle after release'],
    ['releases-after-settle', 'release after settle'],
    ['overdraws', 'refuses a reservation beyond the funds'],
    ['holds-after-refusing', 'refuses a reservation beyond the funds'],
    ['refuses-with-another-code', 'refuses a reservation beyond the funds'],
    ['pays-beyond-the-reservation', 'refuses to settle more than the reservation'],
  ]
  for (const [flaw, name] of cases) {
    it(`fails an escrow that ${flaw.replaceAll('-', ' ')}`, async () => {
      await expect(check(name).run(() => memoryHarness(new FlawedEscrow(flaw)))).rejects.toThrow()
    })
  }
})
