/**
 * A seeded pseudo-random generator (sfc32, seeded through splitmix32): the same seed gives the same
 * sequence on every platform, so training, splits and noise are reproducible. Not for secrets:
 * secure aggregation draws its keys from the platform's CSPRNG.
 */
export interface Rng {
  /** A float in [0, 1). */
  next(): number
  /** An integer in [0, n). */
  int(n: number): number
  /** A standard normal draw (Box–Muller). */
  normal(): number
  /** A Gamma(shape, 1) draw (Marsaglia–Tsang). */
  gamma(shape: number): number
}

/** Creates a generator from a seed (any finite number; its 32-bit integer part is used). */
export function createRng(seed: number): Rng {
  let state = seed >>> 0
  const splitmix = (): number => {
    state = (state + 0x9e3779b9) >>> 0
    let z = state
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return (z ^ (z >>> 16)) >>> 0
  }
  let a = splitmix()
  let b = splitmix()
  let c = splitmix()
  let d = splitmix()
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) >>> 0
    return t / 4294967296
  }
  for (let i = 0; i < 12; i++) next()
  let spare: number | undefined
  const normal = (): number => {
    if (spare !== undefined) {
      const value = spare
      spare = undefined
      return value
    }
    let u = 0
    while (u === 0) u = next()
    const v = next()
    const radius = Math.sqrt(-2 * Math.log(u))
    spare = radius * Math.sin(2 * Math.PI * v)
    return radius * Math.cos(2 * Math.PI * v)
  }
  const gamma = (shape: number): number => {
    if (shape < 1) {
      let u = 0
      while (u === 0) u = next()
      return gamma(shape + 1) * Math.pow(u, 1 / shape)
    }
    const dShape = shape - 1 / 3
    const cShape = 1 / Math.sqrt(9 * dShape)
    for (;;) {
      let x: number
      let v: number
      do {
        x = normal()
        v = 1 + cShape * x
      } while (v <= 0)
      v = v * v * v
      const u = next()
      if (u < 1 - 0.0331 * x ** 4) return dShape * v
      if (Math.log(u) < 0.5 * x * x + dShape * (1 - v + Math.log(v))) return dShape * v
    }
  }
  return { next, int: (n) => Math.floor(next() * n), normal, gamma }
}

/** Shuffles an array in place (Fisher–Yates) and returns it. */
export function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    const item = items[i]!
    items[i] = items[j]!
    items[j] = item
  }
  return items
}
