import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
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
import { digitsJob, startFlFleet, type FlFleet } from '../helpers/fl-fleet.js'
import { startTestNode } from '../helpers/test-node.js'

const skip = browserSkipReason()

describe.skipIf(skip !== undefined)(
  `the dashboard's federated-learning pages${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let node: RunningNode
    let fleet: FlFleet
    let owner: Mesh
    let browser: { context: BrowserContext; close: () => Promise<void> }
    let page: Page

    beforeAll(async () => {
      ;[node, browser] = await Promise.all([
        startTestNode({ dashboard: true, grant: { amount: '100', currency: 'USD' } }),
        launchBrowser(),
      ])
      fleet = await startFlFleet(node.url, node.adminToken, { trainers: 5, validators: 4 })
      owner = await Mesh.connect(node.url, { key: generateKeyPair() })
      page = browser.context.pages()[0] ?? (await browser.context.newPage())
      // Signed in as the job's owner: the dashboard resumes the session token it keeps.
      // A string, as the page runs it: this package's types have no DOM.
      await page.addInitScript(
        `sessionStorage.setItem('agentmesh.token', ${JSON.stringify(owner.token)})`,
      )
    })
    afterAll(async () => {
      await browser?.close()
      await owner?.close()
      await fleet?.close()
      await node?.stop()
    })

    it('charts a finished job’s accuracy per round and lists its rounds and trainers', async () => {
      const job = await owner.fl.run(digitsJob({ rounds: 3 }))
      expect(job.state).toBe('completed')
      await page.goto(`${node.url}/#/fl`)
      await page.getByRole('heading', { name: 'Federated learning' }).waitFor()
      const row = page.locator(`[data-job="${job.id}"]`)
      await row.waitFor()
      expect(await row.innerText()).toContain('round 3 of 3')
      await row.getByRole('link').click()
      await page.getByRole('heading', { name: 'digits' }).waitFor()
      const rounds = page.locator('[data-testid=fl-rounds] tbody tr')
      expect(await rounds.count()).toBe(3)
      for (const [i, round] of job.rounds.entries()) {
        const text = await rounds.nth(i).innerText()
        expect(text).toContain('approved')
        expect(text).toContain(`${(round.accuracy! * 100).toFixed(1)}%`)
        expect(text).toContain('5/5')
      }
      // Two lines over three rounds: the model in force and each round's proposal.
      const chart = page.getByRole('img', { name: /median accuracy/ })
      expect(await chart.locator('path').count()).toBe(2)
      expect(await chart.locator('path').first().getAttribute('d')).toMatch(
        /^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){2}$/,
      )
      expect(await page.getByTestId('fl-summary').innerText()).toContain('paid 1.5 USD of 1.5 USD')
      expect(await page.locator('[data-testid=fl-contributions] tbody tr').count()).toBe(5)
      await screenshot(page, 'fl-job-desktop')
    })

    it('starts a job from the form and follows its rounds live, also on a phone', async () => {
      await page.setViewportSize(PHONE)
      await page.goto(`${node.url}/#/fl`)
      await page.getByRole('button', { name: 'Start job' }).click()
      await page.waitForURL(/#\/fl\/fljob_/)
      // The example job: five rounds, each approved as it ends.
      await page.locator('[data-testid=fl-rounds] tbody tr [data-state=approved]').nth(4).waitFor()
      await page.locator('.page-head [data-state=completed]').waitFor()
      await expectFitsPhone(page)
      await screenshot(page, 'fl-job-phone')
    })
  },
)
