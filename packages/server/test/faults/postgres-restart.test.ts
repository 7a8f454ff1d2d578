import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh, type Agent } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { echo, echoCapability, startAgent } from '../helpers/agents.js'
import {
  privatePostgresSkipReason,
  startPrivatePostgres,
  type PrivatePostgres,
} from '../helpers/private-postgres.js'
import { get, startTestNode } from '../helpers/test-node.js'
import { waitUntil } from '../helpers/wait-until.js'

const skip = privatePostgresSkipReason()

// A PostgreSQL of the test's own: the machine's shared server is never stopped.
describe.skipIf(skip !== undefined)(
  `PostgreSQL stopped and restarted under a node${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let pg: PrivatePostgres
    let node: RunningNode
    let client: Mesh
    let agent: Agent

    beforeAll(async () => {
      pg = await startPrivatePostgres()
      node = await startTestNode({
        store: { kind: 'postgres', url: pg.url },
        grant: { amount: '100', currency: 'USD' },
      })
      client = await Mesh.connect(node.url, { key: generateKeyPair() })
      agent = (await startAgent(node.url, echoCapability('pg.echo'), echo)).agent
    }, 60_000)
    afterAll(async () => {
      await agent?.close()
      await client?.close()
      await node?.stop()
      await pg?.destroy()
    })

    const ready = async () => (await get(`${node.url}/readyz`)).status

    it('reports not ready while the database is down, recovers after, and keeps acknowledged work', async () => {
      const acknowledged = []
      for (let i = 0; i < 5; i++) {
        acknowledged.push(
          await client.submit(
            'pg.echo',
            { text: `before ${i}` },
            { maxPrice: '0.05', wait: 10_000 },
          ),
        )
      }
      expect(acknowledged.every((t) => t.state === 'completed')).toBe(true)
      expect(await ready()).toBe(200)

      await pg.stop()
      await waitUntil(async () => (await ready()) === 503, { what: '/readyz to answer 503' })
      const down = await get(`${node.url}/readyz`)
      expect(down.body).toMatchObject({ ready: false, error: { code: 'UNAVAILABLE' } })
      // Work asked for while the database is down is refused as retryable, not acknowledged.
      const during = await fetch(`${node.url}/v1/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${client.token}` },
        body: JSON.stringify({
          capability: 'pg.echo',
          input: { text: 'during' },
          maxPrice: { amount: '0.05', currency: 'USD' },
        }),
      })
      expect(during.status).toBe(503)
      expect(await during.json()).toMatchObject({
        error: { code: 'UNAVAILABLE', retryable: true },
      })

      await pg.start()
      await waitUntil(async () => (await ready()) === 200, { what: '/readyz to answer 200' })
      for (const task of acknowledged) {
        expect(await client.task(task.id)).toMatchObject({
          state: 'completed',
          output: task.output,
          settlement: { state: 'posted' },
        })
      }
      const after = await client.submit(
        'pg.echo',
        { text: 'after' },
        { maxPrice: '0.05', wait: 10_000 },
      )
      expect(after.state).toBe('completed')
      const admin = await Mesh.connect(node.url, { token: node.adminToken })
      expect(await admin.verifyLedger()).toMatchObject({ ok: true, problems: [] })
      await admin.close()
    }, 60_000)
  },
)
