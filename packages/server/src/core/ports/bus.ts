/** A message on the bus: a topic and a JSON-serializable body. */
export interface BusMessage {
  topic: string
  body: unknown
}

/**
 * Publish/subscribe between the parts of a node (and, in a cluster, between nodes). Topics are
 * dotted (`registry.changed`, `task.01J….event`); a subscription names one exact topic (no
 * prefixes, no wildcards). Delivery is asynchronous: a handler never runs inside `publish`, and a
 * handler that throws stops neither the other handlers nor its own later deliveries. Messages one
 * publisher sends on one topic arrive in the order of its `publish` calls, awaited or not.
 * `test/adapters/bus/bus-contract.ts` checks every implementation against these promises.
 */
export interface Bus {
  /** Sends `body` (JSON) to the topic's subscribers; resolves once sent, not once delivered. */
  publish(topic: string, body: unknown): Promise<void>
  /**
   * Calls `handler` for every message on `topic` until the returned function is called; after
   * that call it is never called again, not even for a message published before it. Calling the
   * returned function again does nothing.
   */
  subscribe(topic: string, handler: (message: BusMessage) => void): () => void
  /** Ends every subscription: once it resolves no handler runs again. Stopping twice is harmless. */
  stop(): Promise<void>
}
