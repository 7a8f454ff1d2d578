import { connect, type NatsConnection } from '@nats-io/transport-node'

/** A node's connection to the cluster's NATS server, and what the server can do. */
export interface NatsLink {
  nc: NatsConnection
  /** The server's version, e.g. `2.9.10`. */
  version: string
  /**
   * Whether the server expires KV entries with markers watchers see (2.11 and later). Older
   * servers drop expired entries silently, so presence leans on heartbeats and a sweep instead.
   */
  expiryMarkers: boolean
  /** Resolves while the server answers a ping within `timeoutMs`; rejects otherwise. */
  ping(timeoutMs: number): Promise<void>
  close(): Promise<void>
}

/** Whether `version` (`MAJOR.MINOR.PATCH`) is at least `major.minor`. */
export function versionAtLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split('.').map((part) => Number.parseInt(part, 10))
  return a > major || (a === major && b >= minor)
}

/**
 * Connects to NATS and keeps reconnecting for as long as the node runs (a restarted server is
 * found again; meanwhile publishes wait in the client's buffer and readiness reports the bus down).
 */
export async function connectNats(url: string, name: string): Promise<NatsLink> {
  const nc = await connect({
    servers: url.split(','),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    pingInterval: 5000,
    timeout: 5000,
  })
  const version = nc.info?.version ?? '0.0.0'
  return {
    nc,
    version,
    expiryMarkers: versionAtLeast(version, 2, 11),
    async ping(timeoutMs) {
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`No answer within ${timeoutMs} ms`)), timeoutMs)
      })
      try {
        await Promise.race([nc.rtt(), late])
      } finally {
        clearTimeout(timer)
      }
    },
    async close() {
      if (!nc.isClosed()) await nc.drain().catch(() => nc.close())
    },
  }
}
