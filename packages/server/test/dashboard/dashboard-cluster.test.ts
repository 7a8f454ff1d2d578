import { generateKeyPair, toBase64url, type ClusterView } from '@agentmesh/protocol'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import {
  browserSkipReason,
  expectFitsPhone,
  launchBrowser,
  PHONE,
  screenshot,
} from '../helpers/browser.js'
import { startTestNode } from '../helpers/test-node.js'

const skip = browserSkipReason()

/** A cluster of three as `GET /v1/cluster` reports it: one node busy, one idle, one draining. */
function clusterView(): ClusterView {
  const now = Date.now()
  const at = (offsetMs: number) => new Date(now + offsetMs).toISOString()
  const node = (id: string, rest: Partial<ClusterView['nodes'][number]>) => ({
    id,
    did: `did:key:z6Mk${id}`,
    url: `http://agentmesh-${id}.agentmesh.svc.cluster.local:7420`,
    startedAt: at(-3_600_000),
    lastSeenAt: at(-1000),
    state: 'up' as const,
    agents: [],
    inFlight: 0,
    capacity: 0,
    load: 0,
    leases: 0,
    ...rest,
  })
  return {
    nodeId: 'node-1',
    nodes: [
      node('node-1', {
        agents: ['did:key:z6MkAgentOne', 'did:key:z6MkAgentTwo'],
        inFlight: 9,
        capacity: 10,
        load: 0.9,
        leases: 2,
      }),
      node('node-2', { agents: ['did:key:z6MkAgentThree'], capacity: 4 }),
      node('node-3', { state: 'draining', inFlight: 6, capacity: 4, load: 1.5, leases: 1 }),
    ],
    load: 0.83,
    recommendation: 'scale_out',
    leases: [
      { taskId: 'task_0001', ownerId: 'node-1', epoch: 4, expiresAt: at(5000) },
      { taskId: 'task_0002', ownerId: 'node-1', epoch: 4, expiresAt: at(6000) },
      { taskId: 'task_0003', ownerId: 'node-3', epoch: 2, expiresAt: at(7000) },
    ],
  }
}

/**
 * The Cluster page renders a cluster view that a route handler serves in place of the node's
 * (this node is single; the live cluster path is tested with the cluster itself), and stays out
 * of the nav where it does not apply.
 */
describe.skipIf(skip !== undefined)(
  `the dashboard's Cluster page${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let node: RunningNode
    let browser: { context: BrowserContext; close: () => Promise<void> }
    beforeAll(async () => {
      ;[node, browser] = await Promise.all([startTestNode({ dashboard: true }), launchBrowser()])
    })
    afterAll(async () => {
      await browser?.close()
      await node?.stop()
    })

    /** A phone-sized page whose node says it is in cluster mode and answers `view`. */
    async function clusteredPage(view: ClusterView): Promise<Page> {
      const page = await browser.context.newPage()
      await page.setViewportSize(PHONE)
      await page.route('**/v1/info', async (route) => {
        const response = await route.fetch()
        await route.fulfill({ response, json: { ...(await response.json()), mode: 'cluster' } })
      })
      await page.route('**/v1/cluster', (route) => route.fulfill({ json: view }))
      return page
    }

    async function signInAsAdmin(page: Page): Promise<void> {
      await page.goto(node.url)
      await page.locator('input[name=token]').fill(node.adminToken)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByRole('heading', { name: 'Overview' }).waitFor()
    }

    it('shows an admin on a cluster node its nodes, load bars, advice and leases, on a phone', async () => {
      const page = await clusteredPage(clusterView())
      await signInAsAdmin(page)
      await page.locator('.nav a', { hasText: 'Cluster' }).click()
      await page.getByRole('heading', { name: 'Cluster' }).waitFor()
      await page.locator('tr[data-node]').nth(2).waitFor()
      expect(await page.locator('[data-recommendation]').innerText()).toBe('scale out')
      const rows = page.locator('tr[data-node]')
      expect(await rows.nth(0).innerText()).toMatch(/node-1\s*●[\s\S]*up\s+2\s+9 \/ 10\s+90%/)
      expect(await rows.nth(2).locator('[data-state]').innerText()).toBe('draining')
      // Bars scale with load; one past capacity is full, not wider than its track.
      const fills = await page.locator('tr[data-node] .load-fill').all()
      const widths = await Promise.all(fills.map(async (f) => (await f.boundingBox())!.width))
      const track = (await page.locator('tr[data-node] .load-track').first().boundingBox())!.width
      expect(widths[0]).toBeCloseTo(track * 0.9, 0)
      expect(widths[1]).toBe(0)
      expect(widths[2]).toBeCloseTo(track, 0)
      await screenshot(page, 'cluster-phone')
      // On a phone the load column is in view, not scrolled out of its table.
      const table = (await page.locator('.table-wrap:has(tr[data-node])').boundingBox())!
      for (const bar of await page.locator('tr[data-node] .load').all()) {
        const box = (await bar.boundingBox())!
        expect(box.x + box.width).toBeLessThanOrEqual(table.x + table.width)
      }
      expect(await page.locator('tr[data-lease]').count()).toBe(3)
      await page.locator('tr[data-lease] a', { hasText: 'task_0003' }).waitFor()
      await screenshot(page, 'cluster-phone')
      await expectFitsPhone(page)
      await page.close()
    })

    it('keeps the Cluster link from non-admins and from single nodes', async () => {
      const user = await clusteredPage(clusterView())
      await user.goto(node.url)
      await user.getByRole('tab', { name: 'Key' }).click()
      const key = generateKeyPair()
      await user
        .locator('textarea[name=key]')
        .fill(JSON.stringify({ did: key.did, secretKey: toBase64url(key.secretKey) }))
      await user.getByRole('button', { name: 'Sign in' }).click()
      await user.getByRole('heading', { name: 'Overview' }).waitFor()
      await user.locator('.nav a', { hasText: 'Alerts' }).waitFor()
      expect(await user.locator('.nav a', { hasText: 'Cluster' }).count()).toBe(0)
      await user.close()

      const single = await browser.context.newPage()
      await single.setViewportSize(PHONE)
      await signInAsAdmin(single)
      await single.locator('.nav a', { hasText: 'Alerts' }).waitFor()
      expect(await single.locator('.nav a', { hasText: 'Cluster' }).count()).toBe(0)
      // Typed in by hand, the page says why there is nothing to show.
      await single.goto(`${node.url}/#/cluster`)
      await single.locator('[data-testid=cluster-missing]', { hasText: 'embedded mode' }).waitFor()
      await expectFitsPhone(single)
      await single.close()
    })
  },
)
