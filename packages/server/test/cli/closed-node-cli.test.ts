/**
 * A closed node's principals through the CLI: `--roles` signs in keys an admin registered with
 * only `validator` or only `admin`; without it the refusal names the real reason.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@agentmesh/protocol'
import { keyPath, Mesh, saveKey } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { runCli } from '../helpers/cli.js'
import { startTestNode } from '../helpers/test-node.js'

const home = mkdtempSync(join(tmpdir(), 'agentmesh-closed-cli-'))
const env = { AGENTMESH_HOME: home, AGENTMESH_URL: '', AGENTMESH_TOKEN: '' }

// Each CLI run starts a Node process: seconds apiece on a busy machine.
describe('agentmesh on a closed node', { timeout: 120_000 }, () => {
  let node: RunningNode
  let admin: Mesh

  beforeAll(async () => {
    node = await startTestNode({ closed: true })
    admin = await Mesh.connect(node.url, { token: node.adminToken })
  })
  afterAll(async () => {
    await admin.close()
    await node.stop()
    rmSync(home, { recursive: true, force: true })
  })

  /** A new key in the CLI's home, registered by the admin with `roles`. */
  async function registeredKey(name: string, roles: ('admin' | 'validator')[]): Promise<string> {
    const key = generateKeyPair()
    saveKey(keyPath(home, name), key)
    await admin.setRoles(key.did, roles)
    return key.did
  }

  it('signs in a validator-only key with --roles validator; without, names the reason', async () => {
    const did = await registeredKey('val', ['validator'])
    const refused = await runCli(['whoami', '--url', node.url, '--key', 'val'], env)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`Key "${did}" holds roles validator; asked for client`)
    const signedIn = await runCli(
      ['whoami', '--url', node.url, '--key', 'val', '--roles', 'validator', '--json'],
      env,
    )
    expect(signedIn.code).toBe(0)
    expect(JSON.parse(signedIn.stdout)).toEqual({ did, roles: ['validator'] })
  })

  it('signs in an admin-only key with --roles admin and acts as an admin', async () => {
    const did = await registeredKey('boss', ['admin'])
    const signedIn = await runCli(
      ['whoami', '--url', node.url, '--key', 'boss', '--roles', 'admin', '--json'],
      env,
    )
    expect(JSON.parse(signedIn.stdout)).toEqual({ did, roles: ['admin'] })
    const verify = await runCli(
      ['ledger', 'verify', '--url', node.url, '--key', 'boss', '--roles', 'admin'],
      env,
    )
    expect(verify.code).toBe(0)
  })

  it('refuses an unknown role and --roles with --token as usage errors', async () => {
    const unknown = await runCli(['whoami', '--url', node.url, '--roles', 'root'], env)
    expect(unknown).toMatchObject({ code: 2 })
    expect(unknown.stderr).toContain('Role "root" is not one of admin, agent, client, validator')
    const withToken = await runCli(
      ['whoami', '--url', node.url, '--token', node.adminToken, '--roles', 'admin'],
      env,
    )
    expect(withToken.code).toBe(2)
  })

  it('a removed key can no longer sign in', async () => {
    const did = await registeredKey('gone', ['validator'])
    await admin.removePrincipal(did)
    const refused = await runCli(
      ['whoami', '--url', node.url, '--key', 'gone', '--roles', 'validator'],
      env,
    )
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`Key "${did}" is not registered`)
  })
})
