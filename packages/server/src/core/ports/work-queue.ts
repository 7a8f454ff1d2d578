/** A message as delivered: settle it with `ack` (done) or `nak` (deliver again). */
export interface WorkDelivery<T> {
  id: string
  payload: T
  /** 1 on the first delivery, then one more on each redelivery. */
  deliveries: number
  /** Done: the message is not delivered again. */
  ack(): void
  /** Not done: delivered again after `delayMs` (0 by default). */
  nak(delayMs?: number): void
}

/**
 * At-least-once delivery of work: a message is delivered until acknowledged. One received and
 * neither acked nor naked within the visibility timeout is delivered again; an id already queued
 * or being worked on is not enqueued twice.
 */
export interface WorkQueue<T> {
  /** Queues a message; answers false (and queues nothing) for an id queued or in flight. */
  enqueue(id: string, payload: T): Promise<boolean>
  /** Takes up to `max` messages due now (none: an empty list), each in flight until settled. */
  receive(max: number): Promise<WorkDelivery<T>[]>
}
