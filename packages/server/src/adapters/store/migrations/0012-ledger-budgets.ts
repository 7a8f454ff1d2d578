import { sql, type Kysely, type Migration } from 'kysely'

interface OldBudgetRow {
  id: string
  budget_limit: string
  budget_period: string
  budget_spent: string
  budget_period_start: number | string
}

/**
 * Budgets with an authority, one per period: the four budget columns of an account (one budget,
 * whoever set it) become a JSON list in `budgets`, each budget keeping the admin's limit and the
 * owner's apart. Who set an existing budget is not known: it is kept as the admin's, so that no
 * principal can lift it by itself.
 */
export const ledgerBudgetsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('ledger_accounts').addColumn('budgets', 'text').execute()
    const old = await sql<OldBudgetRow>`
      select id, budget_limit, budget_period, budget_spent, budget_period_start
      from ledger_accounts where budget_limit is not null`.execute(db)
    for (const row of old.rows) {
      const budgets = JSON.stringify([
        {
          period: row.budget_period,
          admin: row.budget_limit,
          owner: null,
          spent: row.budget_spent,
          start: Number(row.budget_period_start),
        },
      ])
      await sql`update ledger_accounts set budgets = ${budgets} where id = ${row.id}`.execute(db)
    }
    for (const column of ['budget_limit', 'budget_period', 'budget_spent', 'budget_period_start'])
      await db.schema.alterTable('ledger_accounts').dropColumn(column).execute()
  },
}
