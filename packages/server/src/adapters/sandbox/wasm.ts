/**
 * The two WebAssembly calls the sandbox makes, typed here because the node's TypeScript libraries
 * (ES2023 and Node's types) do not declare the WebAssembly global.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer
}

/** A compiled WebAssembly module, instantiated once per call. */
export type WasmModule = object

interface WasmGlobal {
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory
  compile(bytes: Uint8Array): Promise<WasmModule>
}

const wasm = () => (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly

/** A memory of `initial` 64 KiB pages that can never grow past `maximum`. */
export function newWasmMemory(initial: number, maximum: number): WasmMemory {
  return new (wasm().Memory)({ initial, maximum })
}

export function compileWasm(bytes: Uint8Array): Promise<WasmModule> {
  return wasm().compile(bytes)
}
