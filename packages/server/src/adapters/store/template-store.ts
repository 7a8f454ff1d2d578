import { sql, type Kysely, type Selectable } from 'kysely'
import type { Template, TemplateRating } from '../../core/hosted/hosted-types.js'
import type { TemplateQuery, TemplateStore } from '../../core/hosted/template-store.js'
import { toMs, type Database } from './database.js'
import { fromDocument, toDocument } from './json-document.js'

type TemplateDocument = Omit<
  Template,
  'id' | 'owner' | 'category' | 'deployments' | 'rating' | 'createdAtMs'
>

/** The mean stars of `sum` over `count` ratings, to two decimals; null before any. */
const average = (sum: number, count: number) =>
  count === 0 ? null : Math.round((sum / count) * 100) / 100

function templateOf(row: Selectable<Database['hosted_templates']>): Template {
  const count = toMs(row.rating_count)
  return {
    ...fromDocument<TemplateDocument>(row.document),
    id: row.id,
    owner: row.owner,
    category: row.category,
    deployments: toMs(row.deployments),
    rating: { count, average: average(toMs(row.rating_sum), count) },
    createdAtMs: toMs(row.created_at),
  }
}

function ratingOf(row: Selectable<Database['template_ratings']>): TemplateRating {
  return {
    templateId: row.template_id,
    rater: row.rater,
    stars: Number(row.stars),
    comment: row.comment,
    createdAtMs: toMs(row.created_at),
    updatedAtMs: toMs(row.updated_at),
  }
}

/** Templates, their deployers and ratings on Kysely (SQLite and PostgreSQL alike). */
export class KyselyTemplateStore implements TemplateStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async putTemplate(template: Template): Promise<void> {
    const { id, owner, category, deployments: _d, rating: _r, createdAtMs, ...rest } = template
    const document: TemplateDocument = rest
    await this.#db
      .insertInto('hosted_templates')
      .values({
        id,
        owner,
        category,
        search_text: `${template.name} ${template.description}`.toLowerCase(),
        created_at: createdAtMs,
        document: toDocument(document),
      })
      .execute()
  }

  async template(id: string): Promise<Template | undefined> {
    const row = await this.#db
      .selectFrom('hosted_templates')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    return row ? templateOf(row) : undefined
  }

  async templates(query: TemplateQuery): Promise<Template[]> {
    let select = this.#db.selectFrom('hosted_templates').selectAll()
    if (query.category !== undefined) select = select.where('category', '=', query.category)
    for (const word of (query.q ?? '').toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8)) {
      const escaped = word.replace(/[\\%_]/g, (c) => `\\${c}`)
      select = select.where(sql<boolean>`search_text like ${`%${escaped}%`} escape '\\'`)
    }
    switch (query.sort) {
      case 'popular':
        select = select.orderBy('deployments', 'desc')
        break
      case 'newest':
        select = select.orderBy('created_at', 'desc')
        break
      case 'rating':
        // Unrated last; then the mean stars, then how many rated.
        select = select
          .orderBy(sql`case when rating_count = 0 then 1 else 0 end`)
          .orderBy(
            sql`rating_sum * 1.0 / case when rating_count = 0 then 1 else rating_count end`,
            'desc',
          )
          .orderBy('rating_count', 'desc')
        break
    }
    const rows = await select.orderBy('id').limit(query.limit).offset(query.offset).execute()
    return rows.map(templateOf)
  }

  async countDeployment(id: string, deployer: string, atMs: number): Promise<void> {
    await this.#db
      .insertInto('template_deployments')
      .values({ template_id: id, deployer, deployed_at: atMs })
      .onConflict((c) => c.columns(['template_id', 'deployer']).doNothing())
      .execute()
    await this.#db
      .updateTable('hosted_templates')
      .set({ deployments: sql`deployments + 1` })
      .where('id', '=', id)
      .execute()
  }

  async hasDeployed(id: string, deployer: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom('template_deployments')
      .select('deployer')
      .where('template_id', '=', id)
      .where('deployer', '=', deployer)
      .executeTakeFirst()
    return row !== undefined
  }

  rate(rating: TemplateRating): Promise<TemplateRating> {
    const id = rating.templateId
    return this.#db.transaction().execute(async (trx) => {
      // The template's row first: raters of one template take turns, so the sum and count
      // computed below include every rating committed before.
      await trx
        .updateTable('hosted_templates')
        .set({ rating_count: sql`rating_count` })
        .where('id', '=', id)
        .execute()
      await trx
        .insertInto('template_ratings')
        .values({
          template_id: id,
          rater: rating.rater,
          stars: rating.stars,
          comment: rating.comment,
          created_at: rating.createdAtMs,
          updated_at: rating.updatedAtMs,
        })
        .onConflict((c) =>
          c.columns(['template_id', 'rater']).doUpdateSet({
            stars: rating.stars,
            comment: rating.comment,
            updated_at: rating.updatedAtMs,
          }),
        )
        .execute()
      await trx
        .updateTable('hosted_templates')
        .set({
          rating_sum: sql`(select coalesce(sum(stars), 0) from template_ratings where template_id = ${id})`,
          rating_count: sql`(select count(*) from template_ratings where template_id = ${id})`,
        })
        .where('id', '=', id)
        .execute()
      const row = await trx
        .selectFrom('template_ratings')
        .selectAll()
        .where('template_id', '=', id)
        .where('rater', '=', rating.rater)
        .executeTakeFirstOrThrow()
      return ratingOf(row)
    })
  }

  async ratings(id: string, limit: number, offset: number): Promise<TemplateRating[]> {
    const rows = await this.#db
      .selectFrom('template_ratings')
      .selectAll()
      .where('template_id', '=', id)
      .orderBy('updated_at', 'desc')
      .orderBy('rater')
      .limit(limit)
      .offset(offset)
      .execute()
    return rows.map(ratingOf)
  }
}
