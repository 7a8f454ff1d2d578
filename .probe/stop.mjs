import { createQuickJsSandbox } from '../packages/server/dist/adapters/sandbox/quickjs-sandbox.js'
const sb = await createQuickJsSandbox({ workers: 2 })
console.log('started')
await sb.stop()
console.log('stopped')
setTimeout(() => { console.log(process._getActiveHandles().map(h => h.constructor.name)) }, 1000).unref()
