import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import type { CliResult } from '../helpers/cli.js'
import { npmFreeEnv, runIn } from '../helpers/npm.js'

/*
 * SLOW (about 1.5 min here: clone 1 s, `npm ci` 30 s, `npm run build` 50 s): the README's first
 * lines, run in a fresh clone of this repository. It proves that `npm ci` links the `agentmesh`
 * bin before anything is built (a bin pointing into dist/ was silently not linked), that the bin
 * says how to build when dist/ is missing, and that `npx agentmesh --help` works once `npm start`'s
 * build ran.
 *
 * `npm ci --ignore-scripts`: the only install script builds better-sqlite3's native addon (another
 * 1.5 min of node-gyp), which neither bin linking nor `--help` uses; npm links bins the same way
 * with or without scripts. `--prefer-offline` takes packages from npm's cache (CI's own `npm ci`
 * filled it). `npx --yes=false` never downloads: a missing local bin fails instead of fetching whatever
 * the registry calls "agentmesh".
 */

const root = fileURLToPath(new URL('../../../..', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'agentmesh-clone-'))
const clone = join(work, 'agentmesh')
afterAll(() => rm(work, { recursive: true, force: true }), 120_000)

/** Runs a step that must succeed, and reports how long it took (the test's cost, step by step). */
async function ok(cwd: string, command: string, args: string[]): Promise<CliResult> {
  const started = Date.now()
  const result = await runIn(cwd, command, args, { env: npmFreeEnv({ CI: 'true' }) })
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.stderr}`)
  }
  process.stderr.write(`fresh clone: ${command} ${args[0]} took ${Date.now() - started} ms\n`)
  return result
}

/** Clones the checkout, then lays its uncommitted changes over the clone (so a test run before a
 * commit checks the files as they are). */
async function cloneCheckout(): Promise<void> {
  await ok(work, 'git', ['clone', '--quiet', root, clone])
  const changed = await ok(root, 'git', [
    'ls-files',
    '-z',
    '--modified',
    '--others',
    '--exclude-standard',
  ])
  for (const file of changed.stdout.split('\0').filter(Boolean)) {
    if (existsSync(join(root, file))) {
      mkdirSync(dirname(join(clone, file)), { recursive: true })
      copyFileSync(join(root, file), join(clone, file))
    } else {
      rmSync(join(clone, file), { force: true })
    }
  }
}

describe('a fresh clone (slow: about 1.5 min)', () => {
  it('links `npx agentmesh` at `npm ci`, says to build before the build, and answers --help after it', async () => {
    await cloneCheckout()
    expect(existsSync(join(clone, 'packages/server/dist'))).toBe(false)
    await ok(clone, 'npm', [
      'ci',
      '--ignore-scripts',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
    ])

    const unbuilt = await runIn(clone, 'npx', ['--yes=false', 'agentmesh', '--help'])
    expect(unbuilt.code).toBe(1)
    expect(unbuilt.stderr).toMatch(/not built yet.*run "npm run build"/)

    await ok(clone, 'npm', ['run', 'build'])
    const help = await runIn(clone, 'npx', ['--yes=false', 'agentmesh', '--help'])
    expect(help.stderr).toBe('')
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^Usage: agentmesh/)
    expect(help.stdout).toMatch(/^\s+up \[options\]/m)
  }, 300_000)
})
