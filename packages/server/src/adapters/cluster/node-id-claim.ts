import { randomUUID } from 'node:crypto'
import type { KV } from '@nats-io/kv'
import { RequestError, type NatsConnection, type Subscription } from '@nats-io/transport-node'

/**
 * Holds this node's id in the cluster for as long as the process runs. A process whose id (from
 * its key, so its data directory) a running node holds refuses to join: two processes under one
 * id would share one JetStream consumer, each taking half of the other's attempts and answers,
 * which then wait out their deadlines.
 *
 * The holder answers on the id's own subject; a node killed a moment ago answers nothing (the
 * server drops a closed connection's subscriptions), so it restarts at once. Two processes
 * starting together may both find nobody answering: each then subscribes and writes its instance
 * to the key `held.<id>` of `kv` against the revision it read before asking, so at most one of
 * them gets through (a later one either finds the first answering or loses that write).
 */
export async function claimNodeId(
  nc: NatsConnection,
  kv: KV,
  options: { cluster: string; nodeId: string },
): Promise<Subscription> {
  const subject = `am.${options.cluster}.node.${options.nodeId}.held`
  const key = `held.${options.nodeId}`
  const instance = randomUUID()
  const taken = (how: string) =>
    new Error(
      `Node id ${options.nodeId} is taken in cluster "${options.cluster}" (${how}): each node ` +
        'needs its own data directory (its own key)',
    )
  const seen = await kv.get(key)
  const holder = await nc.request(subject, instance, { timeout: 2000 }).then(
    () => 'a running node answers for it',
    (error: unknown) =>
      error instanceof RequestError && error.isNoResponders()
        ? undefined
        : 'a process holds it but did not answer',
  )
  if (holder !== undefined) throw taken(holder)
  const sub = nc.subscribe(subject, {
    callback: (error, msg) => {
      if (!error && msg.string() !== instance) msg.respond(instance)
    },
  })
  try {
    await nc.flush()
    await (seen ? kv.update(key, instance, seen.revision) : kv.create(key, instance))
  } catch (error) {
    sub.unsubscribe()
    if (!/wrong last sequence/i.test(String(error))) throw error
    throw taken('another process is joining under it at this moment')
  }
  return sub
}
