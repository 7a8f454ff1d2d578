import { canonicalize } from '@agentmesh/protocol'
import { resolvePointer } from '../pipelines/pipeline-definition.js'

/** How an oracle task aggregates its sources' answers (see `OracleVerify` in the protocol). */
export interface OraclePolicy {
  mode: 'oracle'
  n: number
  aggregate: 'median' | 'majority'
  tolerance: number
  field: string
}

/** One source's answer: the value read from its output (`undefined`: none usable) and its weight. */
export interface SourceAnswer {
  value: unknown
  weight: number
}

/** What the answers aggregate to, with each source's deviation from it and whether it is within tolerance. */
export type Aggregate =
  | {
      ok: true
      answer: unknown
      /** Per source, in the order given: `null` for a source without a usable value. */
      deviations: (number | null)[]
      within: boolean[]
    }
  | { ok: false; reason: string }

/**
 * The value an oracle source answered: what its output holds at `field`. The median takes only
 * finite numbers; the majority any JSON value (compared as canonical JSON). `undefined` when
 * there is nothing usable.
 */
export function readAnswer(policy: OraclePolicy, output: unknown): unknown {
  const value = resolvePointer(output, policy.field)
  if (value === undefined) return undefined
  if (policy.aggregate === 'median') return Number.isFinite(value) ? value : undefined
  return value
}

/**
 * Aggregates the sources' answers. Both ways need usable answers from more than half of the `n`
 * sources. The median is the lower weighted median (the smallest answer at which the answers up
 * to it hold half the weight), so it is always one a source gave; a source is within tolerance
 * when `|x − answer| ≤ tolerance × |answer|`, and its deviation is `|x − answer| / |answer|`
 * (`|x − answer|` for an answer of 0). The majority is the answer holding more than half the
 * weight of the usable answers; a source is within when it gave it (deviation 0, else 1).
 */
export function aggregate(policy: OraclePolicy, answers: SourceAnswer[]): Aggregate {
  const usable = answers.filter((a) => a.value !== undefined)
  if (usable.length * 2 <= policy.n) {
    return {
      ok: false,
      reason: `Only ${usable.length} of ${policy.n} sources gave a usable answer; more than half are needed`,
    }
  }
  return policy.aggregate === 'median'
    ? median(policy.tolerance, answers, usable)
    : majority(answers, usable)
}

function median(tolerance: number, answers: SourceAnswer[], usable: SourceAnswer[]): Aggregate {
  const sorted = [...usable].sort((a, b) => (a.value as number) - (b.value as number))
  const total = sorted.reduce((sum, a) => sum + a.weight, 0)
  let held = 0
  let answer = sorted[0]!.value as number
  for (const a of sorted) {
    held += a.weight
    answer = a.value as number
    if (held * 2 >= total) break
  }
  const scale = Math.abs(answer)
  const deviations = answers.map((a) => {
    if (a.value === undefined) return null
    const distance = Math.abs((a.value as number) - answer)
    return scale === 0 ? distance : distance / scale
  })
  const within = answers.map(
    (a) => a.value !== undefined && Math.abs((a.value as number) - answer) <= tolerance * scale,
  )
  return { ok: true, answer, deviations, within }
}

function majority(answers: SourceAnswer[], usable: SourceAnswer[]): Aggregate {
  const groups = new Map<string, { value: unknown; weight: number }>()
  let total = 0
  for (const a of usable) {
    const key = canonicalize(a.value)
    const group = groups.get(key) ?? { value: a.value, weight: 0 }
    group.weight += a.weight
    total += a.weight
    groups.set(key, group)
  }
  const [key, best] = [...groups.entries()].sort((x, y) => y[1].weight - x[1].weight)[0]!
  if (best.weight * 2 <= total) {
    return {
      ok: false,
      reason: `No answer holds a weighted majority (the largest holds ${share(best.weight, total)} of the weight)`,
    }
  }
  const agrees = answers.map((a) => a.value !== undefined && canonicalize(a.value) === key)
  const deviations = answers.map((a, i) => (a.value === undefined ? null : agrees[i] ? 0 : 1))
  return { ok: true, answer: best.value, deviations, within: agrees }
}

const share = (part: number, total: number): string => `${Math.round((part / total) * 100)} %`
