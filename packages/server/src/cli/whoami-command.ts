import type { Command } from 'commander'
import { connect, withClientOptions, type ClientFlags } from './client-options.js'

/** `agentmesh whoami`: sign in and print who the node says you are. */
export function whoamiCommand(program: Command, env: NodeJS.ProcessEnv): void {
  withClientOptions(program.command('whoami').description('sign in and print your DID and roles'))
    .option('--json', 'print JSON')
    .action(async (flags: ClientFlags & { json?: boolean }) => {
      const mesh = await connect(flags, env)
      try {
        const me = await mesh.whoami()
        console.log(flags.json ? JSON.stringify(me) : `${me.did}  roles: ${me.roles.join(', ')}`)
      } finally {
        await mesh.close()
      }
    })
}
