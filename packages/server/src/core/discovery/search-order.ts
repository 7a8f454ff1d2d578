import { fromBase64url, MeshError, toBase64url, utf8 } from '@agentmesh/protocol'
import type { CapabilityMatch } from '../registry/registry-store.js'
import type { RankSignals } from './ranking.js'

/** One scored match, as discovery orders them. */
export interface Ranked {
  match: CapabilityMatch
  signals: RankSignals
  score: number
}

/** Where a result sits in the order: score, then agent and capability ids. */
export type SortKey = [score: number, agentId: string, capabilityId: string]

export const sortKey = (r: Ranked): SortKey => [r.score, r.match.agentId, r.match.capabilityId]

/** Orders by score (high first), then agent and capability ids, so pages never overlap. */
export function compare(
  aScore: number,
  aAgent: string,
  aCapability: string,
  bScore: number,
  bAgent: string,
  bCapability: string,
): number {
  if (aScore !== bScore) return bScore - aScore
  if (aAgent !== bAgent) return aAgent < bAgent ? -1 : 1
  return aCapability === bCapability ? 0 : aCapability < bCapability ? -1 : 1
}

export const compareRanked = (a: Ranked, b: Ranked): number =>
  compare(
    a.score,
    a.match.agentId,
    a.match.capabilityId,
    b.score,
    b.match.agentId,
    b.match.capabilityId,
  )

/** The cursor of a page that ends at `key`. */
export function encodeCursor(key: SortKey): string {
  return toBase64url(utf8(JSON.stringify(key)))
}

/** The sort key a cursor stands for; INVALID_INPUT for one this node did not issue. */
export function decodeCursor(cursor: string): SortKey {
  try {
    const key = JSON.parse(new TextDecoder().decode(fromBase64url(cursor))) as unknown
    if (
      Array.isArray(key) &&
      key.length === 3 &&
      typeof key[0] === 'number' &&
      typeof key[1] === 'string' &&
      typeof key[2] === 'string'
    ) {
      return [key[0], key[1], key[2]]
    }
  } catch {
    // reported below
  }
  throw new MeshError('INVALID_INPUT', `Cursor "${cursor}" is not one this node issued`, {
    details: { path: 'querystring/cursor' },
  })
}
