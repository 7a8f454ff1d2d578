import { existsSync } from 'node:fs'
import { generateKey, keyPath, loadKey, saveKey } from '@agentmesh/sdk'
import type { Command } from 'commander'
import { agentmeshHome } from '../node-config.js'
import { CliError } from './cli-error.js'

/** `agentmesh keys new [NAME]` and `agentmesh keys show [NAME]`. */
export function keysCommand(program: Command, env: NodeJS.ProcessEnv): void {
  const keys = program.command('keys').description('create and show identities (~/.agentmesh/keys)')
  keys
    .command('new [name]')
    .description('create a new Ed25519 identity')
    .option('--json', 'print JSON')
    .action((name: string | undefined, flags: { json?: boolean }) => {
      const file = keyPath(agentmeshHome(env), name ?? 'default')
      if (existsSync(file))
        throw new CliError(`Key "${name ?? 'default'}" exists already at ${file}`)
      const key = generateKey()
      saveKey(file, key)
      console.log(
        flags.json ? JSON.stringify({ did: key.did, file }) : `${key.did}\nsaved to ${file}`,
      )
    })
  keys
    .command('show [name]')
    .description("print an identity's DID (never its secret)")
    .option('--json', 'print JSON')
    .action((name: string | undefined, flags: { json?: boolean }) => {
      const file = keyPath(agentmeshHome(env), name ?? 'default')
      if (!existsSync(file))
        throw new CliError(`No key "${name ?? 'default'}": run "agentmesh keys new"`)
      const key = loadKey(file)
      console.log(flags.json ? JSON.stringify({ did: key.did, file }) : key.did)
    })
}
