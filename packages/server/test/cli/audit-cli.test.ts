import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import SqliteDatabase from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli, startCliNode } from '../helpers/cli.js'

const home = mkdtempSync(join(tmpdir(), 'agentmesh-audit-cli-'))
const env = { AGENTMESH_HOME: home, AGENTMESH_URL: '', AGENTMESH_TOKEN: '' }
afterAll(() => rmSync(home, { recursive: true, force: true }))

async function signIns(url: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const mesh = await Mesh.connect(url, { key: generateKeyPair() })
    await mesh.close()
  }
}

const stopped = (child: ChildProcess) => new Promise((resolve) => child.on('exit', resolve))

// Each case starts node processes (a start is ~3 s of CPU-bound work on a quiet machine; while the
// suite's other workers keep both cores busy it took up to 15 s in CI). The timeout guards against
// a hang; nothing here asserts speed.
describe('agentmesh audit verify', { timeout: 60_000 }, () => {
  it('passes on an intact log and fails naming the entry whose stored byte changed', async () => {
    const data = join(home, 'tamper')
    const node = await startCliNode(['--data', data, '--port', '0', '--no-dashboard'], env)
    try {
      await signIns(node.url, 5)
      const clean = await runCli(['audit', 'verify', '--url', node.url, '--token', node.token], env)
      expect(clean).toMatchObject({ code: 0, stderr: '' })
      expect(clean.stdout).toMatch(/^Audit log verified: \d+ entries chained/)

      const db = new SqliteDatabase(join(data, 'agentmesh.db'))
      db.pragma('busy_timeout = 5000')
      const row = db.prepare('select resource from audit_entries where seq = 4').get() as {
        resource: string
      }
      const changed = `${row.resource.slice(0, -1)}${row.resource.endsWith('A') ? 'B' : 'A'}`
      db.prepare('update audit_entries set resource = ? where seq = 4').run(changed)
      db.close()

      const bad = await runCli(['audit', 'verify', '--url', node.url, '--token', node.token], env)
      expect(bad.code).toBe(1)
      expect(bad.stderr.trim().split('\n')).toHaveLength(1)
      expect(bad.stderr).toMatch(/fails verification at seq 4: entry 4 does not match/)
    } finally {
      node.child.kill('SIGTERM')
      await stopped(node.child)
    }
  })

  it('refuses a caller who is not an admin, in one line with exit 1', async () => {
    const node = await startCliNode(['--memory', '--port', '0', '--no-dashboard'], env)
    try {
      await runCli(['keys', 'new', 'dora'], env)
      const result = await runCli(['audit', 'verify', '--url', node.url, '--key', 'dora'], env)
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(/needs|admin/)
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
    } finally {
      node.child.kill('SIGTERM')
      await stopped(node.child)
    }
  })

  it('is clean after kill -9 of the node during a burst of sign-ins and a restart', async () => {
    const data = join(home, 'crash')
    const first = await startCliNode(['--data', data, '--port', '0', '--no-dashboard'], env)
    let completed = 0
    let killed = false
    const exited = stopped(first.child)
    const worker = async () => {
      while (!killed) {
        try {
          const mesh = await Mesh.connect(first.url, { key: generateKeyPair() })
          completed += 1
          if (completed >= 40 && !killed) {
            killed = true
            first.child.kill('SIGKILL')
          }
          await mesh.close()
        } catch {
          return
        }
      }
    }
    await Promise.all(Array.from({ length: 8 }, worker))
    await exited
    expect(killed).toBe(true)

    const second = await startCliNode(['--data', data, '--port', '0', '--no-dashboard'], env)
    try {
      const result = await runCli(
        ['audit', 'verify', '--url', second.url, '--token', second.token],
        env,
      )
      expect(result).toMatchObject({ code: 0, stderr: '' })
      const entries = Number(/verified: (\d+) entries/.exec(result.stdout)?.[1])
      expect(entries).toBeGreaterThanOrEqual(40)
    } finally {
      second.child.kill('SIGTERM')
      await stopped(second.child)
    }
  })
})
