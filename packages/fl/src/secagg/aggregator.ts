import { MeshError } from '@agentmesh/protocol'
import {
  addMask,
  combineSecret,
  dequantize,
  fromBase64,
  maskStream,
  pairKey,
  publicKey,
  SHARE_BYTES,
  toBase64,
  wordsFromBase64,
} from './crypto.js'
import { neighboursOf, planRound, type Round } from './graph.js'
import type {
  EncryptedShare,
  KeyAdvertisement,
  MaskedInput,
  RevealMessage,
  SecAggConfig,
  SecAggSum,
  ShareKeysMessage,
  UnmaskRequest,
} from './messages.js'
import { MAX_SECAGG_LENGTH } from './trainer.js'

function invalid(message: string): MeshError {
  return new MeshError('FL_SECAGG_INVALID', message)
}

function belowThreshold(message: string): MeshError {
  return new MeshError('FL_SECAGG_BELOW_THRESHOLD', message)
}

/**
 * Checks step 2's messages and returns the shares that pass, by recipient: a share from u reaches v
 * only when both shared keys and each sealed a share for the other, so two trainers mask with each
 * other exactly when each holds the other's shares.
 */
function mutualShares(
  round: Round,
  messages: readonly ShareKeysMessage[],
): Map<string, EncryptedShare[]> {
  const sent = new Map<string, Map<string, EncryptedShare>>()
  for (const message of messages) {
    const neighbours = new Set(neighboursOf(round, message.trainer))
    if (sent.has(message.trainer)) throw invalid(`"${message.trainer}" shared keys twice`)
    const shares = new Map<string, EncryptedShare>()
    for (const share of message.shares) {
      if (share.from !== message.trainer || !neighbours.has(share.to) || shares.has(share.to)) {
        throw invalid(`"${message.trainer}" sent a share from "${share.from}" to "${share.to}"`)
      }
      shares.set(share.to, share)
    }
    sent.set(message.trainer, shares)
  }
  const routed = new Map<string, EncryptedShare[]>([...sent.keys()].map((trainer) => [trainer, []]))
  for (const [from, shares] of sent) {
    for (const [to, share] of shares) {
      if (sent.get(to)?.has(from) === true) routed.get(to)!.push(share)
    }
  }
  return routed
}

/** The aggregator after step 2: the shares each trainer that shared keys is to receive. */
export function routeShares(
  config: SecAggConfig,
  messages: readonly ShareKeysMessage[],
): Map<string, EncryptedShare[]> {
  return mutualShares(planRound(config), messages)
}

/** Survivors: those that shared keys and sent a masked input, each once. */
function survivorsOf(
  shared: Map<string, EncryptedShare[]>,
  maskedInputs: readonly MaskedInput[],
): string[] {
  const survivors = new Set<string>()
  for (const input of maskedInputs) {
    if (!shared.has(input.trainer) || survivors.has(input.trainer)) {
      throw invalid(
        `A masked input from "${input.trainer}" did not follow shared keys or came twice`,
      )
    }
    survivors.add(input.trainer)
  }
  return [...survivors]
}

/**
 * The aggregator after step 3: who survived (sent a masked input) and who dropped after sharing
 * keys. Fails (`FL_SECAGG_BELOW_THRESHOLD`) with fewer survivors than the threshold.
 */
export function unmaskRequest(
  config: SecAggConfig,
  shareMessages: readonly ShareKeysMessage[],
  maskedInputs: readonly MaskedInput[],
): UnmaskRequest {
  const round = planRound(config)
  const shared = mutualShares(round, shareMessages)
  const survivors = survivorsOf(shared, maskedInputs)
  if (survivors.length < round.threshold) {
    throw belowThreshold(
      `${survivors.length} trainers survived; the round needs ${round.threshold}`,
    )
  }
  const alive = new Set(survivors)
  return { survivors, dropped: [...shared.keys()].filter((trainer) => !alive.has(trainer)) }
}

/** Collects, per owner, the shares revealed by its holders among the survivors that answered. */
function collectShares(
  round: Round,
  reveals: readonly RevealMessage[],
  survivors: Set<string>,
  dropped: Set<string>,
): { seeds: Map<string, Uint8Array[]>; keys: Map<string, Uint8Array[]> } {
  const seeds = new Map<string, Uint8Array[]>()
  const keys = new Map<string, Uint8Array[]>()
  const answered = new Set<string>()
  for (const reveal of reveals) {
    if (!survivors.has(reveal.trainer) || answered.has(reveal.trainer)) {
      throw invalid(`Shares revealed by "${reveal.trainer}" come from no survivor or twice`)
    }
    answered.add(reveal.trainer)
    const holds = new Set([reveal.trainer, ...neighboursOf(round, reveal.trainer)])
    for (const [list, owners, into] of [
      [reveal.selfMaskShares, survivors, seeds],
      [reveal.keyShares, dropped, keys],
    ] as const) {
      const seen = new Set<string>()
      for (const { owner, share } of list) {
        if (!owners.has(owner) || !holds.has(owner) || seen.has(owner)) {
          throw invalid(`"${reveal.trainer}" revealed a share of "${owner}" it was not asked for`)
        }
        seen.add(owner)
        into.set(owner, [...(into.get(owner) ?? []), fromBase64(share, SHARE_BYTES, 'A share')])
      }
    }
  }
  return { seeds, keys }
}

function enough(
  shares: Uint8Array[] | undefined,
  round: Round,
  owner: string,
  what: string,
): Uint8Array[] {
  const count = shares?.length ?? 0
  if (count < round.threshold) {
    throw belowThreshold(
      `${count} shares of the ${what} of "${owner}" came back; ${round.threshold} are needed`,
    )
  }
  return shares!.slice(0, round.threshold)
}

/**
 * The aggregator's last step: rebuilds survivors' self-mask seeds and dropped trainers' masking keys
 * from the revealed shares (checked by their hash tag, and each key against its advertised public
 * key), removes every mask and returns the exact sum of the survivors' quantized inputs,
 * de-quantized. Fails (`FL_SECAGG_BELOW_THRESHOLD`) when fewer than `threshold` shares of a needed
 * secret came back, and (`FL_SECAGG_INVALID`) on a malformed or inconsistent message.
 */
export async function unmaskSum(
  config: SecAggConfig,
  advertisements: readonly KeyAdvertisement[],
  shareMessages: readonly ShareKeysMessage[],
  maskedInputs: readonly MaskedInput[],
  reveals: readonly RevealMessage[],
  length: number,
): Promise<SecAggSum> {
  if (!Number.isInteger(length) || length < 1 || length > MAX_SECAGG_LENGTH) {
    throw invalid(`A length of ${length} is not in 1..${MAX_SECAGG_LENGTH}`)
  }
  const round = planRound(config)
  const { context } = config
  const { survivors, dropped } = unmaskRequest(config, shareMessages, maskedInputs)
  const shared = mutualShares(round, shareMessages)
  const maskingKeys = new Map(advertisements.map((ad) => [ad.trainer, ad.maskingKey]))
  const alive = new Set(survivors)
  const gone = new Set(dropped)
  const { seeds, keys } = collectShares(round, reveals, alive, gone)

  const sum = new Uint32Array(length)
  for (const input of maskedInputs) {
    addMask(sum, wordsFromBase64(input.vector, length, `The masked input of "${input.trainer}"`), 1)
  }
  for (const owner of survivors) {
    const seed = await combineSecret(
      enough(seeds.get(owner), round, owner, 'self-mask seed'),
      context,
      owner,
      'seed',
    )
    addMask(sum, maskStream(seed, length), -1)
  }
  for (const owner of dropped) {
    const secret = await combineSecret(
      enough(keys.get(owner), round, owner, 'masking key'),
      context,
      owner,
      'key',
    )
    if (maskingKeys.get(owner) !== toBase64(publicKey(secret))) {
      throw invalid(`The masking key rebuilt for "${owner}" is not the one it advertised`)
    }
    // Each survivor that held the dropped trainer's shares masked with it: take that mask out.
    for (const share of shared.get(owner)!) {
      const survivor = share.from
      if (!alive.has(survivor)) continue
      const peerKey = fromBase64(maskingKeys.get(survivor), 32, `The masking key of "${survivor}"`)
      const mask = maskStream(pairKey(secret, peerKey, context, owner, survivor), length)
      addMask(sum, mask, survivor < owner ? -1 : 1)
    }
  }
  return { sum: dequantize(sum, config.scale), survivors, dropped }
}
