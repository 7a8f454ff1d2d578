import { base58 } from '@agentmesh/protocol'
import type { Clock, Random } from './ports.js'

/**
 * A new id: prefix, the time in milliseconds (base 36, fixed width, so ids sort by creation),
 * then 80 random bits. E.g. `task_0mhx3k9c0_4Kq…`.
 */
export function newId(prefix: string, clock: Clock, random: Random): string {
  const time = clock.now().toString(36).padStart(9, '0')
  return `${prefix}_${time}_${base58.encode(random.bytes(10))}`
}
