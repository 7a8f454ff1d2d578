import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { suiteNames } from '../src/index.js'

// The server's built CLI; `npm test` builds before it runs the tests.
const cli = fileURLToPath(new URL('../../server/dist/cli/main.js', import.meta.url))

describe('the bench suites', () => {
  it('are the ones `agentmesh bench --help` lists, which it names without loading the bench', () => {
    const help = execFileSync(process.execPath, [cli, 'bench', '--help'], { encoding: 'utf8' })
    expect(suiteNames).toEqual([
      'crypto',
      'tasks',
      'ledger',
      'registry',
      'pipelines',
      'a2a',
      'sandbox',
      'federation',
      'fl',
      'cluster',
      'soak',
    ])
    expect(help.replace(/\s+/g, ' ')).toContain(`comma-separated suites (${suiteNames.join(', ')})`)
  })
})
