import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The built CLI; `npm test` builds before it runs the tests. */
export const cliPath = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url))

if (!existsSync(cliPath)) {
  throw new Error(`${cliPath} is missing: run "npm run build" first (npm test does)`)
}

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the CLI to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** Starts `agentmesh up …` and resolves once it prints its URL and where its admin token is. */
export function startCliNode(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; url: string; token: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, 'up', ...args], {
      env: { ...process.env, ...env },
    })
    let output = ''
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1]
      const file = /admin token\s+saved to (\S+)/.exec(output)?.[1]
      if (url && file) {
        try {
          resolve({ child, url, token: readFileSync(file, 'utf8').trim(), output: () => output })
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)))
        }
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('error', reject)
    child.on('exit', (code) =>
      reject(new Error(`node exited with ${code} before it was ready:\n${output}`)),
    )
  })
}
