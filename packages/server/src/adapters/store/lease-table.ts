import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { Database } from './database.js'

/** A lease as held: what it is of (a task, a hosted agent) under the name `F`, the epoch. */
export type Held<F extends string> = { [K in F]: string } & { epoch: number }

/**
 * The statements task leases and hosted-agent leases share in PostgreSQL (cluster mode). A claim
 * takes the leases no one holds or that lapsed, each one epoch higher than the last holder's; a
 * renewal extends only the leases its owner holds under their epochs; a release lets an owner's
 * leases lapse now. They run on `keeper`, connections kept apart from other writes so that a
 * renewal never waits behind them until its leases lapse.
 */
export class LeaseTable<F extends string> {
  readonly #table: RawBuilder<unknown>

  /** `table` keys its leases by `column`; a held lease names that `field`. */
  constructor(
    readonly keeper: Kysely<Database>,
    table: 'task_leases' | 'hosted_leases',
    readonly column: 'task_id' | 'agent_id',
    readonly field: F,
  ) {
    this.#table = sql.table(table)
  }

  /**
   * Takes, for `owner`, the leases of `claimable` (a query of the `id`s to take, which locks their
   * rows) whose lease is missing or lapsed by `nowMs`; answers those it took.
   */
  async claim(
    claimable: RawBuilder<unknown>,
    owner: string,
    nowMs: number,
    expiresAtMs: number,
  ): Promise<Held<F>[]> {
    const [table, key] = [this.#table, sql.ref(this.column)]
    const { rows } = await sql<{ id: string; epoch: string | number }>`
      with claimable as (${claimable})
      insert into ${table} (${key}, owner, epoch, expires_at)
        select id, ${owner}, 1, ${expiresAtMs} from claimable
      on conflict (${key}) do update set owner = excluded.owner,
        epoch = ${table}.epoch + 1, expires_at = excluded.expires_at
        where ${table}.expires_at < ${nowMs}
      returning ${key} as id, epoch`.execute(this.keeper)
    return rows.map((r) => ({ [this.field]: r.id, epoch: Number(r.epoch) }) as Held<F>)
  }

  /**
   * Extends the leases `owner` holds of `held` (as `l`, where `also` holds too); answers the ids
   * it still holds.
   */
  async renew(
    owner: string,
    held: Held<F>[],
    expiresAtMs: number,
    also: RawBuilder<unknown> = sql``,
  ): Promise<string[]> {
    if (held.length === 0) return []
    const ids = held.map((h) => h[this.field])
    const epochs = held.map((h) => h.epoch)
    const key = sql.ref(`l.${this.column}`)
    const { rows } = await sql<{ id: string }>`update ${this.#table} l
      set expires_at = ${expiresAtMs}
      from unnest(${ids}::text[], ${epochs}::bigint[]) as h(id, epoch)
      where ${key} = h.id and l.epoch = h.epoch and l.owner = ${owner} ${also}
      returning ${key} as id`.execute(this.keeper)
    return rows.map((r) => r.id)
  }

  /** Lets every lease of `owner` lapse now, so that another node takes them at once. */
  async release(owner: string): Promise<number> {
    const result = await sql`update ${this.#table} set expires_at = 0
      where owner = ${owner}`.execute(this.keeper)
    return Number(result.numAffectedRows ?? 0)
  }
}
