import type { Mesh } from '@agentmesh/sdk'
import type { Command } from 'commander'
import { CliError } from './cli-error.js'
import { connect, withClientOptions, type ClientFlags } from './client-options.js'

type Flags = ClientFlags & { json?: boolean; currency?: string; limit?: string }

/** The account to show: the one named, else the caller's own in `--currency` (default USD). */
async function accountFor(mesh: Mesh, account: string | undefined, flags: Flags): Promise<string> {
  if (account) return account
  const me = await mesh.whoami()
  return `${me.did}:${flags.currency ?? 'USD'}`
}

async function withMesh(flags: Flags, env: NodeJS.ProcessEnv, work: (mesh: Mesh) => Promise<void>) {
  const mesh = await connect(flags, env)
  try {
    await work(mesh)
  } finally {
    await mesh.close()
  }
}

/** `agentmesh ledger balance [ACCOUNT] | transfers [ACCOUNT] | verify`. */
export function ledgerCommand(program: Command, env: NodeJS.ProcessEnv): void {
  const ledger = program.command('ledger').description('balances, transfers and the ledger check')

  withClientOptions(
    ledger
      .command('balance [account]')
      .description('posted, pending and available balance (default: your own)'),
  )
    .option('--currency <code>', 'currency of your own account', 'USD')
    .option('--json', 'print JSON')
    .action((account: string | undefined, flags: Flags) =>
      withMesh(flags, env, async (mesh) => {
        const balance = await mesh.account(await accountFor(mesh, account, flags))
        if (flags.json) return console.log(JSON.stringify(balance))
        const c = balance.currency
        console.log(
          `${balance.id}\n  posted     ${balance.posted.amount} ${c}\n  pending    ${balance.pending.amount} ${c}\n  available  ${balance.available.amount} ${c}`,
        )
      }),
    )

  withClientOptions(
    ledger
      .command('transfers [account]')
      .description('transfers in and out of an account, newest first'),
  )
    .option('--currency <code>', 'currency of your own account', 'USD')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action((account: string | undefined, flags: Flags) =>
      withMesh(flags, env, async (mesh) => {
        const limit = Number(flags.limit)
        if (!Number.isInteger(limit) || limit < 1 || limit > 200)
          throw new CliError(`Limit "${flags.limit}" is not a number from 1 to 200`, 2)
        const page = await mesh.accountTransfers(await accountFor(mesh, account, flags), { limit })
        if (flags.json) return console.log(JSON.stringify(page))
        for (const t of page.transfers) {
          const state = t.state ? ` [${t.state}]` : ''
          console.log(
            `${t.createdAt}  ${t.kind.padEnd(7)} ${t.amount.amount} ${t.amount.currency}  ${t.debitAccount} -> ${t.creditAccount}  ${t.id}${state}`,
          )
        }
        if (page.transfers.length === 0) console.log('no transfers')
      }),
    )

  withClientOptions(
    ledger
      .command('verify')
      .description('recompute every balance and check the invariants (admin)'),
  )
    .option('--json', 'print JSON')
    .action((flags: Flags) =>
      withMesh(flags, env, async (mesh) => {
        const report = await mesh.verifyLedger()
        if (flags.json) console.log(JSON.stringify(report))
        else
          console.log(
            `${report.ok ? 'ledger ok' : 'LEDGER BROKEN'}: ${report.accounts} accounts, ${report.transfers} transfers${report.problems.map((p) => `\n  ${p}`).join('')}`,
          )
        if (!report.ok) throw new CliError(`Ledger check found ${report.problems.length} problems`)
      }),
    )
}
