import { generateKeyPair, toBase64url } from '@agentmesh/protocol'
import { Mesh, type AlertsView } from '@agentmesh/sdk'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveNodeConfig, type RunningNode } from '../../src/node.js'
import {
  browserSkipReason,
  DESKTOP,
  expectFitsPhone,
  launchBrowser,
  PHONE,
  screenshot,
} from '../helpers/browser.js'
import { get, startTestNode } from '../helpers/test-node.js'
import { echo, echoCapability, startAgent } from '../helpers/agents.js'
import { waitUntil } from '../helpers/wait-until.js'
import { agentMesh, greetCapability, greeterCode, hostedCard } from '../helpers/hosted-fixture.js'

const defaults = resolveNodeConfig({ memory: true }, {})

const skip = browserSkipReason()

describe.skipIf(skip !== undefined)(
  `the dashboard in chromium${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let node: RunningNode
    let browser: { context: BrowserContext; close: () => Promise<void> }
    let page: Page
    const userKey = generateKeyPair()

    beforeAll(async () => {
      node = await startTestNode({
        dashboard: true,
        grant: { amount: '100', currency: 'USD' },
        auditHeadEveryMs: 300,
        // The demo's six agents, without its traffic: the page's example pipeline is theirs.
        demo: true,
        demoTraffic: false,
        // An agent that leaves is an alert at once, for the Alerts page to show.
        observability: {
          ...defaults.observability,
          alerts: { ...defaults.observability.alerts, agentUnresponsiveMs: 200 },
        },
      })
      browser = await launchBrowser()
      page = browser.context.pages()[0] ?? (await browser.context.newPage())
    })
    afterAll(async () => {
      await browser?.close()
      await node?.stop()
    })

    it('signs in with a key signed in the browser and shows live figures', async () => {
      await page.goto(node.url)
      await page.getByRole('tab', { name: 'Key' }).click()
      await page
        .locator('textarea[name=key]')
        .fill(JSON.stringify({ did: userKey.did, secretKey: toBase64url(userKey.secretKey) }))
      await screenshot(page, 'sign-in-desktop')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByRole('heading', { name: 'Overview' }).waitFor()
      await expectText(page, '.figure:has-text("agents online") .figure-value', '6')
      await screenshot(page, 'overview-desktop')
    })

    it('searches with a filter, explains the ranking and opens an agent', async () => {
      await page.getByRole('link', { name: 'Agents', exact: true }).click()
      await page.locator('input[name=q]').fill('sentiment')
      // Two demo agents score sentiment; only the thrifty one is under this price.
      await page.locator('input[name=maxPrice]').fill('0.001')
      await page.getByRole('button', { name: 'Search' }).click()
      // The list keeps the previous answer, marked busy, until the filtered one replaces it.
      await page.locator('ul.results[aria-busy=false][data-query*="maxPrice=0.001"]').waitFor()
      const result = page.locator('.result', { hasText: 'text.sentiment' })
      await result.waitFor()
      expect(await page.locator('.result').count()).toBe(1)
      await result.getByRole('button', { name: 'Why?' }).click()
      await result.locator('.explain th', { hasText: 'relevance' }).waitFor()
      await screenshot(page, 'agents-desktop')
      await result.locator('.result-name').click()
      await page.getByRole('heading', { name: 'sentiment-thrifty' }).waitFor()
      await page.getByRole('heading', { name: 'Input schema' }).waitFor()
      await page.locator('.figure:has-text("score") .figure-value').waitFor()
      await screenshot(page, 'agent-desktop')
    })

    it('runs the example pipeline and watches its steps go from running to completed', async () => {
      await page.getByRole('link', { name: 'Pipelines' }).click()
      await page.getByRole('button', { name: 'Run pipeline' }).click()
      await page.waitForURL(/#\/pipelines\/.+/)
      await page.locator('.dag .node[data-state=running]').first().waitFor()
      await page.locator('.page-head .badge[data-state=completed]').waitFor({ timeout: 15_000 })
      const states = await attributes(page, '.dag .node', 'data-state')
      expect(states).toEqual(['completed', 'completed', 'completed', 'completed'])
      await screenshot(page, 'pipeline-run-desktop')
      await page.setViewportSize(PHONE)
      await screenshot(page, 'pipeline-run-phone')
      await page.setViewportSize(DESKTOP)
    })

    it('lists the run on the pipelines page and opens it from there', async () => {
      const runId = decodeURIComponent(page.url().split('#/pipelines/')[1]!)
      await page.getByRole('link', { name: 'Pipelines' }).click()
      const row = page.locator(`[data-testid=pipeline-runs] tr[data-run="${runId}"]`)
      await row.locator('.badge[data-state=completed]').waitFor()
      expect(await attributes(page, '[data-testid=pipeline-runs] tbody tr', 'data-run')).toEqual([
        runId,
      ])
      await screenshot(page, 'pipelines-desktop')
      await page.setViewportSize(PHONE)
      await row.getByRole('link').waitFor()
      await screenshot(page, 'pipelines-phone')
      await row.getByRole('link').click()
      await page.waitForURL(new RegExp(`#/pipelines/${runId}$`))
      await page.setViewportSize(DESKTOP)
      await page.locator('.page-head .badge[data-state=completed]').waitFor()
    })

    it("finds the run's transfers in the ledger", async () => {
      await page.getByRole('link', { name: /transfers in the ledger/ }).click()
      await page.locator('[data-testid=transfers] tbody tr').first().waitFor()
      await screenshot(page, 'ledger-run-desktop')
      const kinds = (
        await attributes(page, '[data-testid=transfers] tbody tr td[data-kind]', 'data-kind')
      ).sort()
      // Each of the four steps held its maximum price in escrow and posted what it cost.
      expect(kinds).toEqual([
        'pending',
        'pending',
        'pending',
        'pending',
        'post',
        'post',
        'post',
        'post',
      ])
    })

    it('verifies an audit inclusion proof in the browser', async () => {
      await page.getByRole('link', { name: 'Audit' }).click()
      await page.locator('[data-testid=tree-head] dd.ok').waitFor()
      const button = page.locator('.entry button:has-text("Verify proof"):not([disabled])').first()
      await button.waitFor({ timeout: 10_000 })
      await button.click()
      await page.locator('[data-testid=proof-verdict][data-ok=true]').waitFor()
      expect(await page.locator('.checks li.ok').count()).toBe(3)
      await screenshot(page, 'audit-desktop')
      await page.setViewportSize(PHONE)
      await screenshot(page, 'audit-phone')
      await page.setViewportSize(DESKTOP)
    })

    it('signs in with the admin token: tasks of everyone, ledger verified, alerts', async () => {
      const admin = await browser.context.newPage()
      await admin.setViewportSize(PHONE)
      await admin.goto(node.url)
      await admin.locator('input[name=token]').fill(node.adminToken)
      await admin.getByRole('button', { name: 'Sign in' }).click()
      await admin.getByRole('heading', { name: 'Overview' }).waitFor()
      await expectText(admin, '.figure:has-text("tasks / s") .figure-hint', '4 in the last minute')
      await expectText(admin, '.figure:has-text("agents online") .figure-hint', '0 tasks in flight')
      await screenshot(admin, 'overview-phone')
      await expectFitsPhone(admin)
      await admin.goto(`${node.url}/#/agents?q=summary`)
      await admin.locator('.result-name').first().click()
      await admin.locator('.chart figcaption', { hasText: 'outcomes' }).waitFor()
      await screenshot(admin, 'agent-phone')
      await expectFitsPhone(admin)
      // The chart's labels are as large on a phone as on a desktop: the chart is not scaled down.
      const phoneLabel = await labelHeight(admin)
      await admin.setViewportSize(DESKTOP)
      const desktopLabel = await labelHeight(admin)
      await admin.setViewportSize(PHONE)
      expect(phoneLabel).toBeGreaterThan(8)
      expect(Math.abs(phoneLabel - desktopLabel)).toBeLessThan(1)
      await admin.goto(`${node.url}/#/tasks`)
      await admin.locator('tr[data-task]').nth(2).waitFor()
      await screenshot(admin, 'tasks-phone')
      await admin.goto(`${node.url}/#/ledger`)
      await admin.getByRole('button', { name: 'Verify the ledger' }).click()
      await expectText(admin, '[data-testid=ledger-verdict]', 'Balances and invariants hold')
      // An agent that leaves: its alert names it by its (long, unbreakable) DID.
      const leaving = await startAgent(node.url, echoCapability('browser.leaves'), echo, {
        concurrency: 1,
      })
      // Its page reads "1 task", not "1 tasks".
      await admin.goto(`${node.url}/#/agents/${encodeURIComponent(leaving.key.did)}`)
      await expectText(admin, '.facts dd', '0 / 1 task')
      expect(await admin.locator('.facts dd', { hasText: '0 / 1 task' }).innerText()).toBe(
        '0 / 1 task',
      )
      await leaving.agent.close()
      await waitUntil(async () => {
        const { body } = await get(`${node.url}/v1/alerts`, node.adminToken)
        return (body as AlertsView).alerts.some((a) => a.rule === 'AgentUnresponsive')
      })
      await admin.goto(`${node.url}/#/alerts`)
      await admin.locator('.card h2', { hasText: /^1 alert$/ }).waitFor()
      await admin.locator('.result', { hasText: leaving.key.did }).waitFor()
      await admin.locator('.result summary', { hasText: 'All fields' }).click()
      await screenshot(admin, 'alerts-phone')
      await expectFitsPhone(admin)
      await admin.close()
    })

    it('shows templates with their deployers’ mean rating, best rated first when asked', async () => {
      const [{ mesh: author, key }, { mesh: deployer }] = await Promise.all([
        agentMesh(node.url),
        agentMesh(node.url),
      ])
      await author.hosted.create({
        code: greeterCode('browser.greet'),
        card: hostedCard(key, [greetCapability('browser.greet')]),
      })
      const template = await author.templates.publish({
        agentId: key.did,
        description: 'Greets, rated in the browser test',
        category: 'text',
        licence: 'MIT',
        paramsSchema: { type: 'object', properties: { greeting: { type: 'string' } } },
      })
      await deployer.templates.deploy(template.id, { params: { greeting: 'hey' } })
      await deployer.templates.rate(template.id, { stars: 4, comment: 'good' })
      await page.getByRole('link', { name: 'Templates' }).click()
      await page.locator('select[name=sort]').selectOption('rating')
      const row = page.locator(`.result[data-template="${template.id}"]`)
      await expectText(
        page,
        `.result[data-template="${template.id}"] [data-testid=template-rating]`,
        '★ 4.00 (1 rating)',
      )
      expect(await row.locator('.result-main').innerText()).toContain('1 deployment')
      await screenshot(page, 'templates-desktop')
    })

    it('marks an agent out of its normal on its page, with what is off', async () => {
      const padding = { ...echoCapability('browser.pad'), description: 'Pads a text' }
      const padder = await startAgent(node.url, padding, (input) => ({
        text: input.text.padEnd(Number(input.text), '.'),
      }))
      const client = await Mesh.connect(node.url, { key: generateKeyPair() })
      const run = async (count: number, size: number) => {
        for (let i = 0; i < count; i++)
          await client.submit(
            'browser.pad',
            { text: String(size) },
            { maxPrice: '0.01', wait: 10_000 },
          )
      }
      await run(25, 40)
      await run(6, 5000)
      await page.goto(`${node.url}/#/agents/${encodeURIComponent(padder.key.did)}`)
      await page.locator('.page-head .badge[data-state=anomalous]').waitFor()
      await expectText(page, '[data-testid=anomalies] li[data-metric=outputSize]', 'browser.pad')
      await screenshot(page, 'agent-anomalous-desktop')
      await client.close()
      await padder.agent.close()
    })
  },
)

/** Waits until the element's text contains `text`. */
async function expectText(page: Page, selector: string, text: string): Promise<void> {
  await page.locator(selector, { hasText: text }).first().waitFor({ timeout: 10_000 })
}

/** The rendered height, in CSS pixels, of the first chart's first axis label. */
async function labelHeight(page: Page): Promise<number> {
  return (await page.locator('.chart text.axis').first().boundingBox())!.height
}

/** The value of one attribute on every element the selector matches. */
async function attributes(page: Page, selector: string, name: string): Promise<(string | null)[]> {
  return Promise.all((await page.locator(selector).all()).map((el) => el.getAttribute(name)))
}
