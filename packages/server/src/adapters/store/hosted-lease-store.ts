import { sql, type Kysely } from 'kysely'
import type { Database } from './database.js'
import { LeaseTable } from './lease-table.js'

/** A hosted agent's lease as held: the agent, the fencing epoch. */
export interface HeldHostedLease {
  agentId: string
  epoch: number
}

/**
 * Hosted-agent leases in PostgreSQL (cluster mode): which node serves each started hosted agent,
 * under which epoch, until when. A lease is taken when none stands (or it lapsed), each taking
 * one epoch higher than the last; it is renewed only by its holder under its epoch, and only
 * while the agent is still started.
 */
export class HostedLeaseStore {
  readonly #table: LeaseTable<'agentId'>

  constructor(readonly db: Kysely<Database>) {
    this.#table = new LeaseTable(db, 'hosted_leases', 'agent_id', 'agentId')
  }

  /** Takes `agentId`'s lease unless another owner's stands; answers the epoch, if it did. */
  async take(
    agentId: string,
    owner: string,
    nowMs: number,
    expiresAtMs: number,
  ): Promise<number | undefined> {
    const { rows } = await sql<{ epoch: string | number }>`
      insert into hosted_leases (agent_id, owner, epoch, expires_at)
        values (${agentId}, ${owner}, 1, ${expiresAtMs})
      on conflict (agent_id) do update set owner = excluded.owner,
        epoch = hosted_leases.epoch + 1, expires_at = excluded.expires_at
        where hosted_leases.expires_at < ${nowMs} or hosted_leases.owner = excluded.owner
      returning epoch`.execute(this.db)
    return rows[0] === undefined ? undefined : Number(rows[0].epoch)
  }

  /** Takes the leases of started agents that have none standing, at most `limit`. */
  claim(
    owner: string,
    nowMs: number,
    expiresAtMs: number,
    limit: number,
  ): Promise<HeldHostedLease[]> {
    return this.#table.claim(
      sql`select a.id from hosted_agents a left join hosted_leases l on l.agent_id = a.id
        where a.state = 'started' and (l.agent_id is null or l.expires_at < ${nowMs})
        order by a.id limit ${limit} for update of a skip locked`,
      owner,
      nowMs,
      expiresAtMs,
    )
  }

  /** Extends `owner`'s leases of agents still started; answers the ids it still holds. */
  renew(owner: string, held: HeldHostedLease[], expiresAtMs: number): Promise<string[]> {
    return this.#table.renew(
      owner,
      held,
      expiresAtMs,
      sql`and exists (select 1 from hosted_agents a where a.id = l.agent_id and a.state = 'started')`,
    )
  }

  /** Removes the agent's lease, whoever holds it (the agent was stopped or deleted). */
  async remove(agentId: string): Promise<void> {
    await sql`delete from hosted_leases where agent_id = ${agentId}`.execute(this.db)
  }

  /** Lets every lease of `owner` lapse now, so that another node takes its agents at once. */
  release(owner: string): Promise<number> {
    return this.#table.release(owner)
  }
}
