import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateKey, saveKey } from '@agentmesh/sdk'
import type { Command } from 'commander'
import { agentDeployCommand } from './agent-deploy-command.js'
import { agentTemplate } from './agent-template.js'
import { CliError } from './cli-error.js'

/** A package and capability name from a directory's name: lower-case letters, digits, dashes. */
function projectName(dir: string): string {
  const name = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z0-9]+|-+$/g, '')
    .slice(0, 64)
  return name === '' ? 'my-agent' : name
}

/**
 * The `@agentmesh/sdk` dependency of a new project: the SDK this CLI runs with. From a source
 * checkout (the SDK is not under a node_modules of its own) that is a `file:` path to it, so a
 * project scaffolded from a fresh clone installs; from an installed CLI, its version.
 */
function sdkSpec(): string {
  let dir = dirname(fileURLToPath(import.meta.resolve('@agentmesh/sdk')))
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir)
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }
  const real = realpathSync(dir)
  return real.split(/[\\/]/).includes('node_modules') ? `^${pkg.version}` : `file:${real}`
}

/** Refuses a path that is a file or a directory with anything in it: init never overwrites. */
function ensureEmptyDir(dir: string): void {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true })
    return
  }
  if (!statSync(dir).isDirectory()) throw new CliError(`"${dir}" exists and is not a directory`)
  if (readdirSync(dir).length > 0) {
    throw new CliError(
      `Directory "${dir}" is not empty: agent init writes only into a new or empty one`,
    )
  }
}

/** `agentmesh agent init DIR`: scaffold an agent project that uses the SDK; `agent deploy DIR`. */
export function agentCommand(program: Command, env: NodeJS.ProcessEnv): void {
  const agent = program.command('agent').description('build agents with the SDK')
  agentDeployCommand(agent, env)
  agent
    .command('init <dir>')
    .description('scaffold an agent project: one capability, a test, a key; npm start connects it')
    .option('--sdk <spec>', 'the @agentmesh/sdk dependency (default: the SDK this CLI runs with)')
    .action((dir: string, flags: { sdk?: string }) => {
      ensureEmptyDir(dir)
      const name = projectName(dir)
      const capabilityId = `${name}.count-words`
      const files = agentTemplate({ name, capabilityId, sdkSpec: flags.sdk ?? sdkSpec() })
      for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content)
      const keyFile = join(dir, 'agent-key.json')
      const key = generateKey()
      saveKey(keyFile, key)
      const shown = relative(process.cwd(), resolve(dir)) || '.'
      console.log(
        [
          `Created the agent project "${name}" in ${shown}`,
          `  agent        ${key.did}`,
          `  key          ${keyFile} (mode 0600; keep it out of version control)`,
          `  capability   ${capabilityId}`,
          'Next:',
          `  cd ${shown}`,
          '  npm install',
          '  npm test',
          '  npm start    # joins the node at AGENTMESH_URL (default http://127.0.0.1:7420)',
        ].join('\n'),
      )
    })
}
