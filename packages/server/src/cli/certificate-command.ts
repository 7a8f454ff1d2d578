import { readFile, stat } from 'node:fs/promises'
import { verifyCertificate } from '@agentmesh/protocol'
import type { Command } from 'commander'
import { CliError } from './cli-error.js'
import { connect, withClientOptions, type ClientFlags } from './client-options.js'

/** Largest certificate file read: a certificate of the most validators fits well within. */
const MAX_FILE_BYTES = 4 * 1024 * 1024

async function readCertificate(file: string): Promise<unknown> {
  let text: string
  try {
    if ((await stat(file)).size > MAX_FILE_BYTES) {
      throw new CliError(`Certificate file "${file}" is larger than ${MAX_FILE_BYTES} bytes`)
    }
    text = await readFile(file, 'utf8')
  } catch (error) {
    if (error instanceof CliError) throw error
    throw new CliError(`Cannot read certificate file "${file}": ${(error as Error).message}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new CliError(`Certificate file "${file}" is not JSON`)
  }
  // A node's answer (`GET /v1/certificates/:id`) holds the certificate in `certificate`.
  const wrapped = (parsed as { certificate?: unknown } | null)?.certificate
  return typeof wrapped === 'object' && wrapped !== null ? wrapped : parsed
}

/**
 * `agentmesh verify-certificate FILE` checks a quorum certificate offline (no node needed);
 * `agentmesh certificate get ID` prints one as JSON, `certificate sign ID` signs one as a validator.
 */
export function certificateCommand(program: Command, env: NodeJS.ProcessEnv): void {
  program
    .command('verify-certificate')
    .description('check a quorum certificate offline: 2f+1 of n ≥ 3f+1 named validators signed')
    .argument('<file>', 'the certificate, or a node’s answer holding it, as JSON')
    .action(async (file: string) => {
      const verdict = verifyCertificate(await readCertificate(file))
      if (!verdict.ok) throw new CliError(`Certificate is not valid: ${verdict.reason}`)
      console.log(
        `Certificate verified: ${verdict.signers} of ${verdict.n} validators signed ` +
          `(${verdict.threshold} needed)`,
      )
    })
  const certificate = program.command('certificate').description('quorum certificates on a node')
  withClientOptions(
    certificate.command('get').description('print a certificate as JSON').argument('<id>'),
  ).action(async (id: string, flags: ClientFlags) => {
    const mesh = await connect(flags, env)
    try {
      console.log(JSON.stringify((await mesh.certificate(id)).certificate, null, 2))
    } finally {
      await mesh.close()
    }
  })
  withClientOptions(
    certificate
      .command('sign')
      .description('sign a certificate as one of its validators (sign in with --key)')
      .argument('<id>'),
  ).action(async (id: string, flags: ClientFlags) => {
    const mesh = await connect(flags, env)
    try {
      const view = await mesh.signCertificate(id)
      console.log(
        view.certified
          ? `Signed; certificate ${id} is certified`
          : `Signed; certificate ${id} needs ${view.missing} more signatures`,
      )
    } finally {
      await mesh.close()
    }
  })
}
