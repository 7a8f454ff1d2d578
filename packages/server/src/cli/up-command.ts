import { InvalidArgumentError, type Command } from 'commander'
import { importDemo, type RunningDemo } from '../demo-package.js'
import {
  DEFAULT_PORT,
  resolveNodeConfig,
  startNode,
  type NodeConfig,
  type NodeFlags,
  type RunningNode,
} from '../node.js'
import { CliError } from './cli-error.js'

function parsePort(value: string): number {
  const port = Number(value)
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('Not a port number.')
  return port
}

function demoLines(node: RunningNode, demo: RunningDemo, traffic: boolean): string[] {
  const names = [...new Set(demo.agents.map((a) => a.name))].join(', ')
  const url = node.url === `http://127.0.0.1:${DEFAULT_PORT}` ? '' : ` --url ${node.url}`
  const token = node.adminTokenFile ? `"$(cat ${node.adminTokenFile})"` : node.adminToken
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
    .option('--bus <url>', 'message bus (only the in-process bus for now)')
    .option('--demo', 'start demo agents, a demo client with credit, and credit for new keys')
    .option('--no-demo-traffic', 'with --demo: no steady flow of demo tasks')
    .option('--no-dashboard', 'do not serve the dashboard')
    .option('--grant <amount>', 'credit for each self-registered principal, e.g. "100 USD"')
    .option('--closed', 'refuse keys that register themselves')
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace')
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
      const node = await startNode(config)
      const store =
        config.store.kind === 'sqlite' ? `sqlite (${config.store.filename})` : 'postgres'
      console.log(
        [
          `agentmesh node listening on ${node.url}`,
          `  DID          ${node.did}`,
          `  store        ${store}`,
          `  admin token  ${node.adminToken}${node.adminTokenFile ? `  (saved to ${node.adminTokenFile})` : ''}`,
          `  API docs     ${node.url}/docs`,
          config.dashboard ? `  dashboard    ${node.url}/` : '',
          node.demo ? demoLines(node, node.demo, config.demoTraffic).join('\n') : '',
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
      console.log('agentmesh node stopped')
    })
}
