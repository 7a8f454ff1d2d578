// Trains the linear map discovery applies to embeddings (see word-vectors.mjs): a D×D matrix W,
// starting from the identity, that makes a definition's vector point to the words it defines.
// Contrastive (InfoNCE, both directions) with the other pairs of a batch as negatives, Adam,
// one pass in a fixed (seeded) order: the same pairs give the same matrix.

/** A small deterministic generator (mulberry32), for the order of the pairs. */
function generator(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Rows of `rows` (n × d) times W transposed (W is d × d), each result row made unit length. */
function project(rows, n, d, w, out, lengths) {
  for (let i = 0; i < n; i++) {
    let squares = 0
    for (let o = 0; o < d; o++) {
      let sum = 0
      for (let k = 0; k < d; k++) sum += rows[i * d + k] * w[o * d + k]
      out[i * d + o] = sum
      squares += sum * sum
    }
    const length = Math.sqrt(squares) || 1
    lengths[i] = length
    for (let o = 0; o < d; o++) out[i * d + o] /= length
  }
}

/** Back through the unit-length step: the gradient of the unnormalized rows, in place. */
function unnormalize(grad, unit, lengths, n, d) {
  for (let i = 0; i < n; i++) {
    let along = 0
    for (let o = 0; o < d; o++) along += grad[i * d + o] * unit[i * d + o]
    for (let o = 0; o < d; o++) {
      grad[i * d + o] = (grad[i * d + o] - along * unit[i * d + o]) / lengths[i]
    }
  }
}

/**
 * Adds `scale` × (softmax − one-hot of the diagonal) of each line of the n × n scores `s` to `g`:
 * its rows (`line` n, `step` 1) or its columns (`line` 1, `step` n).
 */
function addSoftmaxGradient(s, g, n, scale, line, step) {
  for (let i = 0; i < n; i++) {
    let top = -Infinity
    for (let j = 0; j < n; j++) top = Math.max(top, s[i * line + j * step])
    let total = 0
    for (let j = 0; j < n; j++) total += Math.exp(s[i * line + j * step] - top)
    for (let j = 0; j < n; j++) {
      const at = i * line + j * step
      g[at] += (Math.exp(s[at] - top) / total - (i === j ? 1 : 0)) * scale
    }
  }
}

/**
 * `a` and `b`: n × d unit vectors in one Float32Array each, pair i being row i of both.
 * Answers W, d × d, row-major, as a Float32Array.
 */
export function trainProjection(a, b, n, d, options = {}) {
  const { batch = 512, temperature = 0.05, rate = 1e-3, seed = 1 } = options
  const w = new Float64Array(d * d)
  for (let i = 0; i < d; i++) w[i * d + i] = 1
  const m = new Float64Array(d * d)
  const v = new Float64Array(d * d)
  const order = Array.from({ length: n }, (_, i) => i)
  const random = generator(seed)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[order[i], order[j]] = [order[j], order[i]]
  }
  const ua = new Float64Array(batch * d)
  const ub = new Float64Array(batch * d)
  const za = new Float64Array(batch * d)
  const zb = new Float64Array(batch * d)
  const la = new Float64Array(batch)
  const lb = new Float64Array(batch)
  const s = new Float64Array(batch * batch)
  const g = new Float64Array(batch * batch)
  const da = new Float64Array(batch * d)
  const db = new Float64Array(batch * d)
  const gw = new Float64Array(d * d)
  let step = 0
  for (let start = 0; start + batch <= n; start += batch) {
    for (let i = 0; i < batch; i++) {
      const pair = order[start + i]
      for (let k = 0; k < d; k++) {
        ua[i * d + k] = a[pair * d + k]
        ub[i * d + k] = b[pair * d + k]
      }
    }
    project(ua, batch, d, w, za, la)
    project(ub, batch, d, w, zb, lb)
    for (let i = 0; i < batch; i++) {
      for (let j = 0; j < batch; j++) {
        let sum = 0
        for (let k = 0; k < d; k++) sum += za[i * d + k] * zb[j * d + k]
        s[i * batch + j] = sum / temperature
      }
    }
    // g = dLoss/dS for the mean of both directions' cross-entropy, the pair on the diagonal.
    g.fill(0)
    const scale = 1 / (2 * batch * temperature)
    addSoftmaxGradient(s, g, batch, scale, batch, 1)
    addSoftmaxGradient(s, g, batch, scale, 1, batch)
    da.fill(0)
    db.fill(0)
    for (let i = 0; i < batch; i++) {
      for (let j = 0; j < batch; j++) {
        const gij = g[i * batch + j]
        if (gij === 0) continue
        for (let k = 0; k < d; k++) {
          da[i * d + k] += gij * zb[j * d + k]
          db[j * d + k] += gij * za[i * d + k]
        }
      }
    }
    unnormalize(da, za, la, batch, d)
    unnormalize(db, zb, lb, batch, d)
    gw.fill(0)
    for (let i = 0; i < batch; i++) {
      for (let o = 0; o < d; o++) {
        const ga = da[i * d + o]
        const gb = db[i * d + o]
        for (let k = 0; k < d; k++) gw[o * d + k] += ga * ua[i * d + k] + gb * ub[i * d + k]
      }
    }
    step++
    const c1 = 1 - 0.9 ** step
    const c2 = 1 - 0.999 ** step
    for (let k = 0; k < d * d; k++) {
      m[k] = 0.9 * m[k] + 0.1 * gw[k]
      v[k] = 0.999 * v[k] + 0.001 * gw[k] * gw[k]
      w[k] -= (rate * (m[k] / c1)) / (Math.sqrt(v[k] / c2) + 1e-8)
    }
  }
  return Float32Array.from(w)
}
