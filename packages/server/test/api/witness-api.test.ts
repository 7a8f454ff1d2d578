/**
 * Proof across operators over HTTP: node A has B and C as witnesses (AGENTMESH_WITNESSES); they
 * cosign A's heads, refuse a head from a rewritten history, and B keeps its state over a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  generateKeyPair,
  MeshError,
  signJws,
  verifyCosignature,
  type AuditTreeHead,
  type CosignedTreeHead,
  type KeyPair,
} from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HttpWitnessPeer } from '../../src/adapters/witness/http-witness-peer.js'
import { HeadCosigner } from '../../src/core/audit/head-cosigner.js'
import { nodeKey } from '../../src/node/identity.js'
import type { NodeConfig, RunningNode } from '../../src/node.js'
import { runCli } from '../helpers/cli.js'
import { get, startTestNode } from '../helpers/test-node.js'
import { waitUntil } from '../helpers/wait-until.js'

const dirs: string[] = []
function persistent(): Partial<NodeConfig> {
  const dataDir = mkdtempSync(join(tmpdir(), 'agentmesh-witness-'))
  dirs.push(dataDir)
  return { dataDir, store: { kind: 'sqlite', filename: join(dataDir, 'agentmesh.db') } }
}

async function headOf(node: RunningNode): Promise<CosignedTreeHead> {
  return (await get(`${node.url}/v1/audit/head`)).body as CosignedTreeHead
}

/** A head of A's key over any size and root: what a node rewriting its history would sign. */
function forged(key: KeyPair, size: number, root: string): AuditTreeHead {
  const time = new Date().toISOString()
  return { size, root, time, signer: key.did, signature: signJws({ size, root, time }, key) }
}

async function refusal(promise: Promise<unknown>): Promise<MeshError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(MeshError)
  return error as MeshError
}

describe('witness cosigning across nodes over HTTP', () => {
  let a: RunningNode
  let b: RunningNode
  let c: RunningNode
  let bConfig: Partial<NodeConfig>
  let aKey: KeyPair
  let aAtB: Mesh

  beforeAll(async () => {
    bConfig = persistent()
    ;[b, c] = await Promise.all([startTestNode(bConfig), startTestNode(persistent())])
    const aConfig = persistent()
    aKey = nodeKey(aConfig.dataDir)
    a = await startTestNode({
      ...aConfig,
      auditHeadEveryMs: 20,
      witnesses: { urls: [b.url, c.url], dids: [], intervalMs: 20 },
    })
    aAtB = await Mesh.connect(b.url, { key: aKey })
  })

  afterAll(async () => {
    await aAtB?.close()
    await Promise.all([a?.stop(), b?.stop(), c?.stop()])
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  /** Waits until A's latest head carries both witnesses' cosignatures; answers it. */
  async function cosignedByBoth(minSize: number): Promise<CosignedTreeHead> {
    let head: CosignedTreeHead | undefined
    await waitUntil(
      async () => {
        head = await headOf(a)
        return head.size >= minSize && head.cosignatures.length === 2
      },
      { what: `A's head of size ≥ ${minSize} cosigned by B and C` },
    )
    return head!
  }

  it('has each head cosigned by both witnesses, each cosignature verifying for it', async () => {
    const first = await cosignedByBoth(1)
    expect(first.cosignatures.map((x) => x.witness).sort()).toEqual([b.did, c.did].sort())
    for (const cosignature of first.cosignatures) {
      expect(() => verifyCosignature(cosignature, first)).not.toThrow()
    }
    // A grows its log (a few sign-ins); the next head is cosigned from the last one, by proof.
    for (let i = 0; i < 3; i++)
      await (await Mesh.connect(a.url, { key: generateKeyPair() })).close()
    const next = await cosignedByBoth(first.size + 3)
    expect(next.root).not.toBe(first.root)
    const audit = await b.audit.list({ did: b.did, roles: ['admin'] }, { action: 'witness.cosign' })
    expect(
      audit.entries.filter((e) => e.actor === a.did && e.result === 'ok').length,
    ).toBeGreaterThanOrEqual(2)
  })

  it('checks the cosignatures in `agentmesh audit verify`, with a minimum', async () => {
    const verify = (minimum: string) =>
      runCli(['audit', 'verify', '--witnesses', minimum, '--url', a.url, '--token', a.adminToken])
    const [ok, tooMany] = await Promise.all([verify('2'), verify('3')])
    expect(ok.stderr).toBe('')
    expect(ok.stdout).toMatch(/cosigned by 2 witnesses/)
    expect(ok.code).toBe(0)
    expect(tooMany.code).toBe(1)
    expect(tooMany.stderr).toMatch(/2 witness cosignatures; 3 required/)
  })

  it('refuses a head from a rewritten history, a stale head and a mismatched old size', async () => {
    const last = (await b.store.witness.lastCosigned(a.did))!
    expect(last.size).toBeGreaterThan(0)
    const proof = (await a.audit.consistencyProof(last.size)).path
    // A larger head whose root does not extend what B cosigned, signed with A's own key.
    const rewritten = forged(aKey, last.size + 5, 'ee'.repeat(32))
    const inconsistent = await refusal(aAtB.cosign({ head: rewritten, oldSize: last.size, proof }))
    expect(inconsistent.code).toBe('WITNESS_INCONSISTENT')
    const fork = await refusal(
      aAtB.cosign({
        head: forged(aKey, last.size, 'ff'.repeat(32)),
        oldSize: last.size,
        proof: [],
      }),
    )
    expect(fork.code).toBe('WITNESS_CONFLICT')
    const stale = await refusal(
      aAtB.cosign({ head: forged(aKey, 1, 'aa'.repeat(32)), oldSize: 0, proof: [] }),
    )
    expect(stale.code).toBe('WITNESS_STALE')
    const mismatch = await refusal(aAtB.cosign({ head: rewritten, oldSize: 0, proof: [] }))
    expect(mismatch).toMatchObject({ code: 'WITNESS_SIZE_MISMATCH', details: { size: last.size } })
    // Nothing was written: B still holds the head it cosigned.
    expect(await b.store.witness.lastCosigned(a.did)).toEqual(last)
    const denied = await b.audit.list(
      { did: b.did, roles: ['admin'] },
      { action: 'witness.cosign' },
    )
    expect(denied.entries.filter((e) => e.result === 'denied').length).toBeGreaterThanOrEqual(4)
  })

  it('cosigns only for the head’s own signer, and only a head its signer signed', async () => {
    const other = await Mesh.connect(b.url, { key: generateKeyPair() })
    try {
      const head = await headOf(a)
      const { cosignatures: _, ...signed } = head
      expect((await refusal(other.cosign({ head: signed, oldSize: 0, proof: [] }))).code).toBe(
        'FORBIDDEN',
      )
      const bad = {
        ...signed,
        signature: forged(generateKeyPair(), head.size, head.root).signature,
      }
      expect((await refusal(aAtB.cosign({ head: bad, oldSize: 0, proof: [] }))).code).toBe(
        'SIGNATURE_INVALID',
      )
    } finally {
      await other.close()
    }
  })

  it('keeps a restarted witness from cosigning another history', async () => {
    const last = (await b.store.witness.lastCosigned(a.did))!
    await b.stop()
    b = await startTestNode(bConfig)
    const again = await Mesh.connect(b.url, { key: aKey })
    try {
      const fork = await refusal(
        again.cosign({ head: forged(aKey, last.size, '11'.repeat(32)), oldSize: 0, proof: [] }),
      )
      expect(fork).toMatchObject({ code: 'WITNESS_CONFLICT', details: { size: last.size } })
      const fresh = await refusal(
        again.cosign({ head: forged(aKey, last.size + 1, '22'.repeat(32)), oldSize: 0, proof: [] }),
      )
      expect(fresh).toMatchObject({ code: 'WITNESS_SIZE_MISMATCH', details: { size: last.size } })
    } finally {
      await again.close()
    }
  })

  it('resumes from the size a witness remembers after the origin forgot it (a restart)', async () => {
    // An origin of its own, with no cosigner running in the background that could move C along
    // between the test's steps (A's runs every 20 ms).
    const dConfig = persistent()
    const d = await startTestNode(dConfig)
    const peer = new HttpWitnessPeer(c.url, nodeKey(dConfig.dataDir), { requestTimeoutMs: 5000 })
    const cosigner = () =>
      new HeadCosigner({ peers: [peer], store: d.store.witness, heads: d.audit, logger: d.logger })
    try {
      await d.audit.signHead(Date.now())
      expect(await cosigner().cosignLatest()).toBe(1)
      const remembered = (await c.store.witness.lastCosigned(d.did))!.size
      await (await Mesh.connect(d.url, { key: generateKeyPair() })).close()
      await d.audit.signHead(Date.now())
      const head = await d.audit.latestHead()
      expect(head.size).toBeGreaterThan(remembered)
      // Like D after a restart, this cosigner knows nothing of what C cosigned.
      expect(await cosigner().cosignLatest()).toBe(1)
      expect((await c.store.witness.lastCosigned(d.did))!.size).toBeGreaterThanOrEqual(head.size)
    } finally {
      await peer.close()
      await d.stop()
    }
  })
})
