import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveNodeConfig, startNode } from 'agentmesh/internal'

type RunningNode = Awaited<ReturnType<typeof startNode>>

/**
 * Starts an in-process node that federates on loopback, with short announcement intervals so
 * tests see announcements come and expire quickly. `dataDir` keeps its key across restarts.
 */
export async function startPeerNode(
  options: {
    bootstrap?: string[]
    env?: Record<string, string>
    dataDir?: string
    dashboard?: boolean
  } = {},
): Promise<RunningNode> {
  const dataDir = options.dataDir
  const config = resolveNodeConfig(
    {
      ...(dataDir ? { data: dataDir } : { memory: true }),
      port: 0,
      dashboard: options.dashboard ?? false,
      logLevel: 'silent',
      grant: '10 USD',
      p2pListen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: options.bootstrap ?? [],
    },
    {
      AGENTMESH_P2P_ANNOUNCE_MS: '150',
      AGENTMESH_P2P_TTL_MS: '1200',
      AGENTMESH_P2P_CREDIT_LIMIT: '1 USD',
      ...options.env,
    },
  )
  const rateLimit = { principalMax: 1_000_000, ipMax: 1_000_000, windowMs: 60_000 }
  return startNode({ ...config, prettyLogs: false, rateLimit })
}

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'agentmesh-fed-'))

export type { RunningNode }
