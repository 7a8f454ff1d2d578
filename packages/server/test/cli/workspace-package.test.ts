import { execFileSync } from 'node:child_process'
import { dirname } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cliPath } from '../helpers/cli.js'

// Plain Node, as the CLI runs: the built file, real module resolution.
const built = new URL('../../dist/import-workspace-package.js', import.meta.url).href

function importIn(name: string): string {
  const script =
    `const { importWorkspacePackage } = await import(${JSON.stringify(built)}); ` +
    `try { await importWorkspacePackage(${JSON.stringify(name)}, ` +
    `{ feature: '"agentmesh bench"', command: 'npm run bench' }); console.log('loaded') } ` +
    `catch (error) { console.log(error.message) }`
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    cwd: dirname(cliPath),
  }).trim()
}

describe('loading a workspace package the node does not depend on', () => {
  it('loads it when it is installed', () => {
    expect(importIn('@agentmesh/bench')).toBe('loaded')
  })

  it('says which package is missing, what needs it and where to get it', () => {
    expect(importIn('@agentmesh/not-installed')).toBe(
      '"agentmesh bench" needs the package "@agentmesh/not-installed", which is not installed: ' +
        'it comes with the agentmesh repository, not with the agentmesh package ' +
        '(in a clone: npm install, then npm run bench)',
    )
  })

  it('passes on any other failure as it is', () => {
    expect(importIn('data:text/javascript,throw new Error("Broken on import")')).toBe(
      'Broken on import',
    )
  })
})
