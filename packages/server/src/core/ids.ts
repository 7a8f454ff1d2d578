import { toHex } from '@agentmesh/protocol'
import type { Clock } from './ports/clock.js'
import type { Random } from './ports/random.js'

/**
 * A new id: prefix, the time in milliseconds (base 36, fixed width, so ids sort by creation),
 * then 80 random bits (base 36, 16 characters). E.g. `task_0mhx3k9c0_3v9k0d2m1q8x7z4a`.
 */
export function newId(prefix: string, clock: Clock, random: Random): string {
  const time = clock.now().toString(36).padStart(9, '0')
  const bits = BigInt(`0x${toHex(random.bytes(10))}`)
  return `${prefix}_${time}_${bits.toString(36).padStart(16, '0')}`
}

/** When an id from `newId` was made (epoch ms); undefined for an id of another shape. */
export function idTimeMs(id: string): number | undefined {
  const time = /^[a-z]+_([0-9a-z]{9})_/.exec(id)?.[1]
  return time === undefined ? undefined : parseInt(time, 36)
}
