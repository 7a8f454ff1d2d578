import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, skipUnlessCi } from './local-services.js'

const binary = '/usr/sbin/nats-server'

/**
 * Why a private NATS server cannot run here, or undefined when it can. Under CI=true a missing
 * binary is an error, never a skip.
 */
export function privateNatsSkipReason(): string | undefined {
  const reason = existsSync(binary) ? undefined : `no ${binary}`
  return skipUnlessCi(reason, 'it')
}

/** A NATS server (JetStream on) of the test's own, which it may stop and start at will. */
export interface PrivateNats {
  /** `nats://127.0.0.1:PORT` */
  url: string
  stop(): Promise<void>
  start(): Promise<void>
  /** Stops it and removes its files. */
  destroy(): Promise<void>
}

/**
 * Starts `nats-server -js` on a free loopback port with its store in a temp dir (kept across a
 * stop and start, so streams survive as they would on a real restart). Never touches the
 * machine's shared server.
 */
export async function startPrivateNats(): Promise<PrivateNats> {
  const dir = mkdtempSync(join(tmpdir(), 'agentmesh-nats-'))
  const port = await freePort()
  let child: ChildProcess | undefined
  const start = () =>
    new Promise<void>((resolve, reject) => {
      const server = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir])
      let output = ''
      server.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        if (output.includes('Server is ready')) resolve()
      })
      server.on('error', reject)
      server.on('exit', (code) => reject(new Error(`nats-server exited with ${code}:\n${output}`)))
      child = server
    })
  const stop = async () => {
    const server = child
    child = undefined
    if (!server || server.exitCode !== null || server.signalCode !== null) return
    await new Promise((resolve) => {
      server.once('exit', resolve)
      server.kill('SIGTERM')
    })
  }
  await start()
  return {
    url: `nats://127.0.0.1:${port}`,
    stop,
    start,
    destroy: async () => {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
