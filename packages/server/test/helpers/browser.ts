import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { expect } from 'vitest'
import { skipUnlessCi } from './local-services.js'

/** Debian's chromium, which `.ci/run` installs. */
export const chromiumPath = process.env.AGENTMESH_TEST_CHROMIUM ?? '/usr/bin/chromium'

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url))
const dashboardIndex = join(repoRoot, 'packages/dashboard/dist/index.html')
export const screenshotDir = join(repoRoot, 'test-output/screenshots')

/**
 * Answers a one-line reason to skip the browser tests (no chromium, or no built dashboard);
 * under CI=true either is an error, never a skip.
 */
export function browserSkipReason(): string | undefined {
  const reason = !existsSync(chromiumPath)
    ? `no chromium at ${chromiumPath} (apt-get install chromium)`
    : !existsSync(dashboardIndex)
      ? 'the dashboard is not built (npm run build)'
      : undefined
  return skipUnlessCi(reason, 'it')
}

/** A headless chromium with a fresh profile; `close()` removes the profile. */
export async function launchBrowser(): Promise<{
  context: BrowserContext
  close: () => Promise<void>
}> {
  const profile = mkdtempSync(join(tmpdir(), 'agentmesh-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  return {
    context,
    close: async () => {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** Saves a full-page screenshot as `test-output/screenshots/NAME.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true })
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true })
}

export const PHONE = { width: 390, height: 844 }
export const DESKTOP = { width: 1280, height: 860 }

/**
 * Checks that the page fits a phone's width: nothing scrolls sideways, and every section of the
 * nav is on screen (none hidden in a scrolling strip).
 */
export async function expectFitsPhone(page: Page): Promise<void> {
  const width = page.viewportSize()!.width
  // A string, as the page runs it: this package's types have no DOM.
  const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth')
  expect(scrollWidth).toBeLessThanOrEqual(width)
  for (const link of await page.locator('.nav a').all()) {
    const box = (await link.boundingBox())!
    expect(box.x, await link.innerText()).toBeGreaterThanOrEqual(0)
    expect(box.x + box.width, await link.innerText()).toBeLessThanOrEqual(width)
  }
}
