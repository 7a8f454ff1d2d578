import { Mesh } from '@agentmesh/sdk'
import { expect, it } from 'vitest'
import { startTestNode } from '../helpers/test-node.js'
import { waitUntil } from '../helpers/wait-until.js'

it('runs a small federated-learning job of the demo client on the demo’s trainers and validators', async () => {
  const node = await startTestNode({ demo: true, demoTraffic: true })
  const admin = await Mesh.connect(node.url, { token: node.adminToken })
  try {
    expect(node.demo?.learners.map((l) => l.name)).toEqual([
      ...[1, 2, 3, 4, 5].map((i) => `digits-trainer-${i}`),
      ...[1, 2, 3, 4].map((i) => `digits-validator-${i}`),
    ])
    let jobId = ''
    await waitUntil(
      async () => {
        const [job] = await admin.fl.list()
        jobId = job?.id ?? ''
        return job !== undefined && job.state !== 'running'
      },
      { timeoutMs: 60_000, what: 'the demo job to end' },
    )
    const job = await admin.fl.get(jobId)
    expect(job).toMatchObject({ owner: node.demo!.clientDid, state: 'completed' })
    expect(job.rounds.filter((r) => r.state === 'approved').length).toBeGreaterThan(5)
    expect(job.rounds.at(-1)!.accuracy).toBeGreaterThan(0.8)
  } finally {
    await admin.close()
    await node.stop()
  }
}, 90_000)
