import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@agentmesh/protocol'
import { defineValidator, Mesh } from '@agentmesh/sdk'
import { afterAll, expect, it } from 'vitest'
import { echoCapability, hang, startAgent } from '../helpers/agents.js'
import { digitsJob, digitsShares } from '../helpers/fl-fleet.js'
import { startTestNode } from '../helpers/test-node.js'
import { waitUntil } from '../helpers/wait-until.js'

const dataDir = mkdtempSync(join(tmpdir(), 'agentmesh-fl-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

const start = () =>
  startTestNode({
    dataDir,
    store: { kind: 'sqlite', filename: join(dataDir, 'agentmesh.db') },
    grant: { amount: '100', currency: 'USD' },
  })

it('ends a job a stopped node left running as failed at the next start, its budget given back', async () => {
  const ownerKey = generateKeyPair()
  const validatorKey = generateKeyPair()
  const first = await start()
  const admin = await Mesh.connect(first.url, { token: first.adminToken })
  await admin.setRoles(validatorKey.did, ['agent', 'validator'])
  await admin.close()
  const validator = defineValidator({ name: 'v', data: digitsShares(0, 1).heldOut[0]! })
  await validator.connect(first.url, { key: validatorKey, reconnect: false })
  // Trainers that never answer: the job is mid-round when the node stops.
  const silent = { ...echoCapability('fl.train', '0', 60_000), input: { type: 'object' } }
  const trainers = await Promise.all([0, 1].map(() => startAgent(first.url, silent, hang)))
  let id: string
  try {
    const owner = await Mesh.connect(first.url, { key: ownerKey })
    const spec = digitsJob({ trainers: { count: 2 }, validators: { count: 1 }, rounds: 2 })
    id = (await owner.fl.create({ ...spec, budget: { amount: '0.4', currency: 'USD' } })).id
    await waitUntil(async () => (await owner.fl.get(id)).rounds[0]?.contributions.length === 2, {
      what: 'the first round to send its tasks',
    })
    expect(await owner.account(`${ownerKey.did}:USD`)).toMatchObject({ pending: { amount: '0.4' } })
    await owner.close()
  } finally {
    await Promise.all(trainers.map(({ agent }) => agent.close()))
    await validator.close()
    await first.stop()
  }
  const second = await start()
  try {
    const owner = await Mesh.connect(second.url, { key: ownerKey })
    const job = await owner.fl.get(id)
    expect(job).toMatchObject({
      state: 'failed',
      paid: { amount: '0' },
      error: { code: 'INTERNAL', message: 'The node stopped while the job ran' },
    })
    expect(await owner.account(`${ownerKey.did}:USD`)).toMatchObject({
      posted: { amount: '100' },
      pending: { amount: '0' },
    })
    const admin2 = await Mesh.connect(second.url, { token: second.adminToken })
    expect(await admin2.verifyLedger()).toMatchObject({ ok: true, problems: [] })
    await admin2.close()
    await owner.close()
  } finally {
    await second.stop()
  }
}, 60_000)
