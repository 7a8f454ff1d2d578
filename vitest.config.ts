import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    // Asks for workspace packages' TypeScript sources; Vite 7's server-side resolver does not
    // apply it, so tests load packages from dist and `npm test` builds first.
    conditions: ['source'],
    // The node loads federation with a dynamic import: point it at the sources too.
    alias: {
      '@agentmesh/federation': fileURLToPath(
        new URL('./packages/federation/src/index.ts', import.meta.url),
      ),
      // fl the same way; its `/digits` entry first, as an alias also matches what starts with it.
      '@agentmesh/fl/digits': fileURLToPath(
        new URL('./packages/fl/src/digits.ts', import.meta.url),
      ),
      '@agentmesh/fl': fileURLToPath(new URL('./packages/fl/src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Many tests wait on child processes, sockets and a browser: CI used 1.2 of 2 cores with two
    // workers, so a third keeps them busy.
    maxWorkers: 3,
    minWorkers: 1,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
})
