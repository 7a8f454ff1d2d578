import { sql, type Kysely, type Selectable } from 'kysely'
import type { HostedStore } from '../../core/hosted/hosted-store.js'
import type { HostedAgent, HostedUsage } from '../../core/hosted/hosted-types.js'
import { toMs, type Database, type HostedAgentRow } from './database.js'
import { fromDocument, toDocument } from './json-document.js'

type AgentDocument = Omit<HostedAgent, 'id' | 'owner' | 'state' | 'codeHash' | 'usage'>

function agentOf(row: Selectable<HostedAgentRow>): HostedAgent {
  const document = fromDocument<AgentDocument>(row.document)
  return {
    ...document,
    id: row.id,
    owner: row.owner,
    state: row.state === 'started' ? 'started' : 'stopped',
    codeHash: row.code_hash,
    usage: {
      calls: toMs(row.calls),
      failures: toMs(row.failures),
      cpuMs: toMs(row.cpu_ms),
      wallMs: toMs(row.wall_ms),
      peakMemoryBytes: toMs(row.peak_memory_bytes),
      costMicros: BigInt(row.cost_micros),
    },
  }
}

/** Hosted agents and their code on Kysely (SQLite and PostgreSQL alike). */
export class KyselyHostedStore implements HostedStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async putCode(hash: string, code: string, atMs: number): Promise<void> {
    await this.#db
      .insertInto('hosted_code')
      .values({ hash, code, created_at: atMs })
      .onConflict((c) => c.column('hash').doNothing())
      .execute()
  }

  async code(hash: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('hosted_code')
      .select('code')
      .where('hash', '=', hash)
      .executeTakeFirst()
    return row?.code
  }

  async put(agent: HostedAgent): Promise<void> {
    const { id, owner, state, codeHash, usage: _usage, ...rest } = agent
    const values = {
      owner,
      state,
      code_hash: codeHash,
      template_id: agent.templateId,
      document: toDocument(rest),
    }
    await this.#db
      .insertInto('hosted_agents')
      .values({ id, ...values })
      .onConflict((c) => c.column('id').doUpdateSet(values))
      .execute()
  }

  async get(id: string): Promise<HostedAgent | undefined> {
    const row = await this.#db
      .selectFrom('hosted_agents')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    return row ? agentOf(row) : undefined
  }

  async all(): Promise<HostedAgent[]> {
    const rows = await this.#db.selectFrom('hosted_agents').selectAll().orderBy('id').execute()
    return rows.map(agentOf)
  }

  async delete(id: string): Promise<void> {
    await this.#db.deleteFrom('hosted_agents').where('id', '=', id).execute()
  }

  async addUsage(id: string, usage: HostedUsage): Promise<void> {
    const peak = usage.peakMemoryBytes
    await this.#db
      .updateTable('hosted_agents')
      .set({
        calls: sql`calls + ${usage.calls}`,
        failures: sql`failures + ${usage.failures}`,
        cpu_ms: sql`cpu_ms + ${Math.round(usage.cpuMs)}`,
        wall_ms: sql`wall_ms + ${Math.round(usage.wallMs)}`,
        peak_memory_bytes: sql`case when peak_memory_bytes < ${peak} then ${peak} else peak_memory_bytes end`,
        cost_micros: sql`cost_micros + ${usage.costMicros.toString()}`,
      })
      .where('id', '=', id)
      .execute()
  }
}
