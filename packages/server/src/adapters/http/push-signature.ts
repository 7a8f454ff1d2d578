import { createHmac, timingSafeEqual } from 'node:crypto'

/** The header a push delivery carries its signature in. */
export const SIGNATURE_HEADER = 'x-agentmesh-signature'

/**
 * The signature of a push delivery: `t=<unix ms>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. The
 * time is signed with the body, so a receiver can refuse old replays.
 */
export function signPush(secret: string, body: string, atMs: number): string {
  const mac = createHmac('sha256', secret).update(`${atMs}.${body}`).digest('hex')
  return `t=${atMs},v1=${mac}`
}

/**
 * What a receiver runs: whether `header` signs `body` with `secret`, made at most `maxAgeMs`
 * before `nowMs`. The comparison takes the same time whatever the bytes.
 */
export function verifyPush(
  secret: string,
  body: string,
  header: string,
  nowMs: number,
  maxAgeMs = 300_000,
): boolean {
  const fields = new Map(header.split(',').map((part) => part.split('=', 2) as [string, string]))
  const atMs = Number(fields.get('t'))
  const given = fields.get('v1') ?? ''
  if (!Number.isSafeInteger(atMs) || Math.abs(nowMs - atMs) > maxAgeMs) return false
  const expected = signPush(secret, body, atMs).split('v1=')[1]!
  return (
    given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected))
  )
}
