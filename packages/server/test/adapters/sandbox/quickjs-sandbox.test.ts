import { MeshError } from '@agentmesh/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createQuickJsSandbox } from '../../../src/adapters/sandbox/quickjs-sandbox.js'
import type {
  Sandbox,
  SandboxHost,
  SandboxLimits,
  SandboxOutcome,
} from '../../../src/core/ports/sandbox.js'
import { startHealthz } from './healthz-probe.js'

const MiB = 1024 * 1024
const limits: SandboxLimits = {
  memoryBytes: 48 * MiB,
  cpuMs: 200,
  wallMs: 2000,
  stackBytes: 256 * 1024,
}

/** A module with one hostile capability, `attack`, beside a plain `echo`. */
function hostile(attack: string): string {
  return `import { defineAgent } from '@agentmesh/sdk'
export default defineAgent({
  name: 'hostile', description: 'Tries its luck',
  capabilities: [
    { id: 'attack', handler: async (input, ctx) => { ${attack} } },
    { id: 'echo', handler: (input) => ({ echoed: input }) },
  ],
})`
}

/** A host that records what the guest did; `call` and `fetch` answer as each test says. */
function recordingHost(overrides: Partial<SandboxHost> = {}) {
  const logs: [string, string][] = []
  const progress: [number | undefined, string | undefined][] = []
  const host: SandboxHost = {
    progress: (p, m) => progress.push([p, m]),
    log: (level, message) => logs.push([level, message]),
    call: () => Promise.reject(new MeshError('FORBIDDEN', 'No calls in this test')),
    fetch: () => Promise.reject(new MeshError('ADDRESS_NOT_ALLOWED', 'No fetch in this test')),
    ...overrides,
  }
  return { host, logs, progress }
}

let sandbox: Sandbox
let healthz: Awaited<ReturnType<typeof startHealthz>>

beforeAll(async () => {
  sandbox = await createQuickJsSandbox({ workers: 2, graceMs: 500, maxJobs: 5_000 })
  healthz = await startHealthz()
  // One unmeasured call first: the node's first host call, progress and log (and the probe's
  // first request) compile their code paths once, which is the node's start-up, not a guest's doing.
  const warmUp = `import { defineAgent } from '@agentmesh/sdk'
export default defineAgent({ name: 'w', description: 'w', capabilities: [{ id: 'w',
  handler: async (input, ctx) => { ctx.progress(0.5, 'w'); console.log('w'); return await ctx.call('w', {}, {}) } }] })`
  await healthz.whileRunning(
    sandbox.run(
      {
        codeHash: 'warm-up',
        code: warmUp,
        capabilityId: 'w',
        input: null,
        params: {},
        limits,
        signal: new AbortController().signal,
      },
      recordingHost({ call: () => Promise.resolve({ ok: true }) }).host,
    ),
  )
})

afterAll(async () => {
  await sandbox?.stop()
  await healthz?.close()
})

let hashes = 0
/** Runs `capabilityId` of `code` while probing /healthz; fails if the node's loop stalled. */
async function run(
  code: string,
  capabilityId: string,
  options: {
    input?: unknown
    params?: Record<string, unknown>
    limits?: Partial<SandboxLimits>
    host?: SandboxHost
    signal?: AbortSignal
  } = {},
): Promise<SandboxOutcome> {
  const work = sandbox.run(
    {
      codeHash: `hash-${++hashes}`,
      code,
      capabilityId,
      input: options.input ?? null,
      params: options.params ?? {},
      limits: { ...limits, ...options.limits },
      signal: options.signal ?? new AbortController().signal,
    },
    options.host ?? recordingHost().host,
  )
  const { value, probes, longestBusyMs, slowestMs } = await healthz.whileRunning(work)
  // The node kept answering, and no stretch of its event loop's work between two probes came near
  // 50 ms: the guest ran on a worker. (The slowest answer also counts time spent waiting for a CPU
  // on a busy machine; see the probe's note.)
  expect(probes).toBeGreaterThan(0)
  expect(
    longestBusyMs,
    `event loop busy (slowest /healthz ${Math.round(slowestMs)} ms)`,
  ).toBeLessThan(50)
  return value
}

/** Runs the attack, checks its code and usage, then that `echo` of the same module still works. */
async function expectStopped(
  code: string,
  failure: string,
  callLimits: Partial<SandboxLimits> = {},
) {
  const outcome = await run(code, 'attack', { limits: callLimits })
  const applied = { ...limits, ...callLimits }
  expect(outcome).toMatchObject({ ok: false, code: failure })
  expect(outcome.usage.wallMs).toBeGreaterThan(0)
  expect(outcome.usage.peakMemoryBytes).toBeLessThanOrEqual(applied.memoryBytes)
  const next = await run(code, 'echo', { input: { n: 1 } })
  expect(next).toMatchObject({ ok: true, output: { echoed: { n: 1 } } })
  return outcome
}

describe('the QuickJS sandbox', () => {
  it('runs a defineAgent module: two capabilities, params, progress, ctx.call and console.log', async () => {
    const code = `import { defineAgent } from '@agentmesh/sdk'
export default defineAgent({
  name: 'greeter', description: 'Greets',
  capabilities: [
    { id: 'greet', handler: async (input, ctx) => {
      ctx.progress(0.5, 'halfway')
      console.log('greeting', input.name, { n: 1 })
      console.warn('careful')
      const sum = await ctx.call('math.add', { a: 2, b: 3 }, { maxPrice: '0.01' })
      return { text: ctx.params.greeting + ', ' + input.name, sum: sum.value, capability: ctx.capabilityId }
    } },
    { id: 'shout', handler: (input) => ({ text: input.text.toUpperCase() }) },
  ],
})`
    const calls: unknown[] = []
    const { host, logs, progress } = recordingHost({
      call: (capabilityId, input, options) => {
        calls.push([capabilityId, input, options])
        const { a, b } = input as { a: number; b: number }
        return Promise.resolve({ value: a + b })
      },
    })
    expect(await sandbox.inspect(code, limits)).toEqual({ capabilityIds: ['greet', 'shout'] })
    const outcome = await run(code, 'greet', {
      input: { name: 'Ada' },
      params: { greeting: 'Hello' },
      host,
    })
    expect(outcome).toMatchObject({
      ok: true,
      output: { text: 'Hello, Ada', sum: 5, capability: 'greet' },
    })
    expect(calls).toEqual([['math.add', { a: 2, b: 3 }, { maxPrice: '0.01' }]])
    expect(progress).toEqual([[0.5, 'halfway']])
    expect(logs).toEqual([
      ['info', 'greeting Ada {"n":1}'],
      ['warn', 'careful'],
    ])
    expect(outcome.usage.cpuMs).toBeGreaterThan(0)
    expect(outcome.usage.peakMemoryBytes).toBeGreaterThan(0)
    expect(await run(code, 'shout', { input: { text: 'hi' } })).toMatchObject({
      output: { text: 'HI' },
    })
  })

  it('stops while(true){} at its CPU limit', async () => {
    const outcome = await expectStopped(hostile('while (true) {}'), 'SANDBOX_CPU_LIMIT')
    expect(outcome.usage.cpuMs).toBeGreaterThanOrEqual(limits.cpuMs)
    expect(outcome.usage.cpuMs).toBeLessThan(limits.cpuMs + 100)
  })

  it('stops string doubling at its memory limit', async () => {
    await expectStopped(
      hostile(`let s = 'x'; for (;;) { s = s + s; s.charCodeAt(s.length - 1) }`),
      'SANDBOX_MEMORY_LIMIT',
      { memoryBytes: 32 * MiB, cpuMs: 5000, wallMs: 8000 },
    )
  })

  it('stops new Array(2e8) at its memory limit', async () => {
    await expectStopped(hostile('return new Array(2e8).fill(1).length'), 'SANDBOX_MEMORY_LIMIT', {
      memoryBytes: 32 * MiB,
      cpuMs: 5000,
      wallMs: 8000,
    })
  })

  it('stops an object bomb at its memory limit', async () => {
    await expectStopped(
      hostile(`const o = {}; for (let i = 0; ; i++) o['k' + i] = { i, s: 'v' + i, a: [i, i] }`),
      'SANDBOX_MEMORY_LIMIT',
      { memoryBytes: 24 * MiB, cpuMs: 5000, wallMs: 8000 },
    )
  })

  it('stops typed array bombs at the WebAssembly memory maximum', async () => {
    await expectStopped(
      hostile('return new Uint8Array(2 ** 31 - 1).length'),
      'SANDBOX_MEMORY_LIMIT',
    )
    await expectStopped(
      hostile('const keep = []; for (;;) keep.push(new Uint8Array(50e6))'),
      'SANDBOX_MEMORY_LIMIT',
    )
    const refused = await run(hostile('return new Uint8Array(2 ** 31).length'), 'attack')
    expect(refused).toMatchObject({ ok: false, code: 'SANDBOX_GUEST_ERROR' })
  })

  it('stops deep recursion at its stack limit', async () => {
    await expectStopped(
      hostile('const f = (n) => f(n + 1) + 1; return f(0)'),
      'SANDBOX_STACK_LIMIT',
    )
  })

  it('stops an endless promise loop at its job limit', async () => {
    await expectStopped(
      hostile(
        'const spin = () => Promise.resolve().then(spin); spin(); await new Promise(() => {})',
      ),
      'SANDBOX_JOB_LIMIT',
      { cpuMs: 5000, wallMs: 8000 },
    )
  })

  it('kills and replaces a worker stuck in native code, and bills the call', async () => {
    const outcome = await expectStopped(
      hostile(`const a = []; a.length = 2 ** 32 - 1; return a.join('x').length`),
      'SANDBOX_CRASHED',
      { wallMs: 400 },
    )
    expect(outcome.usage.wallMs).toBeGreaterThanOrEqual(400)
    expect(outcome.usage.cpuMs).toBeGreaterThan(0)
  })

  it('gives the guest no process, require, timers or node modules', async () => {
    const probe = await run(
      hostile(
        `return { process: typeof process, require: typeof require, setTimeout: typeof setTimeout,
          queueMicrotask: typeof queueMicrotask, fetch: typeof fetch, os: typeof os, std: typeof std }`,
      ),
      'attack',
    )
    expect(probe).toMatchObject({
      ok: true,
      output: {
        process: 'undefined',
        require: 'undefined',
        setTimeout: 'undefined',
        os: 'undefined',
        std: 'undefined',
        fetch: 'function',
      },
    })
    expect(await run(hostile('return process.env'), 'attack')).toMatchObject({
      ok: false,
      code: 'SANDBOX_GUEST_ERROR',
      message: expect.stringContaining('process'),
    })
    const importing = `import fs from 'node:fs'\n${hostile('return fs.readFileSync("/etc/passwd")')}`
    await expect(sandbox.inspect(importing, limits)).rejects.toMatchObject({
      code: 'SANDBOX_GUEST_ERROR',
    })
    const dynamic = await run(
      hostile(`const m = await import('node:fs'); return typeof m`),
      'attack',
    )
    expect(dynamic).toMatchObject({ ok: false, code: 'SANDBOX_GUEST_ERROR' })
  })

  it("passes the node's refusals of fetch and ctx.call to the guest as errors with their codes", async () => {
    const fetched: string[] = []
    const { host } = recordingHost({
      fetch: (url) => {
        fetched.push(url)
        return Promise.reject(
          new MeshError('ADDRESS_NOT_ALLOWED', `"${url}" is not a declared host`),
        )
      },
      call: () =>
        Promise.reject(new MeshError('BUDGET_EXCEEDED', 'The call costs more than the budget')),
    })
    const code = hostile(`
      const seen = []
      try { await fetch('http://127.0.0.1:9/secret') } catch (e) { seen.push(e.code + ' ' + e.message) }
      try { await ctx.call('expensive', {}, { maxPrice: '1000' }) } catch (e) { seen.push(e.code) }
      return seen`)
    expect(await run(code, 'attack', { host })).toMatchObject({
      ok: true,
      output: [
        'ADDRESS_NOT_ALLOWED "http://127.0.0.1:9/secret" is not a declared host',
        'BUDGET_EXCEEDED',
      ],
    })
    expect(fetched).toEqual(['http://127.0.0.1:9/secret'])
    const uncaught = await run(hostile(`await ctx.call('expensive', {})`), 'attack', { host })
    expect(uncaught).toMatchObject({
      ok: false,
      code: 'SANDBOX_GUEST_ERROR',
      message: expect.stringContaining('budget'),
    })
  })

  it('answers a guest fetch the node allows', async () => {
    const { host } = recordingHost({
      fetch: (url, init) =>
        Promise.resolve({
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ url, method: init.method }),
        }),
    })
    const code =
      hostile(`const r = await fetch('https://api.example/x', { method: 'POST', body: '{}' })
      return { ok: r.ok, type: r.headers.get('Content-Type'), body: await r.json() }`)
    expect(await run(code, 'attack', { host })).toMatchObject({
      ok: true,
      output: {
        ok: true,
        type: 'application/json',
        body: { url: 'https://api.example/x', method: 'POST' },
      },
    })
  })

  it('ends a call waiting on the node at its wall limit, and a canceled call', async () => {
    const { host } = recordingHost({ call: () => new Promise(() => undefined) })
    const waiting = await run(hostile(`return await ctx.call('slow', {})`), 'attack', {
      host,
      limits: { wallMs: 300 },
    })
    expect(waiting).toMatchObject({ ok: false, code: 'SANDBOX_WALL_LIMIT' })
    expect(waiting.usage.wallMs).toBeGreaterThanOrEqual(300)
    const controller = new AbortController()
    const canceled = run(hostile('while (true) {}'), 'attack', {
      signal: controller.signal,
      limits: { cpuMs: 10_000, wallMs: 10_000 },
    })
    setImmediate(() => controller.abort())
    expect(await canceled).toMatchObject({
      ok: false,
      code: 'SANDBOX_WALL_LIMIT',
      message: expect.stringContaining('canceled'),
    })
  })

  it('keeps nothing of one call in the next', async () => {
    const code = hostile(
      `const before = globalThis.mark; globalThis.mark = input; Object.prototype.polluted = 1; return { before: before ?? null }`,
    )
    expect(await run(code, 'attack', { input: 'first' })).toMatchObject({
      output: { before: null },
    })
    expect(await run(code, 'attack', { input: 'second' })).toMatchObject({
      output: { before: null },
    })
    expect(await run(code, 'echo', { input: {} })).toMatchObject({ output: { echoed: {} } })
  })

  it('refuses a module that does not load, or loops while loading', async () => {
    await expect(sandbox.inspect('export default 42', limits)).rejects.toMatchObject({
      code: 'SANDBOX_GUEST_ERROR',
    })
    await expect(
      sandbox.inspect('while (true) {}\nexport default 1', limits),
    ).rejects.toMatchObject({
      code: 'SANDBOX_CPU_LIMIT',
    })
    expect(await run(hostile('return 1'), 'missing')).toMatchObject({
      ok: false,
      code: 'SANDBOX_GUEST_ERROR',
      message: expect.stringContaining('missing'),
    })
  })
})
