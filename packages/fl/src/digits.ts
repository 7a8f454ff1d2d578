import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { parseDigitsCsv, type Dataset } from './dataset.js'

/**
 * Loads the UCI optical handwritten digits shipped with the package (1,797 images of 8×8 pixels,
 * 10 classes; scikit-learn's copy, see the package's NOTICE). Pixels are scaled to [0, 1]. Reads a
 * file: this entry (`@agentmesh/fl/digits`) is the package's only one that does I/O.
 */
export function loadDigits(): Dataset {
  const file = new URL('../data/digits.csv.gz', import.meta.url)
  return parseDigitsCsv(gunzipSync(readFileSync(file)).toString('utf8'))
}
