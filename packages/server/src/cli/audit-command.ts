import type { Command } from 'commander'
import { CliError } from './cli-error.js'
import { connect, withClientOptions, type ClientFlags } from './client-options.js'
import { checkCosignatures } from './cosignature-check.js'
import { verifyRemoteAudit } from './remote-audit.js'

/** A one-line progress count on stderr, only when stderr is a terminal (logs and tests stay clean). */
function progress(total: number): { update(done: number): void; clear(): void } {
  const tty = process.stderr.isTTY
  let shown = false
  return {
    update(done) {
      if (!tty) return
      shown = true
      process.stderr.write(`\r\x1b[2Kverifying audit entries: ${done} of at least ${total}`)
    },
    clear() {
      if (shown) process.stderr.write('\r\x1b[2K')
    },
  }
}

/** `agentmesh audit verify`: download the log page by page and check chain, root and signature. */
export function auditCommand(program: Command, env: NodeJS.ProcessEnv): void {
  const audit = program.command('audit').description('the tamper-evident audit log')
  withClientOptions(
    audit
      .command('verify')
      .description(
        'check the hash chain, the Merkle root, the tree head signature and its witness cosignatures (admin)',
      )
      .option('--witnesses <n>', 'require at least this many witness cosignatures', '0'),
  ).action(async (flags: ClientFlags & { witnesses: string }) => {
    const minimum = Number(flags.witnesses)
    if (!Number.isSafeInteger(minimum) || minimum < 0) {
      throw new CliError(`--witnesses "${flags.witnesses}" is not a whole number`, 2)
    }
    const mesh = await connect(flags, env)
    try {
      const me = await mesh.whoami()
      if (!me.roles.includes('admin')) {
        throw new CliError('audit verify reads the whole log: sign in as an admin (--token)')
      }
      let bar: ReturnType<typeof progress> | undefined
      let result: Awaited<ReturnType<typeof verifyRemoteAudit>>
      try {
        result = await verifyRemoteAudit(mesh, (done, total) => {
          bar ??= progress(total)
          bar.update(done)
        })
      } finally {
        bar?.clear()
      }
      const { verdict, nodeDid, headTime } = result
      if (!verdict.ok) {
        const where = verdict.seq === null ? '' : ` at seq ${verdict.seq}`
        throw new CliError(`Audit log fails verification${where}: ${verdict.reason}`)
      }
      const cosigned = checkCosignatures(result.head, minimum)
      if (!cosigned.ok) throw new CliError(`Audit log fails verification: ${cosigned.reason}`)
      const after = verdict.entries - verdict.headSize
      console.log(
        `Audit log verified: ${verdict.entries} entries chained; the Merkle root of the first ` +
          `${verdict.headSize} matches the tree head signed by ${nodeDid} at ${headTime}` +
          (after > 0 ? `; ${after} later entries await the next signed head` : '') +
          (cosigned.witnesses.length > 0
            ? `; cosigned by ${cosigned.witnesses.length} witnesses (${cosigned.witnesses.join(', ')})`
            : '; no witness has cosigned it'),
      )
    } finally {
      await mesh.close()
    }
  })
}
