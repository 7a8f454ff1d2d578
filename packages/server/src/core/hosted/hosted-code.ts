import { MeshError, sha256, toHex, utf8, type AgentCard } from '@agentmesh/protocol'
import type { Sandbox } from '../ports/sandbox.js'
import type { HostedLimits } from './hosted-types.js'
import type { HostedPolicy } from './hosted-policy.js'

/** The code's SHA-256 (hex) and size in bytes, refusing code larger than the node allows. */
export function measureCode(code: string, policy: HostedPolicy): { hash: string; bytes: number } {
  const bytes = utf8(code)
  if (bytes.length > policy.maxCodeBytes) {
    throw new MeshError(
      'PAYLOAD_TOO_LARGE',
      `Hosted agent code is ${bytes.length} bytes; this node takes at most ${policy.maxCodeBytes}`,
      { details: { limitBytes: policy.maxCodeBytes } },
    )
  }
  return { hash: toHex(sha256(bytes)), bytes: bytes.length }
}

/**
 * Loads the code once in the sandbox and checks that it defines every capability of the card;
 * answers the card's capability ids.
 */
export async function checkCodeDefines(
  sandbox: Sandbox,
  code: string,
  card: Pick<AgentCard, 'capabilities'>,
  limits: HostedLimits,
  policy: HostedPolicy,
): Promise<string[]> {
  const info = await sandbox.inspect(code, { ...limits, stackBytes: policy.stackBytes })
  const defined = new Set(info.capabilityIds)
  const wanted = card.capabilities.map((c) => c.id)
  const missing = wanted.filter((id) => !defined.has(id))
  if (missing.length > 0) {
    throw new MeshError(
      'HOSTED_CODE_MISMATCH',
      `The code does not define capabilit${missing.length === 1 ? 'y' : 'ies'} ${missing.map((m) => `"${m}"`).join(', ')} of its card`,
      { details: { missing, defined: [...defined].slice(0, 64) } },
    )
  }
  return wanted
}

/** Hosts a hosted agent may fetch: lower-case host names, at most 16, no ports or paths. */
export function normalizeHosts(hosts: readonly string[] | undefined): string[] {
  const list = [...new Set((hosts ?? []).map((h) => h.trim().toLowerCase()))]
  if (list.length > 16) {
    throw new MeshError('INVALID_INPUT', 'At most 16 allowed hosts', {
      details: { path: '/allowedHosts' },
    })
  }
  for (const host of list) {
    if (!/^[a-z0-9]([a-z0-9-]{0,62})(\.[a-z0-9]([a-z0-9-]{0,62}))*$/.test(host)) {
      throw new MeshError('INVALID_INPUT', `Allowed host "${host}" is not a host name`, {
        details: { path: '/allowedHosts' },
      })
    }
  }
  return list
}
