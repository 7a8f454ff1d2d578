import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import pg from 'pg'

/** The node's built CLI, beside this package in the workspace. */
const cliPath = fileURLToPath(new URL('../../server/dist/cli/main.js', import.meta.url))

/** One `agentmesh up` process of the benchmark's cluster. */
export interface BenchNode {
  child: ChildProcess
  url: string
  token: string
}

/** Why the cluster benchmark cannot run (PostgreSQL or NATS not answering), or undefined. */
export async function clusterUnavailable(
  postgresUrl: string,
  natsUrl: string,
): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 1000 })
  try {
    await client.connect()
  } catch {
    return `PostgreSQL at ${postgresUrl} does not answer`
  } finally {
    await client.end().catch(() => {})
  }
  const nc = await connect({ servers: natsUrl, timeout: 1000, reconnect: false }).catch(() => null)
  if (!nc) return `NATS at ${natsUrl} does not answer`
  await nc.close()
  return undefined
}

/**
 * Node processes on a schema and under a cluster name of the benchmark's own (its own stream
 * and buckets), all of them removed by `close`.
 */
export class BenchCluster {
  readonly name = `bench${randomBytes(4).toString('hex')}`
  readonly schema = `bench_${randomBytes(4).toString('hex')}`
  readonly nodes: BenchNode[] = []
  readonly #home = mkdtempSync(join(tmpdir(), 'agentmesh-bench-cluster-'))
  #started = 0

  constructor(
    readonly postgresUrl: string,
    readonly natsUrl: string,
    readonly leaseMs: number,
  ) {}

  /** Starts one more node (its own data directory, so its own key and node id), until it listens. */
  start(): Promise<BenchNode> {
    const data = join(this.#home, `node${++this.#started}`)
    const store = `${this.postgresUrl}${this.postgresUrl.includes('?') ? '&' : '?'}schema=${this.schema}`
    const args = ['up', '--port', '0', '--no-dashboard', '--log-level', 'error', '--data', data]
    args.push('--store', store, '--bus', this.natsUrl, '--cluster', this.name)
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: {
        ...process.env,
        AGENTMESH_HOME: this.#home,
        AGENTMESH_GRANT: '1000000 USD',
        AGENTMESH_LEASE_MS: String(this.leaseMs),
        AGENTMESH_CLUSTER_HEARTBEAT_MS: '250',
      },
    })
    return new Promise((resolve, reject) => {
      let output = ''
      const onData = (chunk: Buffer) => {
        output += chunk.toString()
        const url = /listening on (http:\/\/\S+)/.exec(output)?.[1]
        const file = /admin token\s+saved to (\S+)/.exec(output)?.[1]
        if (!url || !file) return
        child.stdout.off('data', onData)
        child.off('exit', onExit)
        const node = { child, url, token: readFileSync(file, 'utf8').trim() }
        this.nodes.push(node)
        resolve(node)
      }
      const onExit = (code: number | null) =>
        reject(new Error(`a benchmark node exited with ${String(code)}:\n${output}`))
      child.stdout.on('data', onData)
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
      child.once('exit', onExit)
    })
  }

  /** Kills a node at once (SIGKILL) and waits until it is gone. */
  async kill(node: BenchNode): Promise<void> {
    if (node.child.exitCode !== null || node.child.signalCode !== null) return
    const exited = new Promise((resolve) => node.child.once('exit', resolve))
    node.child.kill('SIGKILL')
    await exited
  }

  /** Kills every node, drops the schema, the stream and the buckets. */
  async close(): Promise<void> {
    await Promise.all(this.nodes.map((node) => this.kill(node)))
    const client = new pg.Client({ connectionString: this.postgresUrl })
    await client.connect()
    await client.query(`drop schema if exists "${this.schema}" cascade`).finally(() => client.end())
    const nc = await connect({ servers: this.natsUrl, reconnect: false })
    const jsm = await jetstreamManager(nc)
    for (const stream of [`${this.name}_work`, `KV_${this.name}-nodes`, `KV_${this.name}-presence`])
      await jsm.streams.delete(stream).catch(() => {})
    await nc.close()
    rmSync(this.#home, { recursive: true, force: true })
  }
}
