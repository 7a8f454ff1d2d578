import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import {
  fromBase64url,
  generateKeyPair,
  keyPairFromSecret,
  toBase64url,
  type KeyPair,
} from '@agentmesh/protocol'
import { SdkError } from './sdk-error.js'

/** A key file: the DID for reading by eye, the 32-byte seed in base64url. */
interface KeyFile {
  did: string
  secretKey: string
}

/** Makes a new Ed25519 identity. */
export function generateKey(): KeyPair {
  return generateKeyPair()
}

/** The file of a named key under an agentmesh home: `HOME/keys/NAME.json`. */
export function keyPath(home: string, name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
    throw new SdkError('BAD_OPTIONS', `Key name "${name}" must be letters, digits, ".", "_" or "-"`)
  }
  return join(home, 'keys', `${name}.json`)
}

/** Reads a key file and checks that its seed matches its DID. */
export function loadKey(file: string): KeyPair {
  let parsed: Partial<KeyFile>
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<KeyFile>
  } catch (cause) {
    throw new SdkError('KEY_FILE', `Cannot read key file "${file}"`, { cause })
  }
  let key: KeyPair
  try {
    key = keyPairFromSecret(fromBase64url(String(parsed.secretKey)))
  } catch (cause) {
    throw new SdkError('KEY_FILE', `Key file "${file}" has no valid secretKey`, { cause })
  }
  if (key.did !== parsed.did) {
    throw new SdkError(
      'KEY_FILE',
      `Key file "${file}" names "${String(parsed.did)}" but holds "${key.did}"`,
    )
  }
  return key
}

/**
 * Writes a key file readable by its owner only (mode 0600). Refuses to replace an existing file
 * unless `overwrite` is set, since a lost key is a lost identity.
 */
export function saveKey(file: string, key: KeyPair, options: { overwrite?: boolean } = {}): void {
  if (!options.overwrite && existsSync(file)) {
    throw new SdkError('KEY_FILE', `Key file "${file}" exists already`)
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  const content: KeyFile = { did: key.did, secretKey: toBase64url(key.secretKey) }
  writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`, {
    mode: 0o600,
    flag: options.overwrite ? 'w' : 'wx',
  })
  chmodSync(file, 0o600)
}
