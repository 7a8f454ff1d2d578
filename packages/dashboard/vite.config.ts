import { defaultClientConditions, defineConfig } from 'vite'

// The dashboard is built into dist/, which the node serves at `/`. Workspace packages resolve to
// their TypeScript sources (the `source` condition), and protocol's `#ed25519` to its browser
// implementation (noble), since the `node` condition is absent in a browser build.
export default defineConfig({
  base: './',
  resolve: { conditions: ['source', ...defaultClientConditions] },
  esbuild: { jsx: 'automatic' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 400 },
  server: {
    // `npm run dev -w packages/dashboard` next to a node on the default port.
    proxy: { '/v1': 'http://127.0.0.1:7420' },
  },
})
