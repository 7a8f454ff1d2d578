import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { runCli } from '../helpers/cli.js'
import { npmFreeEnv, runIn } from '../helpers/npm.js'
import { startTestNode } from '../helpers/test-node.js'

/*
 * `agentmesh agent init` as a newcomer runs it: scaffold, `npm install` (the project depends on
 * this checkout's packages/sdk through a `file:` path, which the CLI writes when it runs from a
 * checkout), `npm test`, `npm start` against a node, and a paid call to the agent. About 15 s.
 */

const home = mkdtempSync(join(tmpdir(), 'agentmesh-init-'))
const dir = join(home, 'Word Counter')
const capability = 'word-counter.count-words'
let node: RunningNode
let agentProcess: ChildProcess | undefined

beforeAll(async () => {
  node = await startTestNode({ grant: { amount: '10', currency: 'USD' } })
})
afterAll(async () => {
  // The agent's process group (npm and node), if a failed test left it running.
  try {
    if (agentProcess?.pid !== undefined) process.kill(-agentProcess.pid, 'SIGKILL')
  } catch {
    // gone already
  }
  await node.stop()
  await rm(home, { recursive: true, force: true })
})

const npm = (args: string[], cwd: string) => runIn(cwd, 'npm', args)

/** Starts `npm start` in the project; resolves once the agent says it serves its capability. */
function npmStart(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['start'], { cwd: dir, env: npmFreeEnv(env), detached: true })
    agentProcess = child
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes(`serving ${capability}`)) resolve({ child, output: () => output })
    })
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('error', reject)
    child.on('exit', (code) => reject(new Error(`npm start exited ${code}:\n${output}`)))
  })
}

describe('agentmesh agent init', () => {
  it('refuses a directory that is not empty, and touches nothing in it', async () => {
    const full = join(home, 'full')
    mkdirSync(full)
    writeFileSync(join(full, 'notes.txt'), 'mine\n')
    const result = await runCli(['agent', 'init', full])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^agentmesh: Directory ".*full" is not empty/)
    expect(existsSync(join(full, 'package.json'))).toBe(false)
  })

  it('scaffolds a project that installs, tests, starts, and earns from a paid call', async () => {
    const init = await runCli(['agent', 'init', dir])
    expect(init.stderr).toBe('')
    expect(init.code).toBe(0)
    const did = /agent\s+(did:key:\S+)/.exec(init.stdout)?.[1]
    expect(did).toBeDefined()
    expect(statSync(join(dir, 'agent-key.json')).mode & 0o777).toBe(0o600)
    for (const file of ['package.json', 'agent.js', 'main.js', 'agent.test.js', 'README.md']) {
      expect(existsSync(join(dir, file)), file).toBe(true)
    }
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    expect(pkg.dependencies['@agentmesh/sdk']).toMatch(/^file:\/.*packages\/sdk$/)

    const install = await npm(['install', '--prefer-offline', '--no-audit', '--no-fund'], dir)
    expect(install.code, install.stderr).toBe(0)
    const test = await npm(['test'], dir)
    expect(test.code, test.stdout + test.stderr).toBe(0)
    expect(test.stdout).toMatch(/# pass 2/)

    const agent = await npmStart({ AGENTMESH_URL: node.url })
    const client = await Mesh.connect(node.url, { key: generateKeyPair() })
    try {
      const task = await client.submit(
        capability,
        { text: 'one two  three' },
        { maxPrice: '0.01', wait: 10_000 },
      )
      expect(task.state).toBe('completed')
      expect(task.output).toEqual({ words: 3 })
      expect(task.providerId).toBe(did)
      expect(task.settlement).toMatchObject({ state: 'posted', paid: { amount: '0.001' } })
      const admin = await Mesh.connect(node.url, { token: node.adminToken })
      expect((await admin.account(`${did}:USD`)).available.amount).toBe('10.001')
      await admin.close()
    } finally {
      await client.close()
    }

    // Ctrl+C: the terminal signals npm and the agent (npm itself does not pass signals on).
    const closed = new Promise((resolve) => agent.child.on('close', resolve))
    process.kill(-agent.child.pid!, 'SIGTERM')
    await closed
    expect(agent.output()).toMatch(/agent stopped/)
  }, 120_000)
})
