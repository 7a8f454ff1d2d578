/**
 * Quorum certificates end to end: a quorum task ends disputed, an admin proposes its outcome to
 * four validators (f = 1), they sign with the SDK, and `agentmesh verify-certificate` checks the
 * fetched file offline.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair, MeshError, type KeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { echo, echoCapability, startAgent } from '../helpers/agents.js'
import { runCli } from '../helpers/cli.js'
import { startTestNode } from '../helpers/test-node.js'

async function refusal(promise: Promise<unknown>): Promise<MeshError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(MeshError)
  return error as MeshError
}

describe('quorum certificates over HTTP, SDK and CLI', () => {
  let node: RunningNode
  let admin: Mesh
  let validators: { key: KeyPair; mesh: Mesh }[]
  const dir = mkdtempSync(join(tmpdir(), 'agentmesh-cert-'))
  let decision: { kind: string; taskId: string; outcome: string }
  const agents: { close(): Promise<void> }[] = []

  beforeAll(async () => {
    node = await startTestNode({ grant: { amount: '1', currency: 'USD' } })
    admin = await Mesh.connect(node.url, { token: node.adminToken })
    // Two providers that disagree: a quorum of both ends the task disputed.
    for (const handler of [echo, () => ({ text: 'other' })]) {
      agents.push((await startAgent(node.url, echoCapability('cert.echo'), handler)).agent)
    }
    const client = await Mesh.connect(node.url, { key: generateKeyPair() })
    const task = await client.submit(
      'cert.echo',
      { text: 'q' },
      { maxPrice: '0.05', verify: { mode: 'quorum', n: 2, agree: 2 }, wait: 10_000 },
    )
    expect(task.state).toBe('disputed')
    await client.close()
    decision = { kind: 'task-dispute', taskId: task.id, outcome: 'refund requester' }
    const keys = Array.from({ length: 4 }, () => generateKeyPair())
    for (const key of keys) await admin.setRoles(key.did, ['validator'])
    validators = await Promise.all(
      keys.map(async (key) => ({
        key,
        mesh: await Mesh.connect(node.url, { key, roles: ['validator'] }),
      })),
    )
  })

  afterAll(async () => {
    await Promise.all([...validators.map((v) => v.mesh.close()), ...agents.map((a) => a.close())])
    await node.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const dids = () => validators.map((v) => v.key.did)
  const verify = async (certificate: unknown) => {
    const file = join(dir, `cert-${Math.random().toString(36).slice(2)}.json`)
    writeFileSync(file, JSON.stringify(certificate))
    return runCli(['verify-certificate', file])
  }

  it('collects 2f+1 validator signatures into a certificate the CLI verifies offline', async () => {
    const created = await admin.createCertificate({ decision, validators: dids(), f: 1 })
    expect(created).toMatchObject({ certified: false, missing: 3, createdBy: node.did })
    await validators[0]!.mesh.signCertificate(created.id)
    const two = await validators[1]!.mesh.signCertificate(created.id)
    expect(two).toMatchObject({ certified: false, missing: 1 })
    const partial = await admin.certificate(created.id)
    const three = await validators[3]!.mesh.signCertificate(created.id)
    expect(three).toMatchObject({ certified: true, missing: 0 })
    const view = await admin.certificate(created.id)
    // The three runs are independent files: run them side by side.
    const [tooFew, good, forged] = await Promise.all([
      verify(partial),
      verify(view),
      verify({ ...view.certificate, decision: { ...decision, outcome: 'pay provider' } }),
    ])
    expect(tooFew.code).toBe(1)
    expect(tooFew.stderr.trim()).toBe(
      'agentmesh: Certificate is not valid: 2 of 4 validators signed; 3 (2f+1) needed',
    )
    expect(good.stdout.trim()).toBe('Certificate verified: 3 of 4 validators signed (3 needed)')
    expect(good.code).toBe(0)
    expect(forged.code).toBe(1)
    expect(forged.stderr).toMatch(
      /Certificate is not valid: the signature of "did:key:\S+" does not verify/,
    )
  })

  it('refuses a second signature, a bad signature, outsiders and a proposal from a client', async () => {
    const { id } = await admin.createCertificate({ decision, validators: dids(), f: 1 })
    await validators[0]!.mesh.signCertificate(id)
    expect((await refusal(validators[0]!.mesh.signCertificate(id))).code).toBe(
      'CERTIFICATE_ALREADY_SIGNED',
    )
    const bad = await fetch(`${node.url}/v1/certificates/${id}/signatures`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${validators[1]!.mesh.token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ signature: 'A'.repeat(86) }),
    })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe(
      'CERTIFICATE_INVALID',
    )
    const outsider = await Mesh.connect(node.url, { key: generateKeyPair() })
    try {
      expect((await refusal(outsider.certificate(id))).code).toBe('CERTIFICATE_NOT_FOUND')
      expect(
        (await refusal(outsider.createCertificate({ decision, validators: dids(), f: 1 }))).code,
      ).toBe('FORBIDDEN')
    } finally {
      await outsider.close()
    }
    const notDisputed = { ...decision, taskId: 'task_0_none' }
    expect(
      (await refusal(admin.createCertificate({ decision: notDisputed, validators: dids(), f: 1 })))
        .message,
    ).toMatch(/is not a disputed task of this node/)
    const notValidator = [...dids().slice(0, 3), generateKeyPair().did]
    expect(
      (await refusal(admin.createCertificate({ decision, validators: notValidator, f: 1 }))).code,
    ).toBe('CERTIFICATE_INVALID')
    expect(
      (await refusal(admin.createCertificate({ decision, validators: dids(), f: 2 }))).message,
    ).toMatch(/n ≥ 3f\+1 = 7 needed/)
    const audit = await admin.auditEntries({ action: 'certificate.sign' })
    expect(audit.entries.some((e) => e.resource === `certificate:${id}`)).toBe(true)
  })
})
