import { existsSync } from 'node:fs'
import { roles as knownRoles, type Role } from '@agentmesh/protocol'
import { Mesh, keyPath, loadKey } from '@agentmesh/sdk'
import type { Command } from 'commander'
import { agentmeshHome, DEFAULT_PORT } from '../node-config.js'
import { CliError } from './cli-error.js'

export interface ClientFlags {
  url?: string
  key?: string
  token?: string
  roles?: string
}

/** Adds the options every client command takes: --url, --key, --token, --roles. */
export function withClientOptions(command: Command): Command {
  return command
    .option('--url <url>', `node URL (default $AGENTMESH_URL or http://127.0.0.1:${DEFAULT_PORT})`)
    .option('--key <name>', 'sign in with this key from ~/.agentmesh/keys')
    .option('--token <token>', 'use this session token (default $AGENTMESH_TOKEN)')
    .option(
      '--roles <roles>',
      'sign in asking for these roles, comma-separated (default client), e.g. validator or admin',
    )
}

/** Parses `--roles admin,validator`. */
function parseRoles(text: string): Role[] {
  const asked = text.split(',').map((role) => role.trim())
  const unknown = asked.find((role) => !knownRoles.includes(role as Role))
  if (unknown !== undefined) {
    throw new CliError(`Role "${unknown}" is not one of ${knownRoles.join(', ')}`, 2)
  }
  return [...new Set(asked)] as Role[]
}

/** Connects to the node the flags name, signing in with a key or adopting a token. */
export async function connect(flags: ClientFlags, env: NodeJS.ProcessEnv): Promise<Mesh> {
  const url = flags.url ?? env.AGENTMESH_URL ?? `http://127.0.0.1:${DEFAULT_PORT}`
  if (flags.key && flags.token) throw new CliError('Give --key or --token, not both', 2)
  const roles = flags.roles === undefined ? undefined : parseRoles(flags.roles)
  if (roles && flags.token) throw new CliError('--roles applies to signing in with a key', 2)
  const token = flags.token ?? (flags.key || roles ? undefined : env.AGENTMESH_TOKEN)
  if (token) return Mesh.connect(url, { token })
  const name = flags.key ?? 'default'
  const file = keyPath(agentmeshHome(env), name)
  if (!existsSync(file)) {
    throw new CliError(`No key "${name}": run "agentmesh keys new ${name}" or pass --token`, 2)
  }
  return Mesh.connect(url, { key: loadKey(file), ...(roles ? { roles } : {}) })
}
