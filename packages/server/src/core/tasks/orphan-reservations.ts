import type { AuditSink } from '../ports/audit-sink.js'
import type { Escrow } from '../ports/escrow.js'
import type { TaskStore } from './task-store.js'

/** A reservation still held, as the escrow lists it. */
export interface HeldReservation {
  reservationId: string
  /** What it is for: a submission reserves under the task's own id, with the task as reference. */
  reference: string | null
}

const PAGE = 500

/**
 * Releases every reservation a submission made for a task that was never stored: a node stopped
 * between the two writes (kill -9) would otherwise hold the payer's money until the reservation
 * times out. Run at start, before the node accepts submissions, so that no reservation of a
 * submission in flight is taken for an orphan. Answers how many it released.
 */
export async function releaseOrphanReservations(deps: {
  held(after: string, limit: number): Promise<HeldReservation[]>
  tasks: Pick<TaskStore, 'get'>
  escrow: Pick<Escrow, 'release'>
  audit: AuditSink
  nodeDid: string
}): Promise<number> {
  let released = 0
  let after = ''
  for (;;) {
    const page = await deps.held(after, PAGE)
    for (const { reservationId, reference } of page) {
      if (reference !== reservationId || (await deps.tasks.get(reservationId))) continue
      await deps.escrow.release(reservationId)
      await deps.audit.record({
        actor: deps.nodeDid,
        action: 'task.reservation_released',
        resource: `task:${reservationId}`,
        result: 'ok',
        details: { reason: 'the task was never stored' },
      })
      released++
    }
    if (page.length < PAGE) return released
    after = page[page.length - 1]!.reservationId
  }
}
