import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli, startCliNode } from '../helpers/cli.js'
import {
  dropPostgresSchema,
  freshSchema,
  postgresSkipReason,
  postgresUrl,
} from '../helpers/postgres.js'

const home = mkdtempSync(join(tmpdir(), 'agentmesh-ledger-cli-'))
const env = {
  AGENTMESH_HOME: home,
  AGENTMESH_URL: '',
  AGENTMESH_TOKEN: '',
  AGENTMESH_GRANT: '0 USD',
}
const flags = ['--port', '0', '--no-dashboard', '--log-level', 'error']
afterAll(() => rmSync(home, { recursive: true, force: true }))

async function call(url: string, token: string, path: string, body?: unknown) {
  const response = await fetch(url + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

const usd = (amount: string) => ({ amount, currency: 'USD' })
const pgSkip = await postgresSkipReason()

describe.skipIf(pgSkip !== undefined)(
  `two node processes on one PostgreSQL${pgSkip ? ` (skipped: ${pgSkip})` : ''}`,
  () => {
    const schema = freshSchema()
    afterAll(() => dropPostgresSchema(postgresUrl, schema))

    it('reserve concurrently from one account without overdraft, and keep the totals', async () => {
      const store = `${postgresUrl}?schema=${schema}`
      const [one, two] = await Promise.all(
        ['a', 'b'].map((name) =>
          startCliNode(['--store', store, '--data', join(home, `pg-${name}`), ...flags], env),
        ),
      )
      try {
        const key = generateKeyPair()
        const mesh = await Mesh.connect(one!.url, { key })
        const account = `${key.did}:USD`
        const payee = `${generateKeyPair().did}:USD`
        const mint = await call(one!.url, one!.token, '/v1/transfers', {
          id: 'mint-1',
          creditAccount: account,
          amount: usd('10'),
          code: 'mint',
        })
        expect(mint.status).toBe(201)
        // 60 reservations of 0.5 from both nodes at once: only 20 fit in 10 USD.
        const answers = await Promise.all(
          Array.from({ length: 60 }, (_, i) =>
            call(i % 2 ? one!.url : two!.url, mesh.token, '/v1/transfers', {
              id: `r-${i}`,
              debitAccount: account,
              creditAccount: payee,
              amount: usd('0.5'),
              timeoutMs: 600_000,
            }),
          ),
        )
        const statuses = answers.map((a) => a.status)
        expect(statuses.filter((s) => s === 201)).toHaveLength(20)
        expect(statuses.filter((s) => s === 402)).toHaveLength(40)
        const balance = await call(two!.url, mesh.token, `/v1/accounts/${account}`)
        expect(balance.body).toMatchObject({
          posted: usd('10'),
          pending: usd('10'),
          available: usd('0'),
        })
        const report = await call(two!.url, two!.token, '/v1/ledger/verify')
        expect(report.body).toMatchObject({
          ok: true,
          problems: [],
          totals: { USD: { debitsPending: '10', creditsPending: '10' } },
        })
        await mesh.close()
      } finally {
        one!.child.kill('SIGTERM')
        two!.child.kill('SIGTERM')
      }
    })
  },
)

// Two node processes, two CLI runs and hundreds of calls: bounded, but slow on a busy machine.
describe('kill -9 during a burst of settlements', () => {
  it('keeps every acknowledged transfer exactly once and the ledger verifies', async () => {
    const data = join(home, 'crash')
    const first = await startCliNode(['--data', data, ...flags], env)
    const key = generateKeyPair()
    const mesh = await Mesh.connect(first.url, { key, requestTimeoutMs: 5000 })
    const token = mesh.token
    const account = `${key.did}:USD`
    const payee = `${generateKeyPair().did}:USD`
    await call(first.url, first.token, '/v1/transfers', {
      id: 'seed',
      creditAccount: account,
      amount: usd('1000'),
      code: 'mint',
    })

    const acknowledged: string[] = []
    let killed = false
    const settle = async (i: number) => {
      const reserve = await call(first.url, token, '/v1/transfers', {
        id: `hold-${i}`,
        debitAccount: account,
        creditAccount: payee,
        amount: usd('1'),
        timeoutMs: 600_000,
      })
      if (reserve.status === 201) acknowledged.push(`hold-${i}`)
      const post = await call(first.url, token, `/v1/transfers/hold-${i}/post`, {
        id: `pay-${i}`,
        amount: usd('0.25'),
      })
      if (post.status === 201) acknowledged.push(`pay-${i}`)
      if (!killed && acknowledged.length >= 150) {
        killed = true
        first.child.kill('SIGKILL')
      }
    }
    const workers = Array.from({ length: 16 }, async (_, w) => {
      for (let i = w; i < 400 && !killed; i += 16) await settle(i).catch(() => undefined)
    })
    await Promise.all(workers)
    expect(killed).toBe(true)
    await new Promise((resolve) =>
      // After SIGKILL exitCode stays null and signalCode is set: an exit that already happened.
      first.child.exitCode === null && first.child.signalCode === null
        ? first.child.once('exit', resolve)
        : resolve(null),
    )

    const second = await startCliNode(['--data', data, ...flags], env)
    try {
      for (const id of acknowledged) {
        expect((await call(second.url, token, `/v1/transfers/${id}`)).status, id).toBe(200)
      }
      // Replaying every request finds the committed ones (200) and makes the rest (201), never twice.
      for (let i = 0; i < 400; i++) {
        const again = await call(second.url, token, `/v1/transfers/${`hold-${i}`}/post`, {
          id: `pay-${i}`,
          amount: usd('0.25'),
        })
        if (again.status === 404) break // this one was never reserved
        expect([200, 201]).toContain(again.status)
      }
      const verify = await runCli(
        ['ledger', 'verify', '--url', second.url, '--token', second.token],
        env,
      )
      expect(verify).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ledger ok/) })
      const balance = await runCli(
        ['ledger', 'balance', account, '--url', second.url, '--token', token, '--json'],
        env,
      )
      const posted = JSON.parse(balance.stdout) as {
        posted: { amount: string }
        pending: { amount: string }
      }
      const paid = acknowledged.filter((id) => id.startsWith('pay-')).length
      expect(Number(posted.pending.amount)).toBeGreaterThanOrEqual(0)
      expect(1000 - Number(posted.posted.amount)).toBeGreaterThanOrEqual(paid * 0.25)
    } finally {
      second.child.kill('SIGTERM')
    }
  }, 60_000)
})
