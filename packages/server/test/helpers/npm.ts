import { spawn, type SpawnOptions } from 'node:child_process'
import type { CliResult } from './cli.js'

/**
 * The environment without the `npm_*` variables an enclosing `npm test` or `npx vitest` sets
 * (its prefix, its command): an npm started from a test then behaves as in a fresh shell.
 */
export function npmFreeEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)))
  return { ...env, NO_COLOR: '1', ...extra }
}

/** Runs a command (npm, npx, git…) to completion in `cwd`, with `npmFreeEnv`. */
export function runIn(
  cwd: string,
  command: string,
  args: string[],
  options: SpawnOptions = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: npmFreeEnv(), ...options })
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}
