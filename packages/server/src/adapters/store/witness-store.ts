import type { Cosignature } from '@agentmesh/protocol'
import type { Kysely } from 'kysely'
import type { WitnessRecord, WitnessStore } from '../../core/audit/witness-store.js'
import { toMs, type Database } from './database.js'

const written = (result: { numInsertedOrUpdatedRows: bigint | undefined }): boolean =>
  Number(result.numInsertedOrUpdatedRows ?? 0n) > 0

/** Witness state and collected cosignatures; `advance` is a compare-and-set on (size, root). */
export class KyselyWitnessStore implements WitnessStore {
  constructor(readonly db: Kysely<Database>) {}

  async lastCosigned(origin: string): Promise<WitnessRecord | undefined> {
    const row = await this.db
      .selectFrom('witness_heads')
      .selectAll()
      .where('origin', '=', origin)
      .executeTakeFirst()
    return row && { origin, size: toMs(row.size), root: row.root, timeMs: toMs(row.time_ms) }
  }

  async advance(previous: WitnessRecord | undefined, next: WitnessRecord): Promise<boolean> {
    const values = { size: next.size, root: next.root, time_ms: next.timeMs }
    if (!previous) {
      const result = await this.db
        .insertInto('witness_heads')
        .values({ origin: next.origin, ...values })
        .onConflict((oc) => oc.column('origin').doNothing())
        .executeTakeFirst()
      return written(result)
    }
    const result = await this.db
      .updateTable('witness_heads')
      .set(values)
      .where('origin', '=', previous.origin)
      .where('size', '=', previous.size)
      .where('root', '=', previous.root)
      .executeTakeFirst()
    return result.numUpdatedRows > 0n
  }

  async putCosignature(c: Cosignature): Promise<void> {
    await this.db
      .insertInto('audit_cosignatures')
      .values({
        origin: c.origin,
        size: c.size,
        witness: c.witness,
        root: c.root,
        time: c.time,
        signature: c.signature,
      })
      .onConflict((oc) => oc.columns(['origin', 'size', 'witness']).doNothing())
      .execute()
  }

  async cosignatures(origin: string, size: number): Promise<Cosignature[]> {
    const rows = await this.db
      .selectFrom('audit_cosignatures')
      .selectAll()
      .where('origin', '=', origin)
      .where('size', '=', size)
      .orderBy('time')
      .orderBy('witness')
      .execute()
    return rows.map((row) => ({
      witness: row.witness,
      origin: row.origin,
      size: toMs(row.size),
      root: row.root,
      time: row.time,
      signature: row.signature,
    }))
  }
}
