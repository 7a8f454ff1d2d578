import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { errorCatalogue, isErrorCode, MeshError, type ErrorCode } from '../src/index.js'

const root = new URL('../../../', import.meta.url).pathname
const entries = Object.entries(errorCatalogue) as [ErrorCode, (typeof errorCatalogue)[ErrorCode]][]

/** Every TypeScript source file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sources(path)
    return /\.tsx?$/.test(name) ? [path] : []
  })
}

const packages = readdirSync(join(root, 'packages'))
const allSources = packages.flatMap((p) => {
  const dir = join(root, 'packages', p, 'src')
  return statSync(dir, { throwIfNoEntry: false })?.isDirectory() ? sources(dir) : []
})
const catalogueFile = join(root, 'packages/protocol/src/errors.ts')
const code = allSources
  .filter((path) => path !== catalogueFile)
  .map((path) => ({ path, text: readFileSync(path, 'utf8') }))

/** The codes the sources raise with `new MeshError('CODE', …)`. */
function raised(): Set<string> {
  return new Set(
    code.flatMap(({ text }) => [...text.matchAll(/MeshError\(\s*'([A-Z_]+)'/g)].map((m) => m[1]!)),
  )
}

/** The catalogue's codes the sources name anywhere (some travel through maps and variables). */
function named(): Set<string> {
  return new Set(
    code.flatMap(({ text }) =>
      [...text.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]!).filter(isErrorCode),
    ),
  )
}

/** The rows of the README's catalogue table: code, status, retryable, meaning. */
function readmeRows(): Map<string, { status: number; retryable: boolean; meaning: string }> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const rows = new Map<string, { status: number; retryable: boolean; meaning: string }>()
  for (const m of readme.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \| (yes|no) \| (.+) \|$/gm)) {
    rows.set(m[1]!, { status: Number(m[2]), retryable: m[3] === 'yes', meaning: m[4]! })
  }
  return rows
}

describe('the error catalogue', () => {
  it('gives every code a one-line meaning that no other code shares', () => {
    const meanings = new Map<string, string>()
    for (const [c, spec] of entries) {
      expect(spec.description, c).toMatch(/^[A-Z][^\n]{9,}[^.]$/)
      const key = spec.description.toLowerCase()
      expect(meanings.get(key), `${c} means what ${meanings.get(key)} means`).toBeUndefined()
      meanings.set(key, c)
    }
  })

  it('names, for each code that replaced a broad one, a legacy code of the catalogue', () => {
    const replaced = new Set<string>()
    for (const [c, spec] of entries) {
      if (spec.replaces === undefined) continue
      expect(isErrorCode(spec.replaces), c).toBe(true)
      expect(errorCatalogue[spec.replaces as ErrorCode].legacy, c).toBe(true)
      replaced.add(spec.replaces)
    }
    const legacy = entries.filter(([, spec]) => spec.legacy).map(([c]) => c)
    expect(legacy.sort()).toEqual(['CONFLICT', 'NOT_FOUND'])
    expect([...replaced].sort()).toEqual(legacy)
  })

  it('makes INTERNAL a non-retryable 500, and retries only 429 and 5xx codes', () => {
    expect(new MeshError('INTERNAL', 'Bug').toWire()).toEqual({
      code: 'INTERNAL',
      message: 'Bug',
      retryable: false,
    })
    expect(errorCatalogue.INTERNAL.status).toBe(500)
    expect(errorCatalogue.UNAVAILABLE).toMatchObject({ status: 503, retryable: true })
    for (const [c, spec] of entries) {
      if (spec.retryable) expect(spec.status === 429 || spec.status >= 500, c).toBe(true)
    }
  })

  it('reads an unknown code from the wire as a non-retryable INTERNAL', () => {
    const error = MeshError.fromWire({ code: 'SOMETHING_NEW', message: 'New' })
    expect(error).toMatchObject({ code: 'INTERNAL', retryable: false, message: 'New' })
  })

  it('has every code in use, and no legacy or reserved code raised', () => {
    const thrown = raised()
    const inUse = named()
    for (const c of thrown) expect(isErrorCode(c), `${c} is not in the catalogue`).toBe(true)
    for (const [c, spec] of entries) {
      const idle = spec.legacy === true || spec.reserved === true
      if (idle) expect(thrown.has(c), `${c} is legacy or reserved but raised`).toBe(false)
      else expect(inUse.has(c), `${c} is in no source`).toBe(true)
    }
    expect(thrown.size).toBeGreaterThan(40)
  })

  it('is listed whole in the README, with the same status, retryability and meaning', () => {
    const rows = readmeRows()
    expect([...rows.keys()].sort()).toEqual(entries.map(([c]) => c).sort())
    for (const [c, spec] of entries) {
      const was = spec.replaces === undefined ? '' : ` (was \`${spec.replaces}\`)`
      expect(rows.get(c), c).toEqual({
        status: spec.status,
        retryable: spec.retryable,
        meaning: spec.description + was,
      })
    }
  })

  it('is matched by code, never by message text, in the SDK, CLI, dashboard and demo', () => {
    const clients = code.filter(({ path }) =>
      /packages\/(sdk|dashboard|demo)\/src\/|packages\/server\/src\/cli\//.test(path),
    )
    expect(clients.length).toBeGreaterThan(10)
    const byMessage =
      /\.message\s*(===|!==|==|!=)|\.message\??\.(includes|startsWith|endsWith|match|search)\(|\.test\([^)]*\.message\b/
    for (const { path, text } of clients) expect(text, path).not.toMatch(byMessage)
  })
})
