import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh, type Agent } from '@agentmesh/sdk'
import { afterAll, describe, expect, it } from 'vitest'
import type { StoreLocation } from '../../src/adapters/store/open-store.js'
import type { RunningNode } from '../../src/node.js'
import { echoCapability, hang, startAgent } from '../helpers/agents.js'
import {
  dropPostgresSchema,
  freshSchema,
  postgresSkipReason,
  postgresUrl,
} from '../helpers/postgres.js'
import { get, post, startTestNode } from '../helpers/test-node.js'

const pgSkip = await postgresSkipReason()
const dir = mkdtempSync(join(tmpdir(), 'agentmesh-orphans-'))
const schema = freshSchema()
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true })
  if (!pgSkip) await dropPostgresSchema(postgresUrl, schema)
})

const backends: { name: string; skip: string | undefined; store: StoreLocation }[] = [
  { name: 'SQLite', skip: undefined, store: { kind: 'sqlite', filename: join(dir, 'a.db') } },
  { name: 'PostgreSQL', skip: pgSkip, store: { kind: 'postgres', url: postgresUrl, schema } },
]

// A task and its reservation are two writes: neither may outlive the other's absence.
describe.each(backends)(
  'a reservation whose task was never stored, on $name',
  ({ skip, store }) => {
    const start = () =>
      startTestNode({ store, dataDir: join(dir, 'node'), grant: { amount: '10', currency: 'USD' } })
    const key = generateKeyPair()
    const account = `${key.did}:USD`
    const usd = (amount: string) => ({ amount, currency: 'USD' })
    const submit = (node: RunningNode, token: string, capability: string) =>
      post(
        `${node.url}/v1/tasks`,
        { capability, input: { text: 'x' }, maxPrice: usd('0.05'), timeoutMs: 60_000 },
        { authorization: `Bearer ${token}` },
      )
    const balance = async (mesh: Mesh) => {
      const { pending, available } = await mesh.account(account)
      return { pending: pending.amount, available: available.amount }
    }
    const state = async (node: RunningNode, id: string): Promise<string> =>
      (
        (await get(`${node.url}/v1/transfers/${encodeURIComponent(id)}`, node.adminToken)).body as {
          state: string
        }
      ).state

    it.skipIf(skip)(
      'is released at once when storing the task fails, and at the next start after a crash',
      async () => {
        let node = await start()
        let mesh = await Mesh.connect(node.url, { key })
        const agents: Agent[] = []
        try {
          agents.push((await startAgent(node.url, echoCapability('orphan.hang'), hang)).agent)
          // A task that is stored: its reservation stays across the restart.
          const kept = await submit(node, mesh.token, 'orphan.hang')
          expect(kept.status).toBe(202)

          // The second write fails: the answer is an error and the money is back at once.
          const insert = node.store.tasks.insert.bind(node.store.tasks)
          node.store.tasks.insert = () => Promise.reject(new Error('the disk is gone'))
          const failed = await submit(node, mesh.token, 'orphan.hang')
          node.store.tasks.insert = insert
          expect(failed.status).toBe(500)
          expect(await balance(mesh)).toEqual({ pending: '0.05', available: '9.95' })

          // What a kill -9 between the two writes leaves: a reservation and no task.
          await node.escrow.reserve({
            reservationId: 'task_never_stored',
            payer: key.did,
            currency: 'USD',
            amountMicros: 3_000_000n,
            timeoutMs: 3_600_000,
            reference: 'task_never_stored',
          })
          expect(await balance(mesh)).toEqual({ pending: '3.05', available: '6.95' })
          await Promise.all(agents.splice(0).map((a) => a.close()))
          await mesh.close()
          await node.stop()

          node = await start()
          mesh = await Mesh.connect(node.url, { key })
          expect(await state(node, 'reserve:task_never_stored')).toBe('voided')
          expect(await state(node, `reserve:${kept.body.id as string}`)).toBe('pending')
          expect(await balance(mesh)).toEqual({ pending: '0.05', available: '9.95' })
          const verify = await get(`${node.url}/v1/ledger/verify`, node.adminToken)
          expect(verify.body).toMatchObject({ ok: true, problems: [] })
        } finally {
          await Promise.all(agents.map((a) => a.close()))
          await mesh.close()
          await node.stop()
        }
      },
    )
  },
)
