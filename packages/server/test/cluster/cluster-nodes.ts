import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { Mesh, type MeshOptions } from '@agentmesh/sdk'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { agentsOfTest } from '../helpers/agents.js'
import { startCliNode } from '../helpers/cli.js'
import { natsSkipReason } from '../helpers/nats.js'
import {
  dropPostgresSchema,
  freshSchema,
  postgresSkipReason,
  postgresUrl,
} from '../helpers/postgres.js'
import { waitUntil } from '../helpers/wait-until.js'

/** One node process of a test cluster. */
export interface ClusterNode {
  child: ChildProcess
  url: string
  token: string
  output: () => string
}

/** Why a cluster test cannot run here (PostgreSQL or NATS not reachable), if it cannot. */
export async function clusterSkipReason(): Promise<string | undefined> {
  return (await postgresSkipReason()) ?? (await natsSkipReason())
}

/**
 * A cluster for one test file: node processes (`agentmesh up`) on a fresh PostgreSQL schema and
 * a NATS server, under a cluster name of their own (their own stream and buckets), torn down after
 * with the sessions and agents the test opened through it.
 */
export class TestCluster {
  readonly name = `t${randomBytes(5).toString('hex')}`
  readonly schema = freshSchema()
  readonly home = mkdtempSync(join(tmpdir(), 'agentmesh-cluster-'))
  readonly nodes: ClusterNode[] = []
  readonly env: NodeJS.ProcessEnv
  /** Agents the test starts on the nodes; `stop` closes them. */
  readonly agents = agentsOfTest()
  readonly #sessions: Mesh[] = []
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

  /**
   * Starts `count` nodes: the first alone (it migrates the schema and makes the stream), then
   * the others together; answers every node.
   */
  async startNodes(count: number): Promise<ClusterNode[]> {
    await this.start()
    await Promise.all(Array.from({ length: count - 1 }, () => this.start()))
    return this.nodes
  }

  /** A session on `node`, its operator's unless `options` say otherwise; `stop` closes it. */
  async connect(node: ClusterNode, options: MeshOptions = { token: node.token }): Promise<Mesh> {
    const mesh = await Mesh.connect(node.url, options)
    this.#sessions.push(mesh)
    return mesh
  }

  /** Waits until `mesh` finds `count` results for `query` (agents seen across the cluster). */
  async waitToFind(mesh: Mesh, query: string, count: number, what: string): Promise<void> {
    await waitUntil(
      async () => (await mesh.search(query, { limit: count })).results.length >= count,
      { what },
    )
  }

  /** Sends `node` a signal (SIGKILL unless told); answers once it has exited. */
  kill(node: ClusterNode, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    return new Promise<void>((resolve) => {
      if (node.child.exitCode !== null || node.child.signalCode !== null) return resolve()
      node.child.once('exit', () => resolve())
      node.child.kill(signal)
    })
  }

  /** Closes the sessions and agents; kills what is left, drops the schema, stream and buckets. */
  async stop(): Promise<void> {
    try {
      await Promise.all(this.#sessions.splice(0).map((mesh) => mesh.close()))
      await this.agents.closeAll()
    } finally {
      await this.#teardown()
    }
  }

  async #teardown(): Promise<void> {
    await Promise.all(this.nodes.map((node) => this.kill(node)))
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
