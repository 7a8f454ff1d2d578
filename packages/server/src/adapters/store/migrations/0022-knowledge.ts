import type { Kysely, Migration } from 'kysely'

/**
 * The knowledge graph: facts (one per agent and triple, with their signature and usage
 * counters), each agent's count of facts (locked while an assertion checks the limit), and which
 * tasks read which facts with how each ended and was rated.
 */
export const knowledgeMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('knowledge_facts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('agent', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('relation', 'text', (c) => c.notNull())
      .addColumn('object', 'text', (c) => c.notNull())
      .addColumn('confidence', 'double precision', (c) => c.notNull())
      .addColumn('task_id', 'text')
      .addColumn('signature', 'text', (c) => c.notNull())
      .addColumn('asserted_at', 'bigint', (c) => c.notNull())
      .addColumn('reads', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('tasks', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('completed', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('failed', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('rating_count', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('rating_sum', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute()
    await db.schema
      .createIndex('knowledge_facts_subject')
      .on('knowledge_facts')
      .columns(['subject', 'relation'])
      .execute()
    await db.schema
      .createIndex('knowledge_facts_object')
      .on('knowledge_facts')
      .columns(['object'])
      .execute()
    await db.schema
      .createIndex('knowledge_facts_relation')
      .on('knowledge_facts')
      .columns(['relation'])
      .execute()
    await db.schema
      .createTable('knowledge_agents')
      .addColumn('agent', 'text', (c) => c.primaryKey())
      .addColumn('facts', 'bigint', (c) => c.notNull())
      .execute()
    await db.schema
      .createTable('knowledge_uses')
      .addColumn('task_id', 'text', (c) => c.notNull())
      .addColumn('fact_id', 'text', (c) => c.notNull())
      .addColumn('read_at', 'bigint', (c) => c.notNull())
      .addColumn('outcome', 'text')
      .addColumn('rating', 'integer')
      .addPrimaryKeyConstraint('knowledge_uses_pk', ['task_id', 'fact_id'])
      .execute()
  },
}
