import { MeshError } from '@agentmesh/protocol'
import { checkUpdates, weightedMean, type Aggregate, type ClientUpdate } from './update.js'

/**
 * Krum's score per update (Blanchard et al. 2017): the sum of squared distances to its n − f − 2
 * nearest other updates. Honest updates, close to each other, score low.
 */
function krumScores(updates: readonly ClientUpdate[], byzantine: number): number[] {
  const n = updates.length
  if (!Number.isInteger(byzantine) || byzantine < 0 || n < 2 * byzantine + 3) {
    throw new MeshError(
      'INVALID_INPUT',
      `Krum needs at least 2f + 3 updates: ${n} updates, f = ${byzantine}`,
    )
  }
  const distances = Array.from({ length: n }, () => new Float64Array(n))
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = updates[i]!.params
      const b = updates[j]!.params
      let d = 0
      for (let k = 0; k < a.length; k++) d += (a[k]! - b[k]!) ** 2
      distances[i]![j] = d
      distances[j]![i] = d
    }
  }
  const neighbours = n - byzantine - 2
  return distances.map((row, i) =>
    Array.from(row)
      .filter((_, j) => j !== i)
      .sort((a, b) => a - b)
      .slice(0, neighbours)
      .reduce((sum, d) => sum + d, 0),
  )
}

/**
 * Multi-Krum: keeps the `keep` updates of lowest Krum score (n − f unless given) and returns their
 * example-weighted mean; the others are discarded. With `keep` 1 it is Krum.
 */
export function multiKrum(
  global: Float32Array,
  updates: readonly ClientUpdate[],
  byzantine: number,
  keep = updates.length - byzantine,
): Aggregate {
  checkUpdates(global, updates)
  const scores = krumScores(updates, byzantine)
  if (!Number.isInteger(keep) || keep < 1 || keep > updates.length - byzantine) {
    throw new MeshError(
      'INVALID_INPUT',
      `Multi-Krum keeps 1..${updates.length - byzantine} updates, not ${keep}`,
    )
  }
  // Ties go to the earlier update, so the choice does not depend on the sort's stability.
  const ranked = scores
    .map((score, i) => ({ score, i }))
    .sort((a, b) => a.score - b.score || a.i - b.i)
  const kept = new Set(ranked.slice(0, keep).map((entry) => entry.i))
  const chosen = updates.filter((_, i) => kept.has(i))
  return {
    params: weightedMean(chosen, global.length),
    accepted: chosen.map((update) => update.trainer),
    discarded: updates.filter((_, i) => !kept.has(i)).map((update) => update.trainer),
  }
}

/** Krum: the one update of lowest score, which is close to an honest one when f of n are Byzantine (n > 2f + 2). */
export function krum(
  global: Float32Array,
  updates: readonly ClientUpdate[],
  byzantine: number,
): Aggregate {
  return multiKrum(global, updates, byzantine, 1)
}
