import { MeshError, toHex, utf8 } from '@agentmesh/protocol'
import { sha256 } from '@noble/hashes/sha2'
import type { SecAggConfig } from './messages.js'

const MAX_TRAINERS = 10_000
const MAX_HOLDERS = 255

/** A config checked once, with each trainer's neighbours (the SecAgg+ graph). */
export interface Round {
  config: SecAggConfig
  trainers: Set<string>
  threshold: number
  /** Each trainer's neighbours, sorted: whom it masks with and gives shares to. */
  neighbours: Map<string, string[]>
}

function fail(message: string): never {
  throw new MeshError('INVALID_INPUT', message)
}

/**
 * Checks a config and builds the graph: trainers in an order drawn from the context (SHA-256 of
 * context and name), each joined to the `neighbours / 2` before and after it on that ring (a Harary
 * graph, as SecAgg+ uses), or to all others.
 */
export function planRound(config: SecAggConfig): Round {
  const n = config.trainers.length
  if (
    typeof config.context !== 'string' ||
    config.context.length === 0 ||
    config.context.length > 256
  ) {
    fail('The secure-aggregation context is not a string of 1..256 characters')
  }
  if (n < 2 || n > MAX_TRAINERS)
    fail(`Secure aggregation takes 2..${MAX_TRAINERS} trainers, not ${n}`)
  const trainers = new Set(config.trainers)
  if (
    trainers.size !== n ||
    config.trainers.some((t) => typeof t !== 'string' || t.length === 0 || t.length > 256)
  ) {
    fail('Secure-aggregation trainers are not distinct names of 1..256 characters')
  }
  const k = config.neighbours ?? n - 1
  if (
    !Number.isInteger(k) ||
    k < 2 ||
    k + 1 > MAX_HOLDERS ||
    (k < n - 1 && k % 2 !== 0) ||
    k > n - 1
  ) {
    fail(
      `Secure-aggregation neighbours ${k} is not an even number in 2..${Math.min(n - 1, MAX_HOLDERS - 1)} (or all others)`,
    )
  }
  // Each secret has k + 1 holders (the neighbours and the trainer itself).
  const t = config.threshold
  if (!Number.isInteger(t) || 2 * t <= k + 1 || t > k + 1) {
    fail(
      `Secure-aggregation threshold ${t} is not more than half of ${k + 1} holders and at most all`,
    )
  }
  if (!(config.scale > 0 && config.clip > 0) || n * config.clip * config.scale >= 2 ** 31) {
    fail('Secure aggregation needs scale > 0, clip > 0 and trainers × clip × scale below 2^31')
  }
  const ring = [...config.trainers]
    .map((trainer) => ({ trainer, key: toHex(sha256(utf8(`${config.context}\u0000${trainer}`))) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((entry) => entry.trainer)
  const neighbours = new Map<string, string[]>()
  ring.forEach((trainer, i) => {
    if (k === n - 1) {
      neighbours.set(trainer, ring.filter((other) => other !== trainer).sort())
      return
    }
    const peers = new Set<string>()
    for (let step = 1; step <= k / 2; step++) {
      peers.add(ring[(i + step) % n]!)
      peers.add(ring[(i - step + n) % n]!)
    }
    neighbours.set(trainer, [...peers].sort())
  })
  return { config, trainers, threshold: t, neighbours }
}

/** A trainer's neighbours; refuses (`FL_SECAGG_INVALID`) a name outside the round. */
export function neighboursOf(round: Round, trainer: string): string[] {
  const peers = round.neighbours.get(trainer)
  if (peers === undefined) {
    throw new MeshError(
      'FL_SECAGG_INVALID',
      `"${trainer}" is not a trainer of round "${round.config.context}"`,
    )
  }
  return peers
}
