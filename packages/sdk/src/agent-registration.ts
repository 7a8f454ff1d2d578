import { MeshError, signJws, type AgentCard, type KeyPair } from '@agentmesh/protocol'
import { Mesh } from './mesh.js'
import type { NodeUrlList } from './node-urls.js'

/** The codes of a registration refused because the agent is known: then its card is PATCHed. */
const REGISTERED_ALREADY: ReadonlySet<string> = new Set([
  'AGENT_EXISTS',
  'VERSION_CONFLICT',
  'CONFLICT', // a node before 0.2
])

/**
 * Registers an agent's card, signed with its key, on the first of `urls` that answers (signing
 * in as an agent), or updates it where the node knows the agent already. Answers the URL of the
 * node that took it, where the agent then connects.
 */
export async function registerCard(
  urls: NodeUrlList,
  card: AgentCard,
  key: KeyPair,
): Promise<string> {
  const mesh = await Mesh.connect(urls, { key, roles: ['agent'] })
  const signed = signJws(card, key)
  try {
    try {
      await mesh.request('POST', '/v1/agents', { card: signed })
    } catch (error) {
      if (!(error instanceof MeshError) || !REGISTERED_ALREADY.has(error.code)) throw error
      await mesh.request('PATCH', `/v1/agents/${encodeURIComponent(key.did)}`, { card: signed })
    }
    return mesh.url
  } finally {
    await mesh.close()
  }
}
