import { createQuickJsSandbox } from '../packages/server/dist/adapters/sandbox/quickjs-sandbox.js'
const sb = await createQuickJsSandbox({ workers: 1, maxJobs: 5000, graceMs: 500 })
const host = { progress(){}, log(){}, call: async () => 1, fetch: async () => ({}) }
const limits = { memoryBytes: 48<<20, cpuMs: 200, wallMs: 2000, stackBytes: 256<<10 }
const mk = (a) => `import { defineAgent } from '@agentmesh/sdk'; export default defineAgent({ capabilities: [{ id: 'a', handler: async () => { ${a} } }] })`
const cases = {
  str1: [`let s = 'x'; for (;;) { s = s + s; s.charCodeAt(s.length - 1) }`, { memoryBytes: 32<<20, cpuMs: 5000, wallMs: 8000 }],
  str2: [`let s = 'x'; for (;;) { s = (s + s).slice(1) + 'y' }`, { memoryBytes: 32<<20, cpuMs: 5000, wallMs: 8000 }],
  str3: [`let s = 'x'; for (;;) { s = s + s; s.indexOf('y') }`, { memoryBytes: 32<<20, cpuMs: 5000, wallMs: 8000 }],
  obj: [`const o = {}; for (let i = 0; ; i++) o['k' + i] = { i, s: 'v' + i, a: [i, i] }`, { memoryBytes: 24<<20, cpuMs: 5000, wallMs: 8000 }],
  arr: [`return new Array(2e8).fill(1).length`, { memoryBytes: 32<<20, cpuMs: 5000, wallMs: 8000 }],
}
for (const [name, [code, l]] of Object.entries(cases)) {
  const t = performance.now()
  const r = await sb.run({ codeHash: 'x', code: mk(code), capabilityId: 'a', input: 1, params: {}, limits: { ...limits, ...l }, signal: new AbortController().signal }, host)
  console.log(name, (performance.now() - t).toFixed(0), JSON.stringify(r))
}
await sb.stop()
