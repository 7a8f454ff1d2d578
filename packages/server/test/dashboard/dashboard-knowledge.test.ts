import { generateKeyPair, type KeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import {
  browserSkipReason,
  DESKTOP,
  expectFitsPhone,
  launchBrowser,
  PHONE,
  screenshot,
} from '../helpers/browser.js'
import { startTestNode } from '../helpers/test-node.js'

const skip = browserSkipReason()

describe.skipIf(skip !== undefined)(
  `the knowledge page in chromium${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let node: RunningNode
    let browser: { context: BrowserContext; close: () => Promise<void> }
    let page: Page
    const good = generateKeyPair()
    const bad = generateKeyPair()

    /** Records outcomes straight into reputation: the page only reads the scores. */
    async function outcomes(key: KeyPair, result: 'completed' | 'failed') {
      for (let i = 0; i < 3; i++) {
        await node.reputation.recordOutcome({
          taskId: `task_${result}_${i}`,
          agentId: key.did,
          capabilityId: 'kg.any',
          requester: 'did:key:requester',
          result,
          latencyMs: 10,
          paidMicros: 0n,
          currency: 'USD',
          atMs: Date.now(),
        })
      }
    }

    async function assert(key: KeyPair, facts: [string, string, string, number][]) {
      const mesh = await Mesh.connect(node.url, { key, roles: ['agent'] })
      await mesh.knowledge.assert(
        facts.map(([subject, relation, object, confidence]) => ({
          subject,
          relation,
          object,
          confidence,
        })),
      )
      await mesh.close()
    }

    beforeAll(async () => {
      node = await startTestNode({ dashboard: true })
      await outcomes(good, 'completed')
      await outcomes(bad, 'failed')
      await assert(good, [
        ['paris', 'capital_of', 'france', 0.7],
        ['france', 'in', 'europe', 0.9],
        ['louvre', 'located_in', 'paris', 1],
      ])
      await assert(bad, [
        ['paris', 'capital_of', 'france', 0.95],
        ['paris', 'capital_of', 'germany', 0.9],
      ])
      browser = await launchBrowser()
      page = browser.context.pages()[0] ?? (await browser.context.newPage())
    })
    afterAll(async () => {
      await browser?.close()
      await node?.stop()
    })

    it('draws the facts around a node, ranks their sources, and opens a neighbour', async () => {
      await page.goto(node.url)
      await page.locator('input[name=token]').fill(node.adminToken)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByRole('heading', { name: 'Overview' }).waitFor()
      await page.getByRole('link', { name: 'Knowledge' }).click()
      await page.locator('input[name=node]').fill('paris')
      await page.getByRole('button', { name: 'Show' }).click()
      await page.locator('.kg-graph .kg-node.centre[data-node=paris]').waitFor()
      // Two sources state paris capital_of france: one edge, marked ×2.
      const edges = await Promise.all(
        (await page.locator('.kg-edge').all()).map(async (edge) =>
          [
            await edge.getAttribute('data-relation'),
            await edge.getAttribute('data-sources'),
            await edge.locator('.kg-node').getAttribute('data-node'),
          ].join(':'),
        ),
      )
      expect(edges.sort()).toEqual([
        'capital_of:1:germany',
        'capital_of:2:france',
        'located_in:1:louvre',
      ])
      const agents = await Promise.all(
        (await page.locator('[data-testid=facts-out] tbody tr').all()).map((row) =>
          row.getAttribute('data-agent'),
        ),
      )
      // The better-reputed source first, though the other is more confident.
      expect(agents).toEqual([good.did, bad.did, bad.did])
      await screenshot(page, 'knowledge-desktop')
      await page.setViewportSize(PHONE)
      await expectFitsPhone(page)
      await screenshot(page, 'knowledge-phone')
      await page.setViewportSize(DESKTOP)
      await page.locator('.kg-node[data-node=france]').click()
      await page.waitForURL(/#\/knowledge\?node=france$/)
      await page.locator('.kg-graph .kg-node.centre[data-node=france]').waitFor()
      await page.locator('.kg-edge[data-relation=in] .kg-node[data-node=europe]').waitFor()
    })

    it('finds a path from the node shown to another', async () => {
      await page.locator('input[name=node]').fill('louvre')
      await page.getByRole('button', { name: 'Show' }).click()
      await page.locator('.kg-graph .kg-node.centre[data-node=louvre]').waitFor()
      await page.locator('input[name=path-to]').fill('europe')
      await page.getByRole('button', { name: 'Find paths' }).click()
      const path = page.locator('[data-testid=paths] .kg-path')
      await path.first().waitFor()
      expect(await path.allInnerTexts()).toEqual([
        'louvre —located_in→ paris —capital_of→ france —in→ europe',
      ])
      await page.locator('select[name=path-maxHops]').selectOption('2')
      await page.getByRole('button', { name: 'Find paths' }).click()
      await page.locator('[data-testid=paths] li', { hasText: 'No path within 2 hops' }).waitFor()
    })
  },
)
