import { stringField } from '../cache-drops.js'

/**
 * The bus topic of sign-in changes (a token revoked, a principal's roles changed, a principal
 * removed): every node drops what it caches of them (see `CacheDrops`).
 */
export const AUTH_CHANGED = 'auth.changed'

/** What changed, as `AUTH_CHANGED` carries it: a token (by hash) or a principal. */
export interface AuthChange {
  tokenHash?: string
  did?: string
  /** The principal is gone: its permissions and agent sockets go too, on every node. */
  removed?: boolean
}

/** Reads an `AUTH_CHANGED` body another node sent; undefined when it is not one. */
export function authChange(body: unknown): AuthChange | undefined {
  const tokenHash = stringField(body, 'tokenHash')
  if (tokenHash !== undefined) return { tokenHash }
  const did = stringField(body, 'did')
  if (did === undefined) return undefined
  return { did, removed: (body as { removed?: unknown }).removed === true }
}
