import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * The sandbox worker's script. A worker thread runs JavaScript only, so when the node runs from
 * its TypeScript sources (the tests do), the worker comes from the build beside them (`npx tsc -b`).
 */
export function sandboxWorkerUrl(): URL {
  const here = import.meta.url
  if (!here.endsWith('.ts')) return new URL('./sandbox-worker.js', here)
  const at = here.lastIndexOf('/src/adapters/sandbox/')
  const built = new URL(`${here.slice(0, at)}/dist/adapters/sandbox/sandbox-worker.js`)
  if (!existsSync(fileURLToPath(built))) {
    throw new Error(`The sandbox worker is not built (${fileURLToPath(built)}): run npx tsc -b`)
  }
  return built
}
