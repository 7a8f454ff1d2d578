import { sql, type Kysely } from 'kysely'
import type { HostedLogStore, LogLine } from '../../core/hosted/hosted-log-store.js'
import { toMs, type Database } from './database.js'

/** Rows per INSERT: well under SQLite's bound-parameter limit. */
const CHUNK = 100

const levelOf = (level: string): LogLine['level'] =>
  level === 'warn' || level === 'error' ? level : 'info'

/** Hosted agents' log lines on Kysely (SQLite and PostgreSQL alike), in insertion order. */
export class KyselyHostedLogStore implements HostedLogStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async append(lines: (LogLine & { agentId: string })[], keep: number): Promise<void> {
    for (let i = 0; i < lines.length; i += CHUNK) {
      const rows = lines.slice(i, i + CHUNK).map((l) => ({
        agent_id: l.agentId,
        at: l.atMs,
        level: l.level,
        message: l.message,
      }))
      await this.#db.insertInto('hosted_logs').values(rows).execute()
    }
    for (const agentId of new Set(lines.map((l) => l.agentId))) {
      // Everything at or below the first line past the newest `keep` goes.
      await this.#db
        .deleteFrom('hosted_logs')
        .where('agent_id', '=', agentId)
        .where(
          'seq',
          '<=',
          sql<number>`(select seq from hosted_logs where agent_id = ${agentId}
            order by seq desc limit 1 offset ${keep})`,
        )
        .execute()
    }
  }

  async lines(agentId: string, limit: number): Promise<LogLine[]> {
    const rows = await this.#db
      .selectFrom('hosted_logs')
      .select(['at', 'level', 'message'])
      .where('agent_id', '=', agentId)
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute()
    return rows
      .reverse()
      .map((r) => ({ atMs: toMs(r.at), level: levelOf(r.level), message: r.message }))
  }

  async forget(agentId: string): Promise<void> {
    await this.#db.deleteFrom('hosted_logs').where('agent_id', '=', agentId).execute()
  }
}
