import { sql, type Kysely } from 'kysely'
import {
  ALL_CAPABILITIES,
  type OracleAnswer,
  type OracleRecord,
  type OracleStore,
} from '../../core/oracles/oracle-store.js'
import { toMs, type Database } from './database.js'

/** Largest number of ids in one `in (…)` list. */
const CHUNK = 500

/** Binary comparison: the lock order, the same on both databases. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * Oracle reputation on Kysely. A task's answers are claimed per (task, agent) and added to the
 * rows in one transaction, each row by an upsert that adds to what is stored (so concurrent tasks
 * from any node never lose a count), in key order so two writers never deadlock.
 */
export class KyselyOracleStore implements OracleStore {
  constructor(readonly db: Kysely<Database>) {}

  async list(agentIds: string[], capabilityId: string): Promise<OracleRecord[]> {
    const result: OracleRecord[] = []
    for (let i = 0; i < agentIds.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom('oracle_reputation')
        .selectAll()
        .where('agent_id', 'in', agentIds.slice(i, i + CHUNK))
        .where('capability_id', '=', capabilityId)
        .execute()
      for (const row of rows) {
        result.push({
          agentId: row.agent_id,
          capabilityId: row.capability_id,
          answers: Number(row.answers),
          withinTolerance: Number(row.within_tolerance),
          deviationTotal: Number(row.deviation_total),
          updatedAtMs: toMs(row.updated_at),
        })
      }
    }
    return result
  }

  async record(
    taskId: string,
    capabilityId: string,
    answers: OracleAnswer[],
    atMs: number,
  ): Promise<void> {
    if (answers.length === 0) return
    await this.db.transaction().execute(async (trx) => {
      const claimed = await trx
        .insertInto('oracle_answers')
        .values(answers.map((a) => ({ task_id: taskId, agent_id: a.agentId, at: atMs })))
        .onConflict((oc) => oc.columns(['task_id', 'agent_id']).doNothing())
        .returning('agent_id')
        .execute()
      const fresh = new Set(claimed.map((row) => row.agent_id))
      const rows = answers
        .filter((a) => fresh.has(a.agentId))
        .flatMap((a) =>
          [...new Set([capabilityId, ALL_CAPABILITIES])].map((capability) => ({
            agent_id: a.agentId,
            capability_id: capability,
            answers: 1,
            within_tolerance: a.withinTolerance ? 1 : 0,
            deviation_total: a.deviation,
            updated_at: atMs,
          })),
        )
        .sort(
          (a, b) => compare(a.agent_id, b.agent_id) || compare(a.capability_id, b.capability_id),
        )
      for (const row of rows) {
        await trx
          .insertInto('oracle_reputation')
          .values(row)
          .onConflict((oc) =>
            oc.columns(['agent_id', 'capability_id']).doUpdateSet({
              answers: sql`oracle_reputation.answers + excluded.answers`,
              within_tolerance: sql`oracle_reputation.within_tolerance + excluded.within_tolerance`,
              deviation_total: sql`oracle_reputation.deviation_total + excluded.deviation_total`,
              updated_at: sql`excluded.updated_at`,
            }),
          )
          .execute()
      }
    })
  }
}
