import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * What a webhook receiver runs, written from the README's recipe and not from the node's signer:
 * whether `header` (`t=<ms>,v1=<hex>`) signs `body` with `secret`, made at most `maxAgeMs` before
 * `nowMs`, compared in constant time.
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
  const expected = createHmac('sha256', secret).update(`${atMs}.${body}`).digest('hex')
  return (
    given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected))
  )
}
