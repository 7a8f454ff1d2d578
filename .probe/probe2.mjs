import fs from 'node:fs'
import { newQuickJSWASMModuleFromVariant, newVariant, shouldInterruptAfterDeadline } from 'quickjs-emscripten-core'
import variant from '@jitl/quickjs-wasmfile-release-sync'
const bytes = fs.readFileSync('node_modules/@jitl/quickjs-wasmfile-release-sync/dist/emscripten-module.wasm')
const mod = new WebAssembly.Module(bytes)
async function make(maxMb, initMb=16) {
  const memory = new WebAssembly.Memory({ initial: initMb*16, maximum: maxMb * 16 })
  const t = performance.now()
  const q = await newQuickJSWASMModuleFromVariant(newVariant(variant, { wasmModule: mod, wasmMemory: memory }))
  return { q, memory, ms: performance.now() - t }
}
for (let i = 0; i < 5; i++) { const { ms, memory } = await make(64); console.log('instantiate ms', ms.toFixed(2), memory.buffer.byteLength) }
const tests = {
  rec: `function f(n){return f(n+1)+1} f(0)`,
  rec2: `let d=0; function f(n){d=n; return [1].map(()=>f(n+1))} try { f(0) } catch(e) { String(e) + d }`,
}
for (const [name, code] of Object.entries(tests)) {
  const { q, memory } = await make(64)
  const rt = q.newRuntime()
  rt.setMemoryLimit(48 * 1024 * 1024)
  rt.setMaxStackSize(Number(process.env.STACK))
  let ticks = 0
  const deadline = Date.now() + 300
  rt.setInterruptHandler(() => { ticks++; return Date.now() > deadline })
  const ctx = rt.newContext()
  const t = performance.now()
  try {
    const r = ctx.evalCode(code)
    if (r.error) { const e = ctx.dump(r.error); r.error.dispose(); console.log(name, 'guest error', JSON.stringify(e).slice(0,150)) }
    else { console.log(name, 'ok', ctx.dump(r.value)); r.value.dispose() }
    ctx.dispose(); rt.dispose()
  } catch (e) { console.log(name, 'HOST THROW', e?.constructor?.name, String(e).slice(0,150)) }
  console.log('   ms', (performance.now()-t).toFixed(0), 'ticks', ticks, 'mem', memory.buffer.byteLength/1e6)
}
