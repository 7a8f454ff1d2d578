import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InvalidArgumentError, type Command } from 'commander'
import { importDemo, type RunningDemo } from '../demo-package.js'
import type { RunningNode } from '../node.js'
import { DEFAULT_PORT, resolveNodeConfig, type NodeConfig, type NodeFlags } from '../node-config.js'
import { CliError } from './cli-error.js'

function parsePort(value: string): number {
  const port = Number(value)
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('Not a port number.')
  return port
}

/**
 * Where the admin token is, never the token itself (stdout ends up in logs and scrollback): the
 * data directory's file, or with --memory a file of its own (mode 0600) removed at stop.
 */
function adminTokenFile(node: RunningNode): { file: string; remove: () => void } {
  if (node.adminTokenFile) return { file: node.adminTokenFile, remove: () => {} }
  const dir = mkdtempSync(join(tmpdir(), 'agentmesh-'))
  const file = join(dir, 'admin.token')
  writeFileSync(file, `${node.adminToken}\n`, { mode: 0o600 })
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

function demoLines(node: RunningNode, demo: RunningDemo, traffic: boolean, tokenFile: string) {
  const names = [...new Set(demo.agents.map((a) => a.name))].join(', ')
  const url = node.url === `http://127.0.0.1:${DEFAULT_PORT}` ? '' : ` --url ${node.url}`
  const token = `"$(cat ${tokenFile})"`
  return [
    `  demo         ${demo.agents.length} agents: ${names}`,
    traffic
      ? '               and a client sending a task every second or two (--no-demo-traffic: none)'
      : '               demo traffic off',
    `  try          npx agentmesh call text.sentiment --input '{"text":"I love this"}'${url} --token ${token}`,
  ]
}

/** `agentmesh up`: start a node and stop it cleanly on SIGINT or SIGTERM. */
export function upCommand(program: Command, env: NodeJS.ProcessEnv): void {
  program
    .command('up')
    .description('start a node')
    .option('--port <port>', 'port to listen on (default 7420; 0 picks a free one)', parsePort)
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--data <dir>', 'data directory (default ~/.agentmesh/data)')
    .option('--memory', 'keep everything in memory')
    .option('--store <url>', 'postgres://… to use PostgreSQL instead of SQLite')
    .option(
      '--bus <url>',
      'nats://HOST:PORT joins a cluster (needs --store postgres://…); default: in-process',
    )
    .option(
      '--cluster <name>',
      'the cluster name: prefix of its NATS subjects, streams and buckets',
    )
    .option('--demo', 'start demo agents, a demo client with credit, and credit for new keys')
    .option('--no-demo-traffic', 'with --demo: no steady flow of demo tasks')
    .option('--no-dashboard', 'do not serve the dashboard')
    .option('--grant <amount>', 'credit for each self-registered principal, e.g. "100 USD"')
    .option('--closed', 'refuse keys that register themselves (and keep /metrics for admins)')
    .option(
      '--metrics-token <token>',
      '/metrics only with this bearer token or an admin token (or AGENTMESH_METRICS_TOKEN)',
    )
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace')
    .option(
      '--p2p-listen <multiaddr...>',
      'federate over libp2p, listening here (AGENTMESH_P2P_LISTEN)',
    )
    .option(
      '--bootstrap <multiaddr...>',
      'federation peers to dial first (AGENTMESH_P2P_BOOTSTRAP)',
    )
    .action(async (flags: NodeFlags & { dashboard: boolean }, command: Command) => {
      // `--no-demo-traffic` defaults to on: leave it to AGENTMESH_DEMO_TRAFFIC unless given.
      if (command.getOptionValueSource('demoTraffic') !== 'cli') delete flags.demoTraffic
      let config: NodeConfig
      try {
        config = resolveNodeConfig(flags, env)
      } catch (error) {
        throw new CliError((error as Error).message, 2)
      }
      // The demo is a workspace package: missing, say so before a node starts without it.
      if (config.demo) await importDemo()
      // The node's modules load only for `up`, so every other command starts quickly.
      const { startNode } = await import('../node.js')
      const node = await startNode(config)
      const token = adminTokenFile(node)
      const store =
        config.store.kind === 'sqlite' ? `sqlite (${config.store.filename})` : 'postgres'
      console.log(
        [
          `agentmesh node listening on ${node.url}`,
          `  DID          ${node.did}`,
          `  store        ${store}`,
          config.cluster ? `  cluster      ${config.cluster.name} on ${config.cluster.busUrl}` : '',
          `  admin token  saved to ${token.file} (readable by you only${node.adminTokenFile ? '' : '; removed at stop'})`,
          `  API docs     ${node.url}/docs`,
          config.dashboard ? `  dashboard    ${node.url}/` : '',
          node.federation
            ? `  p2p          ${node.federation.multiaddrs().join('\n               ')}`
            : '',
          node.demo ? demoLines(node, node.demo, config.demoTraffic, token.file).join('\n') : '',
          'Press Ctrl+C to stop.',
        ]
          .filter(Boolean)
          .join('\n'),
      )
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          node.logger.info({ signal }, 'stopping: finishing in-flight requests')
          process.once(signal, () => process.exit(1))
          void node.stop().then(resolve, (error: unknown) => {
            node.logger.error({ err: error }, 'stop failed')
            process.exitCode = 1
            resolve()
          })
        }
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
      })
      token.remove()
      console.log('agentmesh node stopped')
    })
}
