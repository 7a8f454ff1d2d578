import type { Command } from 'commander'
import { connect, withClientOptions, type ClientFlags } from './client-options.js'
import { parseJsonArgument } from './json-argument.js'

/** `agentmesh call CAPABILITY --input JSON`: run one task and print its output. */
export function callCommand(program: Command, env: NodeJS.ProcessEnv): void {
  withClientOptions(
    program.command('call <capability>').description('call a capability and print its output'),
  )
    .requiredOption('--input <json>', 'the input, as JSON')
    .option('--max-price <amount>', 'the most to pay, e.g. 0.01', '0.01')
    .option('--currency <code>', 'currency of --max-price', 'USD')
    .option('--timeout <ms>', 'overall deadline in milliseconds', '30000')
    .option('--json', 'print the whole task as JSON')
    .action(
      async (
        capability: string,
        flags: ClientFlags & {
          input: string
          maxPrice: string
          currency: string
          timeout: string
          json?: boolean
        },
      ) => {
        const input = parseJsonArgument(flags.input, '--input')
        const timeoutMs = Number(flags.timeout)
        const mesh = await connect(flags, env)
        try {
          const task = await mesh.submit(capability, input, {
            maxPrice: flags.maxPrice,
            currency: flags.currency,
            timeoutMs,
            wait: timeoutMs + 1000,
          })
          if (flags.json) console.log(JSON.stringify(task, null, 2))
          else if (task.state === 'completed') console.log(JSON.stringify(task.output, null, 2))
          if (task.state !== 'completed') {
            throw new Error(
              `Task ${task.id} ended ${task.state}: ${task.error?.code ?? ''} ${task.error?.message ?? ''}`.trim(),
            )
          }
          if (!flags.json) {
            process.stderr.write(
              `task ${task.id} by ${task.providerId ?? '?'}, paid ${task.settlement.paid.amount} ${task.settlement.paid.currency}\n`,
            )
          }
        } finally {
          await mesh.close()
        }
      },
    )
}
