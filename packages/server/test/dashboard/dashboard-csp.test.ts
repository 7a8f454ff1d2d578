import type { BrowserContext } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { browserSkipReason, launchBrowser } from '../helpers/browser.js'
import { startTestNode } from '../helpers/test-node.js'

const skip = browserSkipReason()

/** The node's Content-Security-Policy as a browser applies it: nothing the pages need is blocked. */
describe.skipIf(skip !== undefined)(
  `the dashboard and API page under their CSP, in chromium${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let node: RunningNode
    let browser: { context: BrowserContext; close: () => Promise<void> }

    beforeAll(async () => {
      node = await startTestNode({ dashboard: true })
      browser = await launchBrowser()
    })
    afterAll(async () => {
      await browser?.close()
      await node?.stop()
    })

    it.each([
      ['/', 'the dashboard', 'role=tab[name="Key"]'],
      ['/docs', 'the API page', '.swagger-ui .info'],
    ])('renders %s (%s) with no CSP violation', async (path, _what, selector) => {
      const page = await browser.context.newPage()
      const violations: string[] = []
      page.on('console', (message) => {
        if (/Content.Security.Policy/i.test(message.text())) violations.push(message.text())
      })
      page.on('pageerror', (error) => violations.push(error.message))
      const response = await page.goto(`${node.url}${path}`)
      expect(response?.headers()['content-security-policy']).toMatch(/script-src 'self'/)
      await page.locator(selector).first().waitFor()
      expect(violations).toEqual([])
      await page.close()
    })
  },
)
