import { didFromPublicKey, MeshError, publicKeyFromDid, type KeyPair } from '@agentmesh/protocol'
import { generateKeyPairFromSeed, publicKeyFromRaw } from '@libp2p/crypto/keys'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { peerIdFromPublicKey } from '@libp2p/peer-id'

/**
 * The node's libp2p key: the same Ed25519 seed as its `did:key`, so its peer id and its DID name
 * one identity and a peer's signatures check against the key its connection proved.
 */
export function libp2pKey(key: KeyPair): Promise<PrivateKey> {
  return generateKeyPairFromSeed('Ed25519', key.secretKey)
}

/** The `did:key` of an Ed25519 peer id; throws FEDERATION_PEER_REFUSED for other key types. */
export function didOfPeer(peerId: PeerId): string {
  const key = peerId.publicKey
  if (key?.type !== 'Ed25519') {
    throw new MeshError('FEDERATION_PEER_REFUSED', `Peer "${peerId.toString()}" has no Ed25519 key`)
  }
  return didFromPublicKey(key.raw)
}

/** The peer id string of a `did:key`. */
export function peerIdOfDid(did: string): string {
  return peerIdFromPublicKey(publicKeyFromRaw(publicKeyFromDid(did))).toString()
}
