import { randomBytes } from 'node:crypto'
import type { Random } from '../../core/ports/random.js'

/** Random bytes from the operating system's CSPRNG. */
export const systemRandom: Random = { bytes: (length) => new Uint8Array(randomBytes(length)) }
