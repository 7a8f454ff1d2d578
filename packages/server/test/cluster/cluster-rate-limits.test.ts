import { generateKeyPair } from '@agentmesh/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { natsUrl } from '../helpers/nats.js'
import { waitUntil } from '../helpers/wait-until.js'
import { clusterSkipReason, TestCluster } from './cluster-nodes.js'

const skip = await clusterSkipReason()
const LIMIT = 200

describe.skipIf(skip !== undefined)(
  `rate limits across two node processes${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    // One window a day long: the test never straddles two (windows are aligned to the clock).
    const cluster = new TestCluster(natsUrl, {
      AGENTMESH_RATE_LIMIT_PRINCIPAL: String(LIMIT),
      AGENTMESH_RATE_LIMIT_WINDOW_MS: '86400000',
    })

    beforeAll(async () => {
      await cluster.startNodes(2)
    }, 120_000)
    afterAll(() => cluster.stop())

    it('counts a principal’s requests on every node against one limit', async () => {
      const [n1, n2] = cluster.nodes
      const session = await cluster.connect(n1!, { key: generateKeyPair() })
      const ask = (url: string) =>
        fetch(`${url}/v1/auth/whoami`, { headers: { authorization: `Bearer ${session.token}` } })
      let last: Response | undefined
      for (let i = 0; i < LIMIT / 2; i++) {
        last = await ask(n1!.url)
        expect(last.status).toBe(200)
      }
      const leftOnNode1 = Number(last!.headers.get('x-ratelimit-remaining'))
      expect(leftOnNode1).toBeLessThanOrEqual(LIMIT / 2)
      // Node 2 counts node 1's requests once they are reported (every 100 ms): its remaining is
      // node 1's less its own; counted alone it would be LIMIT less its own. Each look counts
      // too, so they are spaced to leave the report 10 s.
      let asked = 0
      await waitUntil(
        async () => {
          const answer = await ask(n2!.url)
          asked++
          return Number(answer.headers.get('x-ratelimit-remaining')) === leftOnNode1 - asked
        },
        { timeoutMs: 10_000, everyMs: 100, what: 'node 2 to count node 1’s requests' },
      )
      let admitted = asked
      for (;;) {
        const answer = await ask(n2!.url)
        if (answer.status === 429) {
          expect(await answer.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } })
          expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0)
          break
        }
        admitted++
        expect(admitted).toBeLessThanOrEqual(leftOnNode1)
      }
      // The cluster admitted the limit in all: node 1's share and node 2's.
      expect(admitted).toBe(leftOnNode1)
    })
  },
)
