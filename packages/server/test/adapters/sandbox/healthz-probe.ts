import { createServer, request, Agent } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A `/healthz` server in the test's own process, and a probe that asks it again and again while
 * something runs: the slowest answer tells whether the event loop stayed free.
 */
export async function startHealthz(): Promise<{
  whileRunning<T>(work: Promise<T>): Promise<{ value: T; slowestMs: number; probes: number }>
  close(): Promise<void>
}> {
  const server = createServer((_req, res) => res.end('ok'))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const ask = () =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now()
      request({ host: '127.0.0.1', port, path: '/healthz', agent }, (res) => {
        res.resume()
        res.on('end', () => resolve(performance.now() - started))
      })
        .on('error', reject)
        .end()
    })
  return {
    async whileRunning(work) {
      let done = false
      const settled = work.finally(() => (done = true))
      let slowestMs = 0
      let probes = 0
      while (!done || probes === 0) {
        slowestMs = Math.max(slowestMs, await ask())
        probes++
        await Promise.race([settled.catch(() => undefined), new Promise((r) => setImmediate(r))])
      }
      return { value: await settled, slowestMs, probes }
    },
    async close() {
      agent.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
