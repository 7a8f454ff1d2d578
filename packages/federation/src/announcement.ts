import { MeshError, signJws, verifyJws, type AgentCard, type KeyPair } from '@agentmesh/protocol'
import { DEFAULT_CARD_LIMITS, verifyCard } from 'agentmesh/internal'
import type { SchemaChecker } from 'agentmesh/internal'

/** What a node announces: its online agents' signed cards, signed again by the node. */
export interface Announcement {
  v: 1
  node: string
  /** Grows with each announcement, so an older one arriving late changes nothing. */
  seq: number
  issuedAtMs: number
  ttlMs: number
  /** Compact JWS of each agent card, as its agent signed it. */
  cards: string[]
  /** Where the node listens, so a peer that heard it through gossip can dial it directly. */
  addrs: string[]
}

/** An announcement that verified: its node's agents and their cards. */
export interface VerifiedAnnouncement {
  announcement: Announcement
  agents: { agentId: string; card: AgentCard }[]
}

const MAX_CARDS = 256
const CLOCK_SKEW_MS = 60_000

/** Signs an announcement with the node's key (a compact JWS over its canonical JSON). */
export function signAnnouncement(announcement: Announcement, key: KeyPair): string {
  return signJws(announcement, key)
}

/**
 * Checks an announcement from `peerDid` (the DID its connection proved): the node's signature,
 * the shape, the time window, and every card's own signature and schemas. Throws a MeshError
 * (SIGNATURE_INVALID for a forged one) and keeps nothing.
 */
export function verifyAnnouncement(
  jws: string,
  peerDid: string,
  deps: { schemas: SchemaChecker; nowMs: number; maxBytes: number },
): VerifiedAnnouncement {
  if (typeof jws !== 'string' || jws.length > deps.maxBytes) {
    throw new MeshError('PAYLOAD_TOO_LARGE', `Announcement is larger than ${deps.maxBytes} bytes`)
  }
  const { payload } = verifyJws<Announcement>(jws, peerDid)
  if (
    payload?.v !== 1 ||
    payload.node !== peerDid ||
    !Number.isSafeInteger(payload.seq) ||
    !Number.isSafeInteger(payload.issuedAtMs) ||
    !Number.isSafeInteger(payload.ttlMs) ||
    payload.ttlMs <= 0 ||
    !Array.isArray(payload.cards) ||
    payload.cards.length > MAX_CARDS ||
    !Array.isArray(payload.addrs) ||
    payload.addrs.length > 16 ||
    !payload.addrs.every((a) => typeof a === 'string' && a.length <= 256)
  ) {
    throw new MeshError('INVALID_INPUT', `Announcement of "${peerDid}" is malformed`)
  }
  if (
    payload.issuedAtMs > deps.nowMs + CLOCK_SKEW_MS ||
    payload.issuedAtMs + payload.ttlMs < deps.nowMs
  ) {
    throw new MeshError('FEDERATION_REPLAY', `Announcement of "${peerDid}" is out of its window`)
  }
  const agents = payload.cards.map((card) => {
    let signer = ''
    const verified = verifyCard(card, {
      schemas: deps.schemas,
      limits: DEFAULT_CARD_LIMITS,
      checkSigner: (did) => {
        signer = did
      },
    })
    return { agentId: signer, card: verified }
  })
  return { announcement: payload, agents }
}
