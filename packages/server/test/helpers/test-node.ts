import {
  resolveNodeConfig,
  startNode,
  type NodeConfig,
  type NodePorts,
  type RunningNode,
} from '../../src/node.js'

/** A parsed JSON answer; tests read into it freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ApiBody = any

/** Starts an in-memory node on a free loopback port, quiet, without the dashboard. */
export function startTestNode(
  overrides: Partial<NodeConfig> = {},
  ports: NodePorts = {},
): Promise<RunningNode> {
  const config = resolveNodeConfig(
    { memory: true, port: 0, dashboard: false, logLevel: 'silent' },
    {},
  )
  // Limits high enough that no test trips them by accident; the rate-limit test sets its own.
  const rateLimit = { principalMax: 1_000_000, ipMax: 1_000_000, windowMs: 60_000 }
  return startNode({ ...config, prettyLogs: false, rateLimit, ...overrides }, ports)
}

/** POSTs JSON (or raw text) and answers status and parsed body. */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: ApiBody }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : undefined }
}

export async function get(url: string, token?: string): Promise<{ status: number; body: ApiBody }> {
  const response = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {})
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : undefined }
}
