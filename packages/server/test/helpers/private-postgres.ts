import { execFile } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, skipUnlessCi } from './local-services.js'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** The newest installed PostgreSQL's bin directory, if any. */
function binDir(): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] ? join(root, versions[0], 'bin') : undefined
}

/**
 * Why a private PostgreSQL cannot run here, or undefined when it can. Under CI=true a missing
 * installation is an error, never a skip.
 */
export function privatePostgresSkipReason(): string | undefined {
  const reason = binDir() ? undefined : 'no PostgreSQL binaries under /usr/lib/postgresql/*/bin'
  return skipUnlessCi(reason, 'them')
}

/** A PostgreSQL server of the test's own, which it may stop and start at will. */
export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` */
  url: string
  stop(): Promise<void>
  start(): Promise<void>
  /** Stops it and removes its files. */
  destroy(): Promise<void>
}

/**
 * Creates a cluster in a temp dir (`initdb`, owned by the `postgres` user when running as root)
 * and starts it on a free loopback port with `pg_ctl`. Never touches the machine's shared server.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir()
  if (!bin) throw new Error('No PostgreSQL binaries')
  const dir = mkdtempSync(join(tmpdir(), 'agentmesh-pg-'))
  const data = join(dir, 'data')
  const asRoot = process.getuid?.() === 0
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres'])
    const { stdout: gid } = await run('id', ['-g', 'postgres'])
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()))
  }
  const pg = (tool: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args])
      : run(join(bin, tool), args)
  const port = await freePort()
  await pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync'])
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`
  const start = async () => {
    await pg('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start'])
  }
  let running = false
  const stop = async () => {
    await pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'])
    running = false
  }
  await start()
  running = true
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop,
    start: async () => {
      await start()
      running = true
    },
    destroy: async () => {
      if (running) await stop().catch(() => {})
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
