import { isDid, MeshError, parseAmount, parseCurrency } from '@agentmesh/protocol'
import type { FederationConfig, TrustZone } from './federation-host.js'

const ZONES: readonly TrustZone[] = ['bootstrap', 'validator', 'worker']

/** The federation flags of `agentmesh up`. */
export interface FederationFlags {
  p2pListen?: string[] | undefined
  bootstrap?: string[] | undefined
}

const list = (text: string | undefined): string[] =>
  (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')

/** `did=value,did=value` with every key a did:key. */
function pairs(name: string, text: string | undefined): [string, string][] {
  return list(text).map((pair) => {
    const cut = pair.lastIndexOf('=')
    const did = pair.slice(0, cut)
    if (cut <= 0 || !isDid(did)) {
      throw new MeshError('INVALID_INPUT', `${name} "${pair}" is not DID=VALUE`)
    }
    return [did, pair.slice(cut + 1)]
  })
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name]
  if (text === undefined || text === '') return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < 10 || value > 86_400_000) {
    throw new MeshError('INVALID_INPUT', `${name} "${text}" is not milliseconds from 10 to 1 day`)
  }
  return value
}

const off = (text: string | undefined): boolean =>
  text !== undefined && ['0', 'false', 'no', 'off'].includes(text.toLowerCase())

/**
 * Federation from `--p2p-listen`/`--bootstrap` and `AGENTMESH_P2P_*`; undefined when the node
 * listens on no multiaddr (it does not federate then). Throws INVALID_INPUT for a bad value.
 */
export function resolveFederationConfig(
  flags: FederationFlags,
  env: NodeJS.ProcessEnv,
): FederationConfig | undefined {
  const listen = flags.p2pListen ?? list(env.AGENTMESH_P2P_LISTEN)
  if (listen.length === 0) return undefined
  for (const addr of listen) {
    if (!addr.startsWith('/')) {
      throw new MeshError('INVALID_INPUT', `Listen address "${addr}" is not a multiaddr`)
    }
  }
  const mode = env.AGENTMESH_P2P_MODE ?? 'open'
  if (mode !== 'open' && mode !== 'allowlist') {
    throw new MeshError(
      'INVALID_INPUT',
      `AGENTMESH_P2P_MODE "${String(mode)}" is not open or allowlist`,
    )
  }
  const allow = list(env.AGENTMESH_P2P_ALLOW)
  for (const did of allow) {
    if (!isDid(did))
      throw new MeshError('INVALID_INPUT', `Allowed peer "${String(did)}" is not a DID`)
  }
  const zones: Record<string, TrustZone> = {}
  for (const [did, zone] of pairs('Zone', env.AGENTMESH_P2P_ZONES)) {
    if (!ZONES.includes(zone as TrustZone)) {
      throw new MeshError('INVALID_INPUT', `Zone "${zone}" is not one of ${ZONES.join(', ')}`)
    }
    zones[did] = zone as TrustZone
  }
  const [limit = '100', currency = 'USD'] = (env.AGENTMESH_P2P_CREDIT_LIMIT ?? '100 USD')
    .trim()
    .split(/\s+/)
  const creditLimits: Record<string, bigint> = {}
  for (const [did, amount] of pairs('Credit limit', env.AGENTMESH_P2P_CREDIT_LIMITS)) {
    creditLimits[did] = parseAmount(amount)
  }
  const announceIntervalMs = positive(env, 'AGENTMESH_P2P_ANNOUNCE_MS', 5000)
  return {
    listen,
    bootstrap: flags.bootstrap ?? list(env.AGENTMESH_P2P_BOOTSTRAP),
    gossip: !off(env.AGENTMESH_P2P_GOSSIP),
    dht: !off(env.AGENTMESH_P2P_DHT),
    announceIntervalMs,
    announceTtlMs: positive(env, 'AGENTMESH_P2P_TTL_MS', announceIntervalMs * 3),
    mode,
    allow,
    zones,
    currency: parseCurrency(currency),
    creditLimitMicros: parseAmount(limit),
    creditLimits,
    maxMessageBytes: 1024 * 1024,
    demoteAfterStrikes: 1,
    disconnectAfterStrikes: 3,
  }
}
