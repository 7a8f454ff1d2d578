import { implementation, randomBytes, sha256 } from '#ed25519'

/** Which Ed25519 implementation this runtime uses: `node:crypto` under Node, noble elsewhere. */
export const cryptoImplementation: string = implementation

export { randomBytes, sha256 }
