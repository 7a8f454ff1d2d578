import type { Kysely } from 'kysely'
import type { PushConfig, PushConfigStore } from '../../core/ports/push-config-store.js'
import type { Database } from './database.js'

/** Push configs on Kysely: a row per (task, config id), the config as a JSON document. */
export class KyselyPushConfigStore implements PushConfigStore {
  constructor(readonly db: Kysely<Database>) {}

  async put(config: PushConfig): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('task_push_configs')
        .where('task_id', '=', config.taskId)
        .where('config_id', '=', config.id)
        .execute()
      await trx
        .insertInto('task_push_configs')
        .values({
          id: `${config.taskId}/${config.id}`,
          task_id: config.taskId,
          config_id: config.id,
          owner: config.owner,
          created_at: config.createdAtMs,
          document: JSON.stringify(config),
        })
        .execute()
    })
  }

  async get(taskId: string, id: string): Promise<PushConfig | undefined> {
    const row = await this.db
      .selectFrom('task_push_configs')
      .select('document')
      .where('task_id', '=', taskId)
      .where('config_id', '=', id)
      .executeTakeFirst()
    return row && (JSON.parse(row.document) as PushConfig)
  }

  async list(taskId: string): Promise<PushConfig[]> {
    const rows = await this.db
      .selectFrom('task_push_configs')
      .select('document')
      .where('task_id', '=', taskId)
      .orderBy('created_at')
      .orderBy('config_id')
      .execute()
    return rows.map((row) => JSON.parse(row.document) as PushConfig)
  }

  async delete(taskId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('task_push_configs')
      .where('task_id', '=', taskId)
      .where('config_id', '=', id)
      .executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  }
}
