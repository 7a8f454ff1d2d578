import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { generateKeyPair, type KeyPair } from '@agentmesh/protocol'
import { loadKey, saveKey } from '@agentmesh/sdk'
import type { AuthService } from '../core/auth/auth-service.js'

/** The server package's version. */
export function readVersion(): string {
  const pkg = createRequire(import.meta.url)('../../package.json') as { version: string }
  return pkg.version
}

/** The node's key: kept in the data directory, or a fresh one for a node without. */
export function nodeKey(dataDir: string | undefined): KeyPair {
  if (!dataDir) return generateKeyPair()
  const file = join(dataDir, 'node.key')
  if (existsSync(file)) return loadKey(file)
  const key = generateKeyPair()
  saveKey(file, key)
  return key
}

/**
 * The admin token: the one saved in the data directory while it still signs in as the node, or a
 * new one (saved there, readable only by its owner).
 */
export async function adminToken(
  auth: AuthService,
  did: string,
  dataDir: string | undefined,
): Promise<{ token: string; file: string | undefined }> {
  const file = dataDir ? join(dataDir, 'admin.token') : undefined
  if (file && existsSync(file)) {
    const saved = readFileSync(file, 'utf8').trim()
    const valid = await auth.authenticate(saved).then(
      (caller) => caller.did === did,
      () => false,
    )
    if (valid) return { token: saved, file }
  }
  const { token } = await auth.issue(did, null, ['admin'])
  if (file) {
    writeFileSync(file, `${token}\n`, { mode: 0o600 })
    chmodSync(file, 0o600)
  }
  return { token, file }
}
