import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { setPriority } from 'node:os'
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { ControlBlock } from './control-block.js'
import { GuestRun } from './guest-run.js'
import type { FromWorker, GuestJob, ToWorker } from './sandbox-messages.js'
import { compileWasm, type WasmModule } from './wasm.js'

const SANDBOX_NICE = 10

const WARM_UP_AGENT = `import { defineAgent } from '@agentmesh/sdk'
export default defineAgent({ capabilities: [{ id: 'warm', handler: async (n) => ({ n: [n].map((x) => x + 1)[0] }) }] })`

const CALIBRATION_AGENT = `import { defineAgent } from '@agentmesh/sdk'
export default defineAgent({ capabilities: [{ id: 'spin', handler: () => { for (;;) {} } }] })`

/**
 * Runs guests before the worker says it is ready: once to let V8 compile the engine's functions
 * (on their first call, which would otherwise count against the first guest), then a few spins
 * to measure what an interrupt tick costs here; the fastest spin wins (the others waited).
 */
async function calibrate(wasm: WasmModule, control: ControlBlock): Promise<number> {
  await warmUp(wasm, control, WARM_UP_AGENT, 'warm', Number.POSITIVE_INFINITY)
  let msPerTick = Number.POSITIVE_INFINITY
  for (let i = 0; i < 3; i++) {
    const spin = await warmUp(wasm, control, CALIBRATION_AGENT, 'spin', 1e-6)
    msPerTick = Math.min(msPerTick, spin)
  }
  return msPerTick
}

/** Runs one guest on the engine; answers the time per tick it saw. */
async function warmUp(
  wasm: WasmModule,
  control: ControlBlock,
  code: string,
  capabilityId: string,
  msPerTick: number,
): Promise<number> {
  const wallMs = capabilityId === 'spin' ? 30 : 60_000
  const job: GuestJob = {
    id: 0,
    slot: 0,
    mode: 'run',
    code,
    capabilityId,
    inputJson: '1',
    paramsJson: '{}',
    limits: { memoryBytes: 32 * 1024 * 1024, cpuMs: 60_000, wallMs, stackBytes: 256 * 1024 },
    maxJobs: 100,
    maxOutputBytes: 100,
  }
  const run = new GuestRun(job, { wasm, control, send: () => undefined, msPerTick })
  const result = await run.result()
  control.reset(0)
  if (capabilityId === 'warm' && !result.ok) {
    throw new Error(`The sandbox engine fails to run a guest: ${result.message}`)
  }
  return run.msPerTickSeen
}

/**
 * The entry of a sandbox worker thread: compiles the QuickJS WebAssembly module once, then runs
 * the guest jobs the node sends, each on an instance of its own. Several calls may wait on the
 * node (`ctx.call`, `fetch`) at once; only one runs guest code at a time.
 */
async function serveSandboxWorker(port: MessagePort, control: ControlBlock): Promise<void> {
  const path = createRequire(import.meta.url).resolve('@jitl/quickjs-wasmfile-release-sync/wasm')
  const wasm = await compileWasm(await readFile(path))
  // On Linux a thread's nice value is its own: guests yield the CPU to the node's event loop.
  try {
    setPriority(SANDBOX_NICE)
  } catch {
    // not allowed here: guests then compete as equals, still bounded by their limits
  }
  const msPerTick = await calibrate(wasm, control)
  const runs = new Map<number, GuestRun>()
  const send = (message: FromWorker) => port.postMessage(message)
  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'job': {
        const { job } = message
        const run = new GuestRun(job, { wasm, control, send, msPerTick })
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
