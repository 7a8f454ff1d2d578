import type { FlJobState } from '@agentmesh/protocol'
import type { Kysely } from 'kysely'
import type { FlStore } from '../../core/fl/fl-store.js'
import type { FlJob, FlRound, FlStoredModel } from '../../core/fl/fl-types.js'
import type { Database } from './database.js'
import { fromDocument, toDocument } from './json-document.js'

/** Federated-learning jobs, rounds and models on Kysely (SQLite and PostgreSQL alike). */
export class KyselyFlStore implements FlStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async insertJob(job: FlJob): Promise<void> {
    await this.#db
      .insertInto('fl_jobs')
      .values({
        id: job.id,
        owner: job.owner,
        state: job.state,
        created_at: job.createdAtMs,
        document: toDocument(job),
      })
      .execute()
  }

  async saveJob(job: FlJob): Promise<void> {
    await this.#db
      .updateTable('fl_jobs')
      .set({ state: job.state, document: toDocument(job) })
      .where('id', '=', job.id)
      .execute()
  }

  async getJob(id: string): Promise<FlJob | undefined> {
    const row = await this.#db
      .selectFrom('fl_jobs')
      .select('document')
      .where('id', '=', id)
      .executeTakeFirst()
    return row ? fromDocument<FlJob>(row.document) : undefined
  }

  async listJobs(query: { owner?: string; state?: FlJobState; limit: number }): Promise<FlJob[]> {
    let select = this.#db.selectFrom('fl_jobs').select('document')
    if (query.owner !== undefined) select = select.where('owner', '=', query.owner)
    if (query.state !== undefined) select = select.where('state', '=', query.state)
    const rows = await select.orderBy('id', 'desc').limit(query.limit).execute()
    return rows.map((row) => fromDocument<FlJob>(row.document))
  }

  async saveRound(round: FlRound): Promise<void> {
    const document = toDocument(round)
    await this.#db
      .insertInto('fl_rounds')
      .values({ job_id: round.job, round: round.round, document })
      .onConflict((c) => c.columns(['job_id', 'round']).doUpdateSet({ document }))
      .execute()
  }

  async rounds(job: string): Promise<FlRound[]> {
    const rows = await this.#db
      .selectFrom('fl_rounds')
      .select('document')
      .where('job_id', '=', job)
      .orderBy('round')
      .execute()
    return rows.map((row) => fromDocument<FlRound>(row.document))
  }

  async putModel(model: FlStoredModel, atMs: number): Promise<void> {
    await this.#db
      .insertInto('fl_models')
      .values({ hash: model.hash, size: model.size, params: model.params, created_at: atMs })
      .onConflict((c) => c.column('hash').doNothing())
      .execute()
  }

  async getModel(hash: string): Promise<FlStoredModel | undefined> {
    const row = await this.#db
      .selectFrom('fl_models')
      .select(['hash', 'size', 'params'])
      .where('hash', '=', hash)
      .executeTakeFirst()
    return row ? { hash: row.hash, size: Number(row.size), params: row.params } : undefined
  }
}
