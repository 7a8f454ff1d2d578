/** Cryptographically strong random bytes, behind a port so tests can drive them. */
export interface Random {
  bytes(length: number): Uint8Array
}
