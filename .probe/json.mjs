import fs from 'node:fs'
import { newQuickJSWASMModuleFromVariant, newVariant } from 'quickjs-emscripten-core'
import variant from '@jitl/quickjs-wasmfile-release-sync'
const mod = new WebAssembly.Module(fs.readFileSync('node_modules/@jitl/quickjs-wasmfile-release-sync/dist/emscripten-module.wasm'))
const memory = new WebAssembly.Memory({ initial: 256, maximum: 768 })
const q = await newQuickJSWASMModuleFromVariant(newVariant(variant, { wasmModule: mod, wasmMemory: memory }))
const rt = q.newRuntime(); rt.setMaxStackSize(256*1024)
const ctx = rt.newContext()
let t = performance.now()
const r1 = ctx.evalCode(`let o = {}; for (let i = 0; i < 2e4; i++) o = { o }; globalThis.o = o; 1`)
console.log('build', performance.now() - t); t = performance.now()
const r2 = ctx.evalCode(`JSON.stringify(o).length`)
console.log('stringify', performance.now() - t, r2.error ? 'err' : 'ok'); t = performance.now()
const d = ctx.dump(r2.error)
console.log('dump', performance.now() - t, String(d.message))
