import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'

describe('agentmesh bench', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agentmesh-bench-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('runs the chosen suites with progress on stderr, a table on stdout and JSON in a file', async () => {
    const out = join(dir, 'results.json')
    const result = await runCli([
      'bench',
      '--only',
      'crypto,pipelines',
      '--duration',
      '50',
      '--out',
      out,
    ])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain('[1/2] crypto')
    expect(result.stderr).toContain('[2/2] pipelines')
    expect(result.stdout).toMatch(/suite\s+benchmark\s+ops\/s\s+p50 ms\s+p99 ms\s+ratio/)
    const json = JSON.parse(readFileSync(out, 'utf8')) as {
      figures: { suite: string; name: string; ratio?: number; baseline?: string }[]
    }
    const pipeline = json.figures.find((f) => f.suite === 'pipelines' && f.baseline)
    expect(pipeline?.name).toContain('3-step pipeline')
    expect(pipeline?.ratio).toBeGreaterThan(0)
  }, 60_000)

  it('measures tasks end to end beside a bare Fastify echo in one run, without errors', async () => {
    const out = join(dir, 'tasks.json')
    const result = await runCli(['bench', '--only', 'tasks', '--duration', '50', '--out', out])
    expect(result.code, result.stderr).toBe(0)
    const json = JSON.parse(readFileSync(out, 'utf8')) as {
      figures: { suite: string; name: string; opsPerSec: number; ratio?: number }[]
    }
    const names = json.figures.map((f) => f.name)
    expect(names[0]).toBe('bare Fastify echo, max (closed loop)')
    expect(names[1]).toBe('task end to end, max (closed loop)') // no "(N errors)"
    expect(names[3]).toMatch(/^task end to end at \d+\/s$/)
    const tasks = json.figures[1]!
    expect(tasks.opsPerSec).toBeGreaterThan(0)
    expect(tasks.ratio).toBeCloseTo(tasks.opsPerSec / json.figures[0]!.opsPerSec, 6)
  }, 60_000)

  it('exits 2 for an unknown suite', async () => {
    const result = await runCli(['bench', '--only', 'nope'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Unknown suite "nope"')
  })
})
