import { sql, type Kysely } from 'kysely'
import { terminalStates, type Task } from '../../core/tasks/task-types.js'
import type { Database } from './database.js'
import { toDocument } from './json-document.js'
import { LeaseTable } from './lease-table.js'

/** A lease as held: the task, the fencing epoch. */
export interface HeldLease {
  taskId: string
  epoch: number
}

/** A lease as listed for operators. */
export interface LeaseRow extends HeldLease {
  owner: string
  expiresAtMs: number
}

const finished = sql.join([...terminalStates].map((s) => sql`${s}`))

/**
 * Task leases in PostgreSQL (cluster mode): who owns each unfinished task and under which epoch.
 * Every write of a task goes through `fencedSave`, one statement that updates the task only while
 * the writer's lease (owner and epoch) stands, holding the lease row so a take-over waits for it.
 * Renewing, releasing and claiming leases go through `keeper`, connections of their own: under a
 * burst of task writes a renewal must not queue behind them until its leases lapse (another node
 * would then take over tasks that still run here, and run them twice).
 */
export class TaskLeaseStore {
  readonly #table: LeaseTable<'taskId'>

  constructor(
    readonly db: Kysely<Database>,
    readonly keeper: Kysely<Database> = db,
  ) {
    this.#table = new LeaseTable(keeper, 'task_leases', 'task_id', 'taskId')
  }

  /** A lease for a new task (epoch 1); false when the task has one already. */
  async create(taskId: string, owner: string, expiresAtMs: number): Promise<boolean> {
    const result = await sql`insert into task_leases (task_id, owner, epoch, expires_at)
      values (${taskId}, ${owner}, 1, ${expiresAtMs}) on conflict (task_id) do nothing`.execute(
      this.db,
    )
    return Number(result.numAffectedRows ?? 0) === 1
  }

  async remove(taskId: string, owner: string, epoch: number): Promise<void> {
    await sql`delete from task_leases where task_id = ${taskId} and owner = ${owner}
      and epoch = ${epoch}`.execute(this.db)
  }

  /** Writes the task if `owner` still holds it under `epoch`; answers whether it did. */
  async fencedSave(task: Task, owner: string, epoch: number): Promise<boolean> {
    const result = await sql`update tasks set provider_id = ${task.providerId},
        state = ${task.state}, updated_at = ${task.updatedAtMs}, document = ${toDocument(task)}
      where id = ${task.id} and exists (select 1 from task_leases where task_id = ${task.id}
        and owner = ${owner} and epoch = ${epoch} for update)`.execute(this.db)
    return Number(result.numAffectedRows ?? 0) === 1
  }

  /** Writes a finished task no node leases (a refund, a rating's bonus); whether it did. */
  async saveFinished(task: Task): Promise<boolean> {
    const result = await sql`update tasks set provider_id = ${task.providerId},
        state = ${task.state}, updated_at = ${task.updatedAtMs}, document = ${toDocument(task)}
      where id = ${task.id} and state in (${finished})
        and not exists (select 1 from task_leases where task_id = ${task.id})`.execute(this.db)
    return Number(result.numAffectedRows ?? 0) === 1
  }

  /**
   * Takes the leases of unfinished tasks whose lease lapsed, each epoch one higher than the last
   * holder's. With `unleased`, tasks that never had a lease too (a store from before the cluster;
   * this scans the tasks, so a node does it once, when it starts); with `taskId`, only that task.
   */
  claim(
    owner: string,
    nowMs: number,
    expiresAtMs: number,
    limit: number,
    scope: { unleased?: boolean; taskId?: string } = {},
  ): Promise<HeldLease[]> {
    const only = scope.taskId === undefined ? sql`` : sql`and t.id = ${scope.taskId}`
    // The periodic take-over starts from the leases (one row per unfinished task), not the tasks.
    const candidates =
      scope.unleased || scope.taskId !== undefined
        ? sql`tasks t left join task_leases l on l.task_id = t.id
          where (l.task_id is null or l.expires_at < ${nowMs})`
        : sql`task_leases l join tasks t on t.id = l.task_id where l.expires_at < ${nowMs}`
    return this.#table.claim(
      sql`select t.id from ${candidates} and t.state not in (${finished}) ${only}
        order by t.id limit ${limit} for update of t skip locked`,
      owner,
      nowMs,
      expiresAtMs,
    )
  }

  /** Extends the leases `owner` holds of `taskIds`; answers the ids it still holds. */
  renew(owner: string, held: HeldLease[], expiresAtMs: number): Promise<string[]> {
    return this.#table.renew(owner, held, expiresAtMs)
  }

  /** Lets every lease of `owner` lapse now, so that another node takes its tasks at once. */
  release(owner: string): Promise<number> {
    return this.#table.release(owner)
  }

  /** The owner of a task's lease, while it stands. */
  async ownerOf(taskId: string, nowMs: number): Promise<string | undefined> {
    const { rows } = await sql<{ owner: string }>`select owner from task_leases
      where task_id = ${taskId} and expires_at >= ${nowMs}`.execute(this.db)
    return rows[0]?.owner
  }

  /** The first `limit` leases by expiry, and how many each owner holds. */
  async list(limit: number): Promise<{ leases: LeaseRow[]; byOwner: Map<string, number> }> {
    const { rows } = await sql<{
      task_id: string
      owner: string
      epoch: string
      expires_at: string
    }>`select task_id, owner, epoch, expires_at from task_leases order by expires_at, task_id
      limit ${limit}`.execute(this.db)
    const counts = await sql<{ owner: string; n: string }>`select owner, count(*) as n
      from task_leases group by owner`.execute(this.db)
    return {
      leases: rows.map((r) => ({
        taskId: r.task_id,
        owner: r.owner,
        epoch: Number(r.epoch),
        expiresAtMs: Number(r.expires_at),
      })),
      byOwner: new Map(counts.rows.map((r) => [r.owner, Number(r.n)])),
    }
  }
}
