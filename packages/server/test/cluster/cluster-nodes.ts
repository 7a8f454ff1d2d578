import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { startCliNode } from '../helpers/cli.js'
import { dropPostgresSchema, freshSchema, postgresUrl } from '../helpers/postgres.js'

/** One node process of a test cluster. */
export interface ClusterNode {
  child: ChildProcess
  url: string
  token: string
  output: () => string
}

/**
 * A cluster for one test file: node processes (`agentmesh up`) on a fresh PostgreSQL schema and
 * a NATS server, under a cluster name of their own (their own stream and buckets), torn down after.
 */
export class TestCluster {
  readonly name = `t${randomBytes(5).toString('hex')}`
  readonly schema = freshSchema()
  readonly home = mkdtempSync(join(tmpdir(), 'agentmesh-cluster-'))
  readonly nodes: ClusterNode[] = []
  readonly env: NodeJS.ProcessEnv
  #started = 0

  constructor(
    readonly natsUrl: string,
    env: NodeJS.ProcessEnv = {},
  ) {
    this.env = {
      AGENTMESH_HOME: this.home,
      AGENTMESH_URL: '',
      AGENTMESH_TOKEN: '',
      AGENTMESH_GRANT: '100 USD',
      AGENTMESH_LEASE_MS: '1500',
      AGENTMESH_CLUSTER_HEARTBEAT_MS: '250',
      AGENTMESH_PRESENCE_TTL_MS: '3000',
      ...env,
    }
  }

  /**
   * Starts one more node: in a data directory of its own (so its own key and node id), or in
   * `data`, an earlier node's (a restart); `env` is its own.
   */
  async start(
    env: NodeJS.ProcessEnv = {},
    data = join(this.home, `node${++this.#started}`),
  ): Promise<ClusterNode> {
    const node = await startCliNode(
      [
        '--port',
        '0',
        '--no-dashboard',
        '--log-level',
        'warn',
        '--data',
        data,
        '--store',
        `${postgresUrl}?schema=${this.schema}`,
        '--bus',
        this.natsUrl,
        '--cluster',
        this.name,
      ],
      { ...this.env, ...env },
    )
    this.nodes.push(node)
    return node
  }

  /** Kills what is left, drops the schema, the stream and the buckets. */
  async stop(): Promise<void> {
    await Promise.all(
      this.nodes.map(
        (node) =>
          new Promise<void>((resolve) => {
            if (node.child.exitCode !== null || node.child.signalCode !== null) return resolve()
            node.child.once('exit', () => resolve())
            node.child.kill('SIGKILL')
          }),
      ),
    )
    await dropPostgresSchema(postgresUrl, this.schema)
    const nc = await connect({ servers: this.natsUrl, reconnect: false }).catch(() => undefined)
    if (nc) {
      const jsm = await jetstreamManager(nc)
      for (const stream of [
        `${this.name}_work`,
        `KV_${this.name}-nodes`,
        `KV_${this.name}-presence`,
      ])
        await jsm.streams.delete(stream).catch(() => {})
      await nc.close()
    }
    rmSync(this.home, { recursive: true, force: true })
  }
}
