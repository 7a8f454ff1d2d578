import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { ControlBlock } from './control-block.js'
import { GuestRun } from './guest-run.js'
import type { FromWorker, ToWorker } from './sandbox-messages.js'
import { compileWasm } from './wasm.js'

/**
 * The entry of a sandbox worker thread: compiles the QuickJS WebAssembly module once, then runs
 * the guest jobs the node sends, each on an instance of its own. Several calls may wait on the
 * node (`ctx.call`, `fetch`) at once; only one runs guest code at a time.
 */
async function serveSandboxWorker(port: MessagePort, control: ControlBlock): Promise<void> {
  const path = createRequire(import.meta.url).resolve('@jitl/quickjs-wasmfile-release-sync/wasm')
  const wasm = await compileWasm(await readFile(path))
  const runs = new Map<number, GuestRun>()
  const send = (message: FromWorker) => port.postMessage(message)
  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'job': {
        const { job } = message
        const run = new GuestRun(job, { wasm, control, send })
        runs.set(job.id, run)
        void run.result().then((result) => {
          runs.delete(job.id)
          send({ type: 'done', id: job.id, result })
        })
        break
      }
      case 'host-reply':
        runs.get(message.id)?.settle(message.requestId, message)
        break
      case 'abort':
        runs.get(message.id)?.abort()
        break
    }
  })
  send({ type: 'ready' })
}

if (parentPort !== null) {
  await serveSandboxWorker(parentPort, new ControlBlock(workerData as SharedArrayBuffer))
}
