import { sql, type Kysely } from 'kysely'
import type { Database } from './database.js'

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
  constructor(readonly db: Kysely<Database>) {}

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
  async claim(
    owner: string,
    nowMs: number,
    expiresAtMs: number,
    limit: number,
  ): Promise<HeldHostedLease[]> {
    const { rows } = await sql<{ agent_id: string; epoch: string | number }>`
      with claimable as (
        select a.id from hosted_agents a left join hosted_leases l on l.agent_id = a.id
        where a.state = 'started' and (l.agent_id is null or l.expires_at < ${nowMs})
        order by a.id limit ${limit} for update of a skip locked)
      insert into hosted_leases (agent_id, owner, epoch, expires_at)
        select id, ${owner}, 1, ${expiresAtMs} from claimable
      on conflict (agent_id) do update set owner = excluded.owner,
        epoch = hosted_leases.epoch + 1, expires_at = excluded.expires_at
        where hosted_leases.expires_at < ${nowMs}
      returning agent_id, epoch`.execute(this.db)
    return rows.map((r) => ({ agentId: r.agent_id, epoch: Number(r.epoch) }))
  }

  /** Extends `owner`'s leases of agents still started; answers the ids it still holds. */
  async renew(owner: string, held: HeldHostedLease[], expiresAtMs: number): Promise<string[]> {
    if (held.length === 0) return []
    const ids = held.map((h) => h.agentId)
    const epochs = held.map((h) => h.epoch)
    const { rows } = await sql<{ agent_id: string }>`update hosted_leases l
      set expires_at = ${expiresAtMs}
      from unnest(${ids}::text[], ${epochs}::bigint[]) as h(agent_id, epoch)
      where l.agent_id = h.agent_id and l.epoch = h.epoch and l.owner = ${owner}
        and exists (select 1 from hosted_agents a where a.id = l.agent_id and a.state = 'started')
      returning l.agent_id`.execute(this.db)
    return rows.map((r) => r.agent_id)
  }

  /** Removes the agent's lease, whoever holds it (the agent was stopped or deleted). */
  async remove(agentId: string): Promise<void> {
    await sql`delete from hosted_leases where agent_id = ${agentId}`.execute(this.db)
  }

  /** Lets every lease of `owner` lapse now, so that another node takes its agents at once. */
  async release(owner: string): Promise<number> {
    const result = await sql`update hosted_leases set expires_at = 0
      where owner = ${owner}`.execute(this.db)
    return Number(result.numAffectedRows ?? 0)
  }
}
