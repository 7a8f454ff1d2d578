import { MeshError } from '@agentmesh/protocol'
import { randomBytes as platformRandomBytes } from '@noble/hashes/utils'
import {
  addMask,
  agree,
  fromBase64,
  maskStream,
  open,
  pairKey,
  publicKey,
  quantize,
  seal,
  SHARE_BYTES,
  splitSecret,
  toBase64,
  wordsToBase64,
} from './crypto.js'
import { neighboursOf, planRound } from './graph.js'
import type {
  EncryptedShare,
  KeyAdvertisement,
  MaskedInput,
  RevealMessage,
  SecAggConfig,
  ShareKeysMessage,
  UnmaskRequest,
} from './messages.js'

/** Where a trainer's secrets come from: the platform's CSPRNG unless a test passes its own. */
export type RandomBytes = (length: number) => Uint8Array

/** The shares of one owner's two secrets that a trainer holds. */
interface HeldShares {
  owner: string
  keyShare: Uint8Array
  seedShare: Uint8Array
}

/**
 * What a trainer keeps between the steps of one round. Secret: it never leaves the trainer. Each
 * step returns a new state; pass the latest one to the next step.
 */
export interface SecAggTrainerState {
  readonly config: SecAggConfig
  readonly trainer: string
  readonly encryptionSecret: Uint8Array
  readonly maskingSecret: Uint8Array
  /** Set by `shareKeys`. */
  readonly selfMaskSeed?: Uint8Array
  readonly peers?: KeyAdvertisement[]
  /** The trainer's own shares (set by `shareKeys`), then all it holds (set by `maskInput`). */
  readonly held?: HeldShares[]
  /** Set by `maskInput`. */
  readonly masked?: true
}

/** The longest vector secure aggregation takes (2²⁴ numbers, 64 MiB masked). */
export const MAX_SECAGG_LENGTH = 2 ** 24

function invalid(message: string): MeshError {
  return new MeshError('FL_SECAGG_INVALID', message)
}

/** Step 1: draws the trainer's two X25519 key pairs and advertises their public keys. */
export function advertiseKeys(
  config: SecAggConfig,
  trainer: string,
  randomBytes: RandomBytes = platformRandomBytes,
): { state: SecAggTrainerState; message: KeyAdvertisement } {
  neighboursOf(planRound(config), trainer)
  const encryptionSecret = randomBytes(32)
  const maskingSecret = randomBytes(32)
  return {
    state: { config, trainer, encryptionSecret, maskingSecret },
    message: {
      trainer,
      encryptionKey: toBase64(publicKey(encryptionSecret)),
      maskingKey: toBase64(publicKey(maskingSecret)),
    },
  }
}

/**
 * Step 2: draws the self-mask seed, splits it and the masking secret key into Shamir shares (each
 * with a hash check) for the trainer and its neighbours that advertised keys, and seals each
 * neighbour's pair of shares to it. Fails (`FL_SECAGG_BELOW_THRESHOLD`) when fewer than
 * `threshold` holders are left, and (`FL_SECAGG_INVALID`) on a bad or altered advertisement.
 */
export async function shareKeys(
  state: SecAggTrainerState,
  advertisements: readonly KeyAdvertisement[],
  randomBytes: RandomBytes = platformRandomBytes,
): Promise<{ state: SecAggTrainerState; message: ShareKeysMessage }> {
  if (state.selfMaskSeed !== undefined) throw invalid('Keys were shared already in this round')
  const round = planRound(state.config)
  const { context } = state.config
  const neighbours = new Set(neighboursOf(round, state.trainer))
  const seen = new Set<string>()
  const peers: KeyAdvertisement[] = []
  for (const ad of advertisements) {
    if (seen.has(ad.trainer)) throw invalid(`"${ad.trainer}" advertised keys twice`)
    seen.add(ad.trainer)
    fromBase64(ad.encryptionKey, 32, `The encryption key of "${ad.trainer}"`)
    fromBase64(ad.maskingKey, 32, `The masking key of "${ad.trainer}"`)
    if (ad.trainer === state.trainer) {
      const own = toBase64(publicKey(state.encryptionSecret)) === ad.encryptionKey
      if (!own || toBase64(publicKey(state.maskingSecret)) !== ad.maskingKey) {
        throw invalid(`The keys advertised for "${state.trainer}" are not its own`)
      }
    } else if (neighbours.has(ad.trainer)) {
      peers.push(ad)
    }
  }
  const holders = peers.length + 1
  if (holders < round.threshold) {
    throw new MeshError(
      'FL_SECAGG_BELOW_THRESHOLD',
      `Only ${holders} of the ${round.threshold} holders "${state.trainer}" needs advertised keys`,
    )
  }
  const selfMaskSeed = randomBytes(32)
  const keyShares = await splitSecret(
    state.maskingSecret,
    holders,
    round.threshold,
    context,
    state.trainer,
    'key',
  )
  const seedShares = await splitSecret(
    selfMaskSeed,
    holders,
    round.threshold,
    context,
    state.trainer,
    'seed',
  )
  const shares: EncryptedShare[] = peers.map((peer, i) => {
    const key = agree(
      state.encryptionSecret,
      fromBase64(peer.encryptionKey, 32, 'An encryption key'),
      context,
      `share\u0000${state.trainer}\u0000${peer.trainer}`,
    )
    const plaintext = new Uint8Array(2 * SHARE_BYTES)
    plaintext.set(keyShares[i + 1]!, 0)
    plaintext.set(seedShares[i + 1]!, SHARE_BYTES)
    const sealed = seal(key, randomBytes(12), context, state.trainer, peer.trainer, plaintext)
    return { from: state.trainer, to: peer.trainer, ciphertext: toBase64(sealed) }
  })
  const held = [{ owner: state.trainer, keyShare: keyShares[0]!, seedShare: seedShares[0]! }]
  return {
    state: { ...state, selfMaskSeed, peers, held },
    message: { trainer: state.trainer, shares },
  }
}

/**
 * Step 3: opens the shares the aggregator passed on, quantizes the input (clipped to ±clip, scaled,
 * mod 2³²) and adds the self mask and, for each neighbour whose shares came, a pairwise mask
 * (added towards the larger name, subtracted towards the smaller, so each pair cancels in the sum).
 */
export function maskInput(
  state: SecAggTrainerState,
  received: readonly EncryptedShare[],
  input: Float32Array,
): { state: SecAggTrainerState; message: MaskedInput } {
  const { config, trainer, selfMaskSeed, peers, held } = state
  if (selfMaskSeed === undefined || peers === undefined || held === undefined) {
    throw invalid('Keys were not shared yet in this round')
  }
  if (state.masked === true) throw invalid('The input was masked already in this round')
  if (input.length === 0 || input.length > MAX_SECAGG_LENGTH) {
    throw invalid(`An input of ${input.length} numbers is not in 1..${MAX_SECAGG_LENGTH}`)
  }
  const round = planRound(config)
  const byName = new Map(peers.map((peer) => [peer.trainer, peer]))
  const holding: HeldShares[] = [...held]
  for (const share of received) {
    const peer = byName.get(share.from)
    if (share.to !== trainer || peer === undefined || holding.some((h) => h.owner === share.from)) {
      throw invalid(
        `A share from "${share.from}" to "${share.to}" is not for "${trainer}" or repeated`,
      )
    }
    const key = agree(
      state.encryptionSecret,
      fromBase64(peer.encryptionKey, 32, 'An encryption key'),
      config.context,
      `share\u0000${share.from}\u0000${trainer}`,
    )
    const plaintext = open(
      key,
      config.context,
      share.from,
      trainer,
      fromBase64(share.ciphertext, undefined, 'A share'),
    )
    if (plaintext.length !== 2 * SHARE_BYTES)
      throw invalid(`The share from "${share.from}" has the wrong size`)
    holding.push({
      owner: share.from,
      keyShare: plaintext.slice(0, SHARE_BYTES),
      seedShare: plaintext.slice(SHARE_BYTES),
    })
  }
  if (holding.length < round.threshold) {
    throw new MeshError(
      'FL_SECAGG_BELOW_THRESHOLD',
      `"${trainer}" got shares from ${holding.length - 1} neighbours; the round needs ${round.threshold - 1}`,
    )
  }
  const vector = quantize(input, config.scale, config.clip)
  addMask(vector, maskStream(selfMaskSeed, vector.length), 1)
  for (const { owner } of holding) {
    if (owner === trainer) continue
    const peerKey = fromBase64(byName.get(owner)!.maskingKey, 32, 'A masking key')
    const key = pairKey(state.maskingSecret, peerKey, config.context, trainer, owner)
    addMask(vector, maskStream(key, vector.length), trainer < owner ? 1 : -1)
  }
  return {
    state: { ...state, held: holding, masked: true },
    message: { trainer, vector: wordsToBase64(vector) },
  }
}

/**
 * Step 4: reveals the shares the aggregator needs — of survivors' self-mask seeds and of dropped
 * trainers' masking keys. Refuses (`FL_SECAGG_INVALID`) a request that names a trainer in both
 * lists or leaves this trainer out of the survivors, and (`FL_SECAGG_BELOW_THRESHOLD`) one with
 * fewer survivors than the threshold, so that no trainer's two secrets can both be rebuilt.
 */
export function revealShares(state: SecAggTrainerState, request: UnmaskRequest): RevealMessage {
  if (state.masked !== true || state.held === undefined)
    throw invalid('The input was not masked yet in this round')
  const round = planRound(state.config)
  const survivors = new Set(request.survivors)
  const dropped = new Set(request.dropped)
  if (request.dropped.some((trainer) => survivors.has(trainer))) {
    throw invalid('The unmask request names a trainer both survivor and dropped')
  }
  if (!survivors.has(state.trainer))
    throw invalid(`The unmask request leaves out "${state.trainer}"`)
  if (survivors.size < round.threshold) {
    throw new MeshError(
      'FL_SECAGG_BELOW_THRESHOLD',
      `${survivors.size} trainers survived; the round needs ${round.threshold}`,
    )
  }
  const message: RevealMessage = { trainer: state.trainer, selfMaskShares: [], keyShares: [] }
  for (const held of state.held) {
    if (survivors.has(held.owner)) {
      message.selfMaskShares.push({ owner: held.owner, share: toBase64(held.seedShare) })
    } else if (dropped.has(held.owner)) {
      message.keyShares.push({ owner: held.owner, share: toBase64(held.keyShare) })
    }
  }
  return message
}
