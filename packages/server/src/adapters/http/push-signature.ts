import { createHmac } from 'node:crypto'

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
