const FIELDS = 3
const ABORT = 0
const MEMORY_PAGES = 1
const CPU_MS = 2

/**
 * Memory shared by the node's thread and one sandbox worker, a few integers per call slot. A guest
 * busy in a loop leaves its worker's message queue unread, so the node asks it to stop through
 * this block (read by the interrupt handler), and the worker leaves here what the call used so
 * far, which the node bills if it has to kill the worker.
 */
export class ControlBlock {
  readonly buffer: SharedArrayBuffer
  readonly #cells: Int32Array

  constructor(slotsOrBuffer: number | SharedArrayBuffer) {
    this.buffer =
      typeof slotsOrBuffer === 'number'
        ? new SharedArrayBuffer(slotsOrBuffer * FIELDS * Int32Array.BYTES_PER_ELEMENT)
        : slotsOrBuffer
    this.#cells = new Int32Array(this.buffer)
  }

  /** Clears a slot for a new call. */
  reset(slot: number): void {
    for (let i = 0; i < FIELDS; i++) Atomics.store(this.#cells, slot * FIELDS + i, 0)
  }

  abort(slot: number): void {
    Atomics.store(this.#cells, slot * FIELDS + ABORT, 1)
  }

  aborted(slot: number): boolean {
    return Atomics.load(this.#cells, slot * FIELDS + ABORT) === 1
  }

  /** Records the call's usage so far (memory in 64 KiB WebAssembly pages). */
  record(slot: number, memoryBytes: number, cpuMs: number): void {
    Atomics.store(this.#cells, slot * FIELDS + MEMORY_PAGES, Math.ceil(memoryBytes / 65_536))
    Atomics.store(this.#cells, slot * FIELDS + CPU_MS, Math.ceil(cpuMs))
  }

  /** The usage the worker last recorded for a slot. */
  recorded(slot: number): { memoryBytes: number; cpuMs: number } {
    return {
      memoryBytes: Atomics.load(this.#cells, slot * FIELDS + MEMORY_PAGES) * 65_536,
      cpuMs: Atomics.load(this.#cells, slot * FIELDS + CPU_MS),
    }
  }
}
