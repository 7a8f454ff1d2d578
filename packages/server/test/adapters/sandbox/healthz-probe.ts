import { createServer, request, Agent } from 'node:http'
import type { AddressInfo } from 'node:net'

/** How often the probe asks while the work runs. */
const PROBE_INTERVAL_MS = 5

/**
 * A `/healthz` server in the test's own process (the node's event loop, as it were), and a probe
 * that asks it every few milliseconds while something runs. What it reports:
 * - `probes`: how many answers came back — the node kept answering;
 * - `longestBusyMs`: the most time the event loop spent running (JavaScript, I/O callbacks)
 *   between two probes — a bound on how long a `/healthz` request could have waited for it. A
 *   guest that held the loop would show its whole run here. Unlike the slowest answer's time, it
 *   does not grow when other processes keep the machine's CPUs busy (a thread waiting for a CPU
 *   while idle counts as idle), so a shared CI machine does not make it fail.
 */
export async function startHealthz(): Promise<{
  whileRunning<T>(
    work: Promise<T>,
  ): Promise<{ value: T; slowestMs: number; probes: number; longestBusyMs: number }>
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
      let last = performance.eventLoopUtilization()
      let longestBusyMs = 0
      let slowestMs = 0
      let probes = 0
      while (!done || probes === 0) {
        slowestMs = Math.max(slowestMs, await ask())
        probes++
        await Promise.race([
          settled.catch(() => undefined),
          new Promise((r) => setTimeout(r, PROBE_INTERVAL_MS)),
        ])
        const now = performance.eventLoopUtilization()
        longestBusyMs = Math.max(longestBusyMs, performance.eventLoopUtilization(now, last).active)
        last = now
      }
      return { value: await settled, slowestMs, probes, longestBusyMs }
    },
    async close() {
      agent.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
