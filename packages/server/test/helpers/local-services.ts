import { createServer } from 'node:net'

/** A loopback port nothing listens on right now (for a server the test starts itself). */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (typeof address !== 'object' || !address) throw new Error('No port')
  return address.port
}

/**
 * `reason` as a skip reason, or undefined when there is none. Under CI=true a missing service is
 * an error, never a skip.
 */
export function skipUnlessCi(reason: string | undefined, what: string): string | undefined {
  if (reason && process.env.CI === 'true') throw new Error(`${reason}; CI=true requires ${what}`)
  return reason
}
