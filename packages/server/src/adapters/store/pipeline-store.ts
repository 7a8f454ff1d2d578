import type { Kysely } from 'kysely'
import type {
  PipelineRun,
  PipelineRunQuery,
  PipelineStore,
} from '../../core/pipelines/pipeline-store.js'
import type { Database } from './database.js'
import { fromDocument, toDocument } from './json-document.js'

/** Pipeline runs on Kysely. */
export class KyselyPipelineStore implements PipelineStore {
  constructor(readonly db: Kysely<Database>) {}

  async insert(run: PipelineRun): Promise<void> {
    await this.db
      .insertInto('pipeline_runs')
      .values({
        id: run.id,
        requester: run.requester,
        state: run.state,
        created_at: run.createdAtMs,
        updated_at: run.updatedAtMs,
        document: toDocument(run),
      })
      .execute()
  }

  async save(run: PipelineRun): Promise<void> {
    await this.db
      .updateTable('pipeline_runs')
      .set({ state: run.state, updated_at: run.updatedAtMs, document: toDocument(run) })
      .where('id', '=', run.id)
      .execute()
  }

  async get(id: string): Promise<PipelineRun | undefined> {
    const row = await this.db
      .selectFrom('pipeline_runs')
      .select('document')
      .where('id', '=', id)
      .executeTakeFirst()
    return row && fromDocument<PipelineRun>(row.document)
  }

  async list(query: PipelineRunQuery): Promise<PipelineRun[]> {
    let select = this.db
      .selectFrom('pipeline_runs')
      .select('document')
      .orderBy('id', 'desc')
      .limit(query.limit)
    if (query.requester) select = select.where('requester', '=', query.requester)
    if (query.state) select = select.where('state', '=', query.state)
    if (query.cursor) select = select.where('id', '<', query.cursor)
    return (await select.execute()).map((row) => fromDocument<PipelineRun>(row.document))
  }
}
