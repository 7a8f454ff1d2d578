import { MeshError } from '@agentmesh/protocol'
import { checkUpdates, type Aggregate, type ClientUpdate } from './update.js'

function checkByzantine(byzantine: number, most: number, rule: string): void {
  if (!Number.isInteger(byzantine) || byzantine < 0 || byzantine > most) {
    throw new MeshError(
      'INVALID_INPUT',
      `${rule} tolerates 0..${most} Byzantine trainers, not ${byzantine}`,
    )
  }
}

/**
 * Runs `combine` on each coordinate's values sorted (with their trainers' indices), and counts for
 * each trainer the coordinates where its value lay strictly outside the middle ranks (below the
 * `byzantine` + 1st smallest or above the `byzantine` + 1st largest). A trainer outside in at least
 * three quarters of the coordinates where the values differ is reported as discarded: an outlier
 * sits at one end almost everywhere (a sign-flipped ×10 update did in 85–93% of them on the digits),
 * an honest trainer about 2f/n of the time (a skewed one up to about half).
 */
function coordinateWise(
  global: Float32Array,
  updates: readonly ClientUpdate[],
  byzantine: number,
  combine: (sorted: Float64Array) => number,
): Aggregate {
  const n = updates.length
  const params = new Float32Array(global.length)
  const outside = new Int32Array(n)
  const values = new Float64Array(n)
  const order = Array.from({ length: n }, (_, i) => i)
  const sorted = new Float64Array(n)
  let varying = 0
  for (let k = 0; k < global.length; k++) {
    for (let i = 0; i < n; i++) values[i] = updates[i]!.params[k]!
    order.sort((a, b) => values[a]! - values[b]!)
    for (let r = 0; r < n; r++) sorted[r] = values[order[r]!]!
    params[k] = combine(sorted)
    if (byzantine === 0 || sorted[0] === sorted[n - 1]) continue
    varying++
    const low = sorted[byzantine]!
    const high = sorted[n - 1 - byzantine]!
    for (let i = 0; i < n; i++)
      if (values[i]! < low || values[i]! > high) outside[i] = outside[i]! + 1
  }
  const accepted: string[] = []
  const discarded: string[] = []
  updates.forEach((update, i) =>
    (outside[i]! * 4 >= varying * 3 && varying > 0 ? discarded : accepted).push(update.trainer),
  )
  return { params, accepted, discarded }
}

/**
 * Coordinate-wise median (Yin et al. 2018): each parameter is the median of the trainers' values,
 * so fewer than half the trainers cannot move it beyond the honest values' range, however large
 * their values. `byzantine` (0 unless given) only decides which trainers are reported discarded.
 */
export function coordinateMedian(
  global: Float32Array,
  updates: readonly ClientUpdate[],
  byzantine = 0,
): Aggregate {
  checkUpdates(global, updates)
  checkByzantine(byzantine, Math.floor((updates.length - 1) / 2), 'Median')
  return coordinateWise(global, updates, byzantine, (sorted) => {
    const n = sorted.length
    return n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2
  })
}

/**
 * Coordinate-wise trimmed mean (Yin et al. 2018): for each parameter, drops the `byzantine`
 * smallest and largest values and averages the rest (unweighted), so up to `byzantine` outliers of
 * any size are ignored. Needs more than 2·byzantine updates.
 */
export function trimmedMean(
  global: Float32Array,
  updates: readonly ClientUpdate[],
  byzantine: number,
): Aggregate {
  checkUpdates(global, updates)
  checkByzantine(byzantine, Math.floor((updates.length - 1) / 2), 'Trimmed mean')
  return coordinateWise(global, updates, byzantine, (sorted) => {
    let sum = 0
    for (let r = byzantine; r < sorted.length - byzantine; r++) sum += sorted[r]!
    return sum / (sorted.length - 2 * byzantine)
  })
}
