import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli, startCliNode } from '../helpers/cli.js'
import { get } from '../helpers/test-node.js'

const home = mkdtempSync(join(tmpdir(), 'agentmesh-cli-'))
const env = { AGENTMESH_HOME: home, AGENTMESH_URL: '', AGENTMESH_TOKEN: '' }
afterAll(() => rmSync(home, { recursive: true, force: true }))

describe('agentmesh keys', () => {
  it('creates a key readable by its owner only, and shows its DID', async () => {
    const created = await runCli(['keys', 'new', 'alice', '--json'], env)
    expect(created.code).toBe(0)
    const { did, file } = JSON.parse(created.stdout) as { did: string; file: string }
    expect(did).toMatch(/^did:key:z6Mk/)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(await runCli(['keys', 'show', 'alice'], env)).toMatchObject({
      code: 0,
      stdout: `${did}\n`,
    })
  })

  it('refuses to overwrite a key and says so in one line', async () => {
    await runCli(['keys', 'new', 'bob'], env)
    const again = await runCli(['keys', 'new', 'bob'], env)
    expect(again.code).toBe(1)
    expect(again.stderr.trim().split('\n')).toHaveLength(1)
    expect(again.stderr).toMatch(/exists already/)
  })

  it('exits 1 for a missing key and 2 for a bad key name', async () => {
    expect((await runCli(['keys', 'show', 'nobody'], env)).code).toBe(1)
    expect((await runCli(['keys', 'show', '../etc'], env)).code).toBe(2)
  })
})

describe('agentmesh usage errors', () => {
  it.each([
    [['frobnicate']],
    [['up', '--port', 'abc']],
    [['up', '--grant', '1e3 USD']],
    [['up', '--store', 'mysql://x']],
    [['up', '--memory', '--data', '/tmp/x']],
  ])('exits 2 for %j', async (args) => {
    const result = await runCli(args, env)
    expect(result.code).toBe(2)
    expect(result.stderr).not.toBe('')
  })
})

// Each case starts node processes (a start is ~3 s of CPU-bound work on a quiet machine; while the
// suite's other workers keep both cores busy it took up to 15 s in CI). The timeout guards against
// a hang; nothing here asserts speed.
describe('agentmesh up', { timeout: 60_000 }, () => {
  it('serves, signs in a key, and stops on SIGTERM with exit 0 within 2 s', async () => {
    const data = join(home, 'node-data')
    const node = await startCliNode(['--data', data, '--port', '0', '--no-dashboard'], env)
    expect(statSync(join(data, 'admin.token')).mode & 0o777).toBe(0o600)
    expect((await fetch(`${node.url}/healthz`)).status).toBe(200)

    const asAdmin = await runCli(
      ['whoami', '--url', node.url, '--token', node.token, '--json'],
      env,
    )
    expect(JSON.parse(asAdmin.stdout)).toMatchObject({ roles: ['admin'] })
    await runCli(['keys', 'new', 'carol'], env)
    const asCarol = await runCli(['whoami', '--url', node.url, '--key', 'carol'], env)
    expect(asCarol).toMatchObject({ code: 0 })
    expect(asCarol.stdout).toMatch(/roles: client/)

    const started = performance.now()
    const exited = new Promise<number | null>((resolve) => node.child.on('exit', resolve))
    node.child.kill('SIGTERM')
    expect(await exited).toBe(0)
    // Exiting by itself (no process.exit) means no handle was left open.
    expect(performance.now() - started).toBeLessThan(2000)
  })

  it('keeps its identity and admin token across restarts of the same data directory', async () => {
    const data = join(home, 'restart-data')
    const first = await startCliNode(['--data', data, '--port', '0', '--no-dashboard'], env)
    const firstInfo = (await (await fetch(`${first.url}/v1/info`)).json()) as { did: string }
    first.child.kill('SIGTERM')
    await new Promise((resolve) => first.child.on('exit', resolve))
    const second = await startCliNode(['--data', data, '--port', '0', '--no-dashboard'], env)
    const secondInfo = (await (await fetch(`${second.url}/v1/info`)).json()) as { did: string }
    expect(secondInfo.did).toBe(firstInfo.did)
    expect(second.token).toBe(first.token)
    second.child.kill('SIGTERM')
    await new Promise((resolve) => second.child.on('exit', resolve))
  })

  it('prints where the admin token is, never the token; with --memory a 0600 file gone at stop', async () => {
    const node = await startCliNode(['--memory', '--port', '0', '--no-dashboard'], env)
    const file = /admin token\s+saved to (\S+)/.exec(node.output())![1]!
    expect(node.output()).not.toContain(node.token)
    expect(node.output()).not.toMatch(/amt_/)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect((await get(`${node.url}/v1/auth/whoami`, node.token)).body.roles).toEqual(['admin'])
    const exited = new Promise((resolve) => node.child.on('exit', resolve))
    node.child.kill('SIGTERM')
    await exited
    expect(existsSync(file)).toBe(false)
  })

  it('exits 1 with one line when the port is taken', async () => {
    const first = await startCliNode(['--memory', '--port', '0', '--no-dashboard'], env)
    const port = new URL(first.url).port
    const second = await runCli(['up', '--memory', '--port', port, '--no-dashboard'], env)
    expect(second.code).toBe(1)
    expect(second.stderr).toMatch(/EADDRINUSE|in use/)
    first.child.kill('SIGTERM')
    await new Promise((resolve) => first.child.on('exit', resolve))
  })

  it('reports an unreachable node in one line with exit 1', async () => {
    const result = await runCli(['whoami', '--url', 'http://127.0.0.1:1', '--token', 'amt_x'], env)
    expect(result.code).toBe(1)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
  })
})
