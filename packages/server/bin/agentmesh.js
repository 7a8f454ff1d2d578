#!/usr/bin/env node
// The `agentmesh` command. A committed file, so `npm ci` links the bin before anything is built;
// it runs the built CLI, or says how to build it.
import { existsSync } from 'node:fs'

const main = new URL('../dist/cli/main.js', import.meta.url)

if (existsSync(main)) {
  await import(main.href)
} else {
  process.stderr.write(
    'agentmesh: the CLI is not built yet (packages/server/dist/cli/main.js is missing): ' +
      'run "npm run build" (or "npm start") in the agentmesh checkout first\n',
  )
  process.exitCode = 1
}
