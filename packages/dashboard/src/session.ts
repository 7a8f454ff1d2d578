import { fromBase64url, keyPairFromSecret, type KeyPair } from '@agentmesh/protocol'
import { Mesh, type NodeInfo } from '@agentmesh/sdk/browser'

/** A signed-in dashboard: the client, who it is, and the node it talks to. */
export interface Session {
  mesh: Mesh
  did: string
  roles: string[]
  info: NodeInfo
  /** Whether the key was given here (the session token is then ours to revoke on sign-out). */
  viaKey: boolean
}

// Only the session token is kept (for this tab), never a key.
const STORAGE = 'agentmesh.token'

const origin = (): string => window.location.origin

/**
 * Reads a key as `agentmesh keys` writes it: the key file's JSON (`{"did","secretKey"}`) or the
 * base64url seed alone. Throws with a readable reason.
 */
export function parseKey(text: string): KeyPair {
  const trimmed = text.trim()
  let secret = trimmed
  let did: string | undefined
  if (trimmed.startsWith('{')) {
    const parsed = JSON.parse(trimmed) as { did?: unknown; secretKey?: unknown }
    if (typeof parsed.secretKey !== 'string') throw new Error('The key file has no "secretKey"')
    secret = parsed.secretKey
    did = typeof parsed.did === 'string' ? parsed.did : undefined
  }
  const bytes = fromBase64url(secret)
  if (bytes.length !== 32) throw new Error('A key is a 32-byte seed in base64url')
  const key = keyPairFromSecret(bytes)
  if (did !== undefined && did !== key.did) {
    throw new Error(`The key file names "${did}" but holds "${key.did}"`)
  }
  return key
}

async function sessionOf(mesh: Mesh, viaKey: boolean): Promise<Session> {
  const [who, info] = await Promise.all([mesh.whoami(), mesh.info()])
  sessionStorage.setItem(STORAGE, mesh.token)
  return { mesh, did: who.did, roles: who.roles, info, viaKey }
}

/** Signs in with a session token, such as the admin token the node prints. */
export async function signInWithToken(token: string): Promise<Session> {
  return sessionOf(await Mesh.connect(origin(), { token: token.trim() }), false)
}

/** Signs in with a key: challenge, signature in the browser, session token. */
export async function signInWithKey(text: string): Promise<Session> {
  return sessionOf(await Mesh.connect(origin(), { key: parseKey(text) }), true)
}

/** The session this tab had before a reload, if its token still works. */
export async function resumeSession(): Promise<Session | undefined> {
  const token = sessionStorage.getItem(STORAGE)
  if (!token) return undefined
  try {
    return await signInWithToken(token)
  } catch {
    sessionStorage.removeItem(STORAGE)
    return undefined
  }
}

/** Forgets the token; a token made from a key here is revoked too. */
export async function signOut(session: Session): Promise<void> {
  sessionStorage.removeItem(STORAGE)
  if (session.viaKey) await session.mesh.request('POST', '/v1/auth/revoke').catch(() => {})
}

export const isAdmin = (session: Session): boolean => session.roles.includes('admin')
