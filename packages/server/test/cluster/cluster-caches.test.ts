import { generateKeyPair, type KeyPair } from '@agentmesh/protocol'
import type { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { echo, echoCapability } from '../helpers/agents.js'
import { natsUrl } from '../helpers/nats.js'
import { waitUntil } from '../helpers/wait-until.js'
import { clusterSkipReason, TestCluster, type ClusterNode } from './cluster-nodes.js'

const skip = await clusterSkipReason()

/**
 * Changes made on node 1 apply on node 3 by a bus message, not by expiry: every node keeps its
 * caches ten minutes here (`AGENTMESH_CACHE_MS`), so each wait below (10 s at most) fails unless
 * the message drops the entry.
 */
const WAIT = { timeoutMs: 10_000, everyMs: 50 }

describe.skipIf(skip !== undefined)(
  `caches and provider choice across three node processes${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    const cluster = new TestCluster(natsUrl, { AGENTMESH_CACHE_MS: '600000' })
    const agents = cluster.agents
    let n1: ClusterNode, n2: ClusterNode, n3: ClusterNode
    let admin1: Mesh
    const connect = (node: ClusterNode, key: KeyPair, roles?: ('agent' | 'client')[]) =>
      cluster.connect(node, { key, ...(roles ? { roles } : {}) })
    /** Tasks held by the `pick.echo` agents until the test ends. */
    const held: (() => void)[] = []
    let fast: KeyPair, slow: KeyPair, priced: KeyPair
    /** A client on node 2 and one on node 3, for searches. */
    let search2: Mesh, search3: Mesh
    type SearchPage = Awaited<ReturnType<Mesh['search']>>
    const explained = (mesh: Mesh, capability: string): Promise<SearchPage> =>
      mesh.search('', { capability, online: true, explain: true })

    beforeAll(async () => {
      n1 = await cluster.start()
      // Node 2 chooses by measured latency alone (load not counted), node 3 mostly by load.
      ;[n2, n3] = await Promise.all([
        cluster.start({ AGENTMESH_RANKING_WEIGHTS: 'latency=1,load=0' }),
        cluster.start({ AGENTMESH_RANKING_WEIGHTS: 'load=1' }),
      ])
      admin1 = await cluster.connect(n1)
      await agents.start(n1.url, echoCapability('cache.echo', '0.01', 5000), echo)
      priced = (await agents.start(n1.url, echoCapability('cache.price', '0.01', 5000), echo)).key
      await agents.start(n1.url, echoCapability('cache.rep', '0.01', 5000), echo)
      const pick = echoCapability('pick.echo', '0.01', 5000)
      const handler = (input: { text: string }) =>
        new Promise((resolve) => {
          if (input.text === 'hold') held.push(() => resolve(input))
          else if (input.text === 'slow') setTimeout(() => resolve(input), 1000)
          else resolve(input)
        })
      fast = (await agents.start(n1.url, pick, handler, { name: 'fast' })).key
      slow = (await agents.start(n1.url, pick, handler, { name: 'slow' })).key
      search2 = await connect(n2, generateKeyPair())
      search3 = await connect(n3, generateKeyPair())
      await waitUntil(
        async () => (await search3.search('', { online: true, limit: 10 })).results.length === 5,
        { what: 'node 3 to see the five agents of node 1' },
      )
    }, 120_000)

    afterAll(async () => {
      for (const release of held) release()
      await cluster.stop()
    })

    it('refuses on node 3 a token revoked on node 1', async () => {
      const session = await connect(n1, generateKeyPair())
      const ask = () =>
        fetch(`${n3.url}/v1/auth/whoami`, { headers: { authorization: `Bearer ${session.token}` } })
      expect((await ask()).status).toBe(200) // cached on node 3 now
      const revoke = await fetch(`${n1.url}/v1/auth/revoke`, {
        method: 'POST',
        headers: { authorization: `Bearer ${session.token}` },
      })
      expect(revoke.status).toBeLessThan(300)
      await waitUntil(async () => (await ask()).status === 401, {
        ...WAIT,
        what: 'node 3 to refuse the token',
      })
    })

    it('refuses on node 3 a role removed on node 1', async () => {
      const key = generateKeyPair()
      const user = await connect(n3, key)
      expect(await user.whoami()).toMatchObject({ roles: ['client'] }) // cached on node 3 now
      await admin1.setRoles(key.did, ['client', 'admin'])
      await waitUntil(
        async () =>
          await user
            .cluster()
            .then(() => true)
            .catch(() => false),
        {
          ...WAIT,
          what: 'node 3 to grant the admin role',
        },
      )
      await admin1.setRoles(key.did, ['client'])
      await waitUntil(
        async () =>
          (await user.cluster().catch((e: unknown) => (e as { code?: string }).code)) ===
          'FORBIDDEN',
        { ...WAIT, what: 'node 3 to refuse the removed role' },
      )
    })

    it('refuses on node 3 a call outside a permission granted on node 1', async () => {
      const key = generateKeyPair()
      const user = await connect(n3, key)
      const call = () =>
        user
          .submit('cache.echo', { text: 'p' }, { maxPrice: '0.02', wait: 10_000 })
          .then((task) => task.state as string)
          .catch((e: unknown) => (e as { code?: string }).code)
      expect(await call()).toBe('completed') // no permissions: any call, and cached so
      await admin1.grantPermission(key.did, {
        resource: 'capability',
        action: 'call',
        scope: { capability: 'other.*' },
      })
      await waitUntil(async () => (await call()) === 'FORBIDDEN', {
        ...WAIT,
        what: 'node 3 to apply the permission',
      })
    })

    it('stops choosing on node 3 the price an agent raised on node 1', async () => {
      const user = await connect(n3, generateKeyPair())
      const call = () =>
        user
          .submit('cache.price', { text: 'p' }, { maxPrice: '0.02', wait: 10_000 })
          .then((task) => task.state as string)
          .catch((e: unknown) => (e as { code?: string }).code)
      expect(await call()).toBe('completed') // the match is cached on node 3 now
      const info = await user.agent(priced.did)
      const asAgent = await connect(n1, priced, ['agent'])
      const raised = info.card.capabilities.map((c) => ({
        ...c,
        pricing: { ...c.pricing, amount: '0.05' },
      }))
      await asAgent.updateAgent(
        { ...info.card, version: info.version + 1, capabilities: raised },
        priced,
      )
      await waitUntil(async () => (await call()) === 'NO_PROVIDER', {
        ...WAIT,
        what: 'node 3 to see the new price',
      })
    })

    it('ranks on node 3 with the outcomes recorded on node 1', async () => {
      const reputationOnNode3 = async () => {
        const page = await explained(search3, 'cache.rep')
        return page.results[0]?.explain?.parts.reputation.reason ?? ''
      }
      expect(await reputationOnNode3()).toContain('over 0 calls') // cached on node 3 now
      const user = await connect(n1, generateKeyPair())
      const task = await user.submit('cache.rep', { text: 'r' }, { maxPrice: '0.02', wait: 10_000 })
      expect(task.state).toBe('completed')
      await waitUntil(async () => (await reputationOnNode3()).includes('over 1 call'), {
        ...WAIT,
        what: 'node 3 to rank with the new outcome',
      })
    })

    it('chooses across the cluster by load and measured latency, as each node weighs them', async () => {
      // Measured latency: `fast` answers at once, `slow` took a second.
      const user1 = await connect(n1, generateKeyPair())
      const run = (text: string, agentId: string) =>
        user1.submit('pick.echo', { text }, { maxPrice: '0.02', agentId, wait: 10_000 })
      expect((await run('quick', fast.did)).state).toBe('completed')
      expect((await run('slow', slow.did)).state).toBe('completed')
      // Load: `fast` runs three held tasks of its four slots (connected to node 1).
      for (let i = 0; i < 3; i++)
        await user1.submit('pick.echo', { text: 'hold' }, { maxPrice: '0.02', agentId: fast.did })
      await waitUntil(() => held.length === 3, { what: 'the held tasks to reach the agent' })
      const parts = async (mesh: Mesh) => {
        const page = await explained(mesh, 'pick.echo')
        const byAgent = new Map(page.results.map((r) => [r.agentId, r.explain!.parts]))
        return { fast: byAgent.get(fast.did), slow: byAgent.get(slow.did) }
      }
      // Node 3 sees the load of an agent connected to node 1, and its latency measured there.
      await waitUntil(
        async () => {
          const seen = await parts(search3)
          return (
            seen.fast?.load.reason === '3 of 4 task slots busy' &&
            seen.fast.latency.reason.startsWith('measured') &&
            (seen.slow?.latency.reason.startsWith('measured') ?? false)
          )
        },
        { ...WAIT, what: 'node 3 to see the load and latency measured on node 1' },
      )
      let onNode2 = await parts(search2)
      await waitUntil(
        async () => (onNode2 = await parts(search2)).fast?.load.reason === '3 of 4 task slots busy',
        { ...WAIT, what: 'node 2 to see the load on node 1' },
      )
      expect(onNode2.fast!.load.weight).toBe(0)
      expect(onNode2.fast!.latency.value).toBeGreaterThan(onNode2.slow!.latency.value)
      // Node 3 weighs load: the idle agent; node 2 weighs latency only: the fast, busy one.
      const user3 = await connect(n3, generateKeyPair())
      const user2 = await connect(n2, generateKeyPair())
      const on3 = await user3.submit('pick.echo', { text: 'a' }, { maxPrice: '0.02', wait: 10_000 })
      const on2 = await user2.submit('pick.echo', { text: 'b' }, { maxPrice: '0.02', wait: 10_000 })
      expect(on3).toMatchObject({ state: 'completed', providerId: slow.did })
      expect(on2).toMatchObject({ state: 'completed', providerId: fast.did })
    })
  },
)
