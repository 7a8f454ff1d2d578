/** A message on the bus: a topic and a JSON-serializable body. */
export interface BusMessage {
  topic: string
  body: unknown
}

/**
 * Publish/subscribe between the parts of a node (and, in a cluster, between nodes). Topics are
 * dotted (`registry.changed`, `task.01J….event`); a subscription names one exact topic.
 */
export interface Bus {
  publish(topic: string, body: unknown): Promise<void>
  /** Calls `handler` for every message on `topic` until the returned function is called. */
  subscribe(topic: string, handler: (message: BusMessage) => void): () => void
  stop(): Promise<void>
}
