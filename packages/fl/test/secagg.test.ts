import { describe, expect, it } from 'vitest'
import {
  advertiseKeys,
  createRng,
  maskInput,
  revealShares,
  routeShares,
  shareKeys,
  unmaskRequest,
  unmaskSum,
  type KeyAdvertisement,
  type MaskedInput,
  type RevealMessage,
  type SecAggConfig,
  type SecAggTrainerState,
  type ShareKeysMessage,
} from '../src/index.js'
import { addMask, combineSecret, maskStream } from '../src/secagg/crypto.js'

const LENGTH = 650
const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `trainer-${i}`)

function config(n: number, threshold: number, extra: Partial<SecAggConfig> = {}): SecAggConfig {
  return {
    context: 'job-1/round-3',
    trainers: names(n),
    threshold,
    scale: 2 ** 16,
    clip: 8,
    ...extra,
  }
}

/** Seeded inputs in about ±3, some beyond the clip of 8. */
function inputs(n: number): Map<string, Float32Array> {
  const rng = createRng(42)
  return new Map(
    names(n).map((name) => [
      name,
      Float32Array.from({ length: LENGTH }, (_, k) => (k === 0 ? 20 : rng.normal() * 3)),
    ]),
  )
}

/** What the aggregator receives in a round: everything it ever sees of the trainers. */
interface AggregatorView {
  advertisements: KeyAdvertisement[]
  shareMessages: ShareKeysMessage[]
  maskedInputs: MaskedInput[]
  reveals: RevealMessage[]
}

/**
 * Runs a round through the trainers' and the aggregator's steps. `dropped` trainers vanish after
 * sharing keys (before masking); `silent` survivors do not answer the unmask request.
 */
async function runRound(
  round: SecAggConfig,
  data: Map<string, Float32Array>,
  options: { dropped?: string[]; silent?: string[]; aggregatorConfig?: SecAggConfig } = {},
): Promise<{ view: AggregatorView; states: Map<string, SecAggTrainerState> }> {
  const states = new Map<string, SecAggTrainerState>()
  const view: AggregatorView = {
    advertisements: [],
    shareMessages: [],
    maskedInputs: [],
    reveals: [],
  }
  for (const trainer of round.trainers) {
    const { state, message } = advertiseKeys(round, trainer)
    states.set(trainer, state)
    view.advertisements.push(message)
  }
  for (const trainer of round.trainers) {
    const { state, message } = await shareKeys(states.get(trainer)!, view.advertisements)
    states.set(trainer, state)
    view.shareMessages.push(message)
  }
  const aggregatorConfig = options.aggregatorConfig ?? round
  const routed = routeShares(aggregatorConfig, view.shareMessages)
  for (const trainer of round.trainers) {
    if (options.dropped?.includes(trainer)) continue
    const { state, message } = maskInput(
      states.get(trainer)!,
      routed.get(trainer)!,
      data.get(trainer)!,
    )
    states.set(trainer, state)
    view.maskedInputs.push(message)
  }
  const request = unmaskRequest(aggregatorConfig, view.shareMessages, view.maskedInputs)
  for (const trainer of request.survivors) {
    if (options.silent?.includes(trainer)) continue
    view.reveals.push(revealShares(states.get(trainer)!, request))
  }
  return { view, states }
}

function unmask(round: SecAggConfig, view: AggregatorView) {
  return unmaskSum(
    round,
    view.advertisements,
    view.shareMessages,
    view.maskedInputs,
    view.reveals,
    LENGTH,
  )
}

function wordsOf(vector: string): Uint32Array {
  return new Uint32Array(Uint8Array.from(Buffer.from(vector, 'base64')).buffer)
}

/** The plain sum of the survivors' inputs as fixed point: clipped, rounded to 1/scale. */
function fixedPointSum(
  round: SecAggConfig,
  data: Map<string, Float32Array>,
  survivors: string[],
): Float64Array {
  const sum = new Float64Array(LENGTH)
  for (const trainer of survivors) {
    data.get(trainer)!.forEach((x, k) => {
      sum[k] = sum[k]! + Math.round(Math.min(round.clip, Math.max(-round.clip, x)) * round.scale)
    })
  }
  return sum.map((s) => s / round.scale)
}

describe('secure aggregation', () => {
  const data = inputs(10)
  const round = config(10, 6)

  for (const dropouts of [0, 1, 4]) {
    it(`gives the exact sum with ${dropouts} of 10 trainers dropped (threshold 6)`, async () => {
      const dropped = names(10).slice(10 - dropouts)
      const { view } = await runRound(round, data, { dropped })
      const result = await unmask(round, view)
      const survivors = names(10).slice(0, 10 - dropouts)
      expect(result.survivors.sort()).toEqual(survivors)
      expect(result.dropped.sort()).toEqual(dropped)
      expect(result.sum).toEqual(fixedPointSum(round, data, survivors))
      // The fixed point is within half a step per trainer of the float sum (of clipped values).
      const floatSum = survivors.reduce((s, t) => s + Math.min(8, data.get(t)![5]!), 0)
      expect(Math.abs(result.sum[5]! - floatSum)).toBeLessThanOrEqual(survivors.length / 2 ** 17)
      expect(result.sum[0]).toBe(8 * survivors.length)
    })
  }

  it('gives the exact sum over a sparse SecAgg+ graph (16 trainers, 6 neighbours, 2 dropped)', async () => {
    const sparse = config(16, 4, { neighbours: 6 })
    const sparseData = inputs(16)
    const { view, states } = await runRound(sparse, sparseData, {
      dropped: ['trainer-3', 'trainer-11'],
    })
    // Each trainer shared with its 6 neighbours only.
    for (const message of view.shareMessages) expect(message.shares).toHaveLength(6)
    expect(states.get('trainer-0')!.held).toHaveLength(7)
    const result = await unmask(sparse, view)
    const survivors = names(16).filter((t) => t !== 'trainer-3' && t !== 'trainer-11')
    expect(result.sum).toEqual(fixedPointSum(sparse, sparseData, survivors))
  })

  it('fails clearly below the threshold: too few survivors, or too few shares back', async () => {
    await expect(runRound(round, data, { dropped: names(10).slice(5) })).rejects.toMatchObject({
      code: 'FL_SECAGG_BELOW_THRESHOLD',
      message: '5 trainers survived; the round needs 6',
    })
    const { view } = await runRound(round, data, {
      dropped: ['trainer-9'],
      silent: names(10).slice(0, 4),
    })
    await expect(unmask(round, view)).rejects.toMatchObject({ code: 'FL_SECAGG_BELOW_THRESHOLD' })
  })

  it('refuses secrets rebuilt from too few shares, which Shamir alone would return as garbage', async () => {
    // The trainers split with threshold 8; an aggregator that believes 6 combines 6 shares of each.
    const { view } = await runRound(config(10, 8), data, { aggregatorConfig: round })
    await expect(unmask(round, view)).rejects.toMatchObject({
      code: 'FL_SECAGG_INVALID',
      message: expect.stringContaining('rebuild no valid secret'),
    })
  })

  it("leaves no individual update in the aggregator's view", async () => {
    const structured = new Map(
      names(10).map((t, i) => [t, new Float32Array(LENGTH).fill(i % 2 === 0 ? 0 : 7)]),
    )
    const { view } = await runRound(round, structured, { dropped: ['trainer-9'] })
    const survivors = names(10).slice(0, 9)
    // Masked vectors look uniform mod 2^32, whatever the input (all 0 or all 7·2^16).
    for (const masked of view.maskedInputs) {
      const words = wordsOf(masked.vector)
      const quantized = Math.round(structured.get(masked.trainer)![0]! * round.scale)
      expect(words.filter((w) => w === quantized).length).toBe(0)
      const low = words.filter((w) => w < 2 ** 31).length / words.length
      expect(Math.abs(low - 0.5)).toBeLessThan(0.1)
    }
    // The aggregator holds shares of survivors' self-mask seeds and of the dropped trainer's masking
    // key, never a survivor's masking key, so the pairwise masks of survivors stay on.
    for (const reveal of view.reveals) {
      expect(reveal.keyShares.map((s) => s.owner)).toEqual(['trainer-9'])
      expect(reveal.selfMaskShares.map((s) => s.owner).sort()).toEqual(survivors)
    }
    // The aggregator's best try at one survivor: rebuild its self-mask seed (which the protocol
    // lets it) and take the self mask off. The pairwise masks stay on: still uniform noise.
    const seedShares = view.reveals.flatMap((r) =>
      r.selfMaskShares
        .filter((s) => s.owner === 'trainer-1')
        .map((s) => Uint8Array.from(Buffer.from(s.share, 'base64'))),
    )
    const seed = await combineSecret(seedShares.slice(0, 6), round.context, 'trainer-1', 'seed')
    const unmasked = wordsOf(view.maskedInputs.find((m) => m.trainer === 'trainer-1')!.vector)
    addMask(unmasked, maskStream(seed, LENGTH), -1)
    expect(unmasked.filter((w) => w === 7 * 2 ** 16).length).toBe(0)
    expect(Math.abs(unmasked.filter((w) => w < 2 ** 31).length / LENGTH - 0.5)).toBeLessThan(0.1)
    // Nor can it rebuild a survivor's masking key: it holds no share of one.
    await expect(combineSecret([], round.context, 'trainer-1', 'key')).rejects.toMatchObject({
      code: 'FL_SECAGG_INVALID',
    })
    const result = await unmask(round, view)
    expect(result.sum).toEqual(fixedPointSum(round, structured, survivors))
  })

  it('has trainers refuse requests that could expose both secrets of one trainer', async () => {
    const { view, states } = await runRound(round, data, { dropped: ['trainer-9'] })
    const state = states.get('trainer-0')!
    const survivors = names(10).slice(0, 9)
    for (const [request, code] of [
      [{ survivors, dropped: ['trainer-9', 'trainer-1'] }, 'FL_SECAGG_INVALID'],
      [{ survivors: survivors.slice(1), dropped: ['trainer-9'] }, 'FL_SECAGG_INVALID'],
      [
        { survivors: survivors.slice(0, 5), dropped: names(10).slice(5) },
        'FL_SECAGG_BELOW_THRESHOLD',
      ],
    ] as const) {
      expect(() =>
        revealShares(state, { survivors: [...request.survivors], dropped: [...request.dropped] }),
      ).toThrow(expect.objectContaining({ code }))
    }
    expect(view.reveals).toHaveLength(9)
  })

  it('refuses altered advertisements, ciphertexts and reveals', async () => {
    const states = names(10).map((t) => advertiseKeys(round, t))
    const ads = states.map((s) => s.message)
    // The aggregator swaps a trainer's own keys: the trainer notices.
    const swapped = ads.map((ad, i) => (i === 0 ? { ...ad, maskingKey: ads[1]!.maskingKey } : ad))
    await expect(shareKeys(states[0]!.state, swapped)).rejects.toMatchObject({
      code: 'FL_SECAGG_INVALID',
    })
    const shared = await Promise.all(states.map((s) => shareKeys(s.state, ads)))
    const routed = routeShares(
      round,
      shared.map((s) => s.message),
    )
    const forTrainer0 = routed.get('trainer-0')!
    const bytes = Buffer.from(forTrainer0[0]!.ciphertext, 'base64')
    bytes[20] = bytes[20]! ^ 1
    const tampered = [
      { ...forTrainer0[0]!, ciphertext: bytes.toString('base64') },
      ...forTrainer0.slice(1),
    ]
    expect(() => maskInput(shared[0]!.state, tampered, data.get('trainer-0')!)).toThrow(
      expect.objectContaining({ code: 'FL_SECAGG_INVALID' }),
    )
    const misrouted = routed.get('trainer-1')!
    expect(() => maskInput(shared[0]!.state, misrouted, data.get('trainer-0')!)).toThrow(
      expect.objectContaining({ code: 'FL_SECAGG_INVALID' }),
    )
    // A revealed share altered by one bit fails the hash check.
    const { view } = await runRound(round, data)
    const share = Buffer.from(view.reveals[0]!.selfMaskShares[0]!.share, 'base64')
    share[3] = share[3]! ^ 1
    const reveals = view.reveals.map((r, i) =>
      i === 0
        ? {
            ...r,
            selfMaskShares: [
              { ...r.selfMaskShares[0]!, share: share.toString('base64') },
              ...r.selfMaskShares.slice(1),
            ],
          }
        : r,
    )
    // The altered share (trainer-0's own, revealed first) is among those combined.
    await expect(unmask(round, { ...view, reveals })).rejects.toMatchObject({
      code: 'FL_SECAGG_INVALID',
    })
  })

  it('refuses configs that would wrap the ring or let two groups rebuild both secrets', () => {
    for (const bad of [
      config(10, 5),
      config(10, 11),
      config(10, 6, { scale: 2 ** 28 }),
      config(16, 4, { neighbours: 5 }),
      config(300, 200),
      { ...config(3, 2), trainers: ['a', 'a', 'b'] },
    ]) {
      expect(() => advertiseKeys(bad, bad.trainers[0]!)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      )
    }
    expect(() => advertiseKeys(round, 'stranger')).toThrow(
      expect.objectContaining({ code: 'FL_SECAGG_INVALID' }),
    )
  })
})
