import { createQuickJsSandbox } from '../packages/server/dist/adapters/sandbox/quickjs-sandbox.js'
import { monitorEventLoopDelay } from 'node:perf_hooks'
const h = monitorEventLoopDelay({ resolution: 5 }); 
async function measure(label, work) {
  h.reset(); h.enable(); const t = performance.now(); const r = await work; h.disable()
  console.log(label, 'ms', (performance.now()-t).toFixed(0), 'loop delay max', (h.max/1e6).toFixed(1), 'p99', (h.percentile(99)/1e6).toFixed(1), r?.code ?? r?.ok)
}
const sb = await createQuickJsSandbox({ workers: 2 })
const host = { progress(){}, log(){}, call: async () => 1, fetch: async () => ({}) }
const limits = { memoryBytes: 48<<20, cpuMs: 200, wallMs: 2000, stackBytes: 256<<10 }
const mk = (a) => `import { defineAgent } from '@agentmesh/sdk'; export default defineAgent({ capabilities: [{ id: 'a', handler: async () => { ${a} } }] })`
for (let i = 0; i < 3; i++) {
  await measure('idle 500ms', new Promise(r => setTimeout(r, 500)))
  await measure('cpu', sb.run({ codeHash: 'x', code: mk('while(true){}'), capabilityId: 'a', input: 1, params: {}, limits, signal: new AbortController().signal }, host))
  await measure('mem', sb.run({ codeHash: 'x', code: mk('return new Array(2e8).fill(1).length'), capabilityId: 'a', input: 1, params: {}, limits: {...limits, cpuMs: 5000}, signal: new AbortController().signal }, host))
  await measure('ok', sb.run({ codeHash: 'x', code: mk('return 1'), capabilityId: 'a', input: 1, params: {}, limits, signal: new AbortController().signal }, host))
}
await sb.stop()
