import { parseAmount } from '@agentmesh/protocol'
import { accountId, SYSTEM, type TransferInput } from './types.js'

/** The ledger as grants use it: posting a transfer as an actor. */
interface Transfers {
  transfer(input: TransferInput, actor: string): Promise<unknown>
}

/** A credit made out of nothing (the mint account) on the node's authority. */
export interface Mint {
  /** Idempotent by `id`: a second mint with the same id is a no-op; a zero amount mints nothing. */
  (id: string, did: string, amount: string, currency: string): Promise<void>
}

/** Mints on the node's authority: the node's DID is the actor of each mint. */
export function minter(ledger: Transfers, nodeDid: string): Mint {
  return async (id, did, amount, currency) => {
    const amountMicros = parseAmount(amount)
    if (amountMicros === 0n) return
    await ledger.transfer(
      {
        kind: 'posted',
        id,
        debitAccount: accountId(SYSTEM.mint, currency),
        creditAccount: accountId(did, currency),
        amountMicros,
        code: 'mint',
      },
      nodeDid,
    )
  }
}

/**
 * The grant to a self-registered key (`--grant`): minted once per key, as the mint's id names the
 * key and the currency (a second registration of the same key mints nothing).
 */
export function registrationGrant(
  mint: Mint,
  grant: { amount: string; currency: string },
): (did: string) => Promise<void> {
  return (did) => mint(`grant:${did}:${grant.currency}`, did, grant.amount, grant.currency)
}
