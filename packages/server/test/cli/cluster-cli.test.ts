import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ClusterView } from '@agentmesh/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadBar, renderClusterStatus } from '../../src/cli/cluster-status-view.js'
import { runCli, startCliNode } from '../helpers/cli.js'

const home = mkdtempSync(join(tmpdir(), 'agentmesh-cluster-cli-'))
const env = { AGENTMESH_HOME: home, AGENTMESH_URL: '', AGENTMESH_TOKEN: '' }

/** Three nodes as a cluster reports them: one busy, one idle, one draining, one gone. */
const view: ClusterView = {
  nodeId: 'node-b',
  nodes: [
    {
      id: 'node-a',
      did: 'did:key:z6MkA',
      url: 'http://10.0.0.1:7420',
      startedAt: '2025-01-01T00:00:00.000Z',
      lastSeenAt: '2025-01-01T00:10:00.000Z',
      state: 'up',
      agents: ['did:key:z6Mk1', 'did:key:z6Mk2'],
      inFlight: 9,
      capacity: 10,
      load: 0.9,
      leases: 12,
    },
    {
      id: 'node-b',
      did: 'did:key:z6MkB',
      url: 'http://10.0.0.2:7420',
      startedAt: '2025-01-01T00:00:00.000Z',
      lastSeenAt: '2025-01-01T00:10:00.000Z',
      state: 'up',
      agents: [],
      inFlight: 0,
      capacity: 0,
      load: 0,
      leases: 0,
    },
    {
      id: 'node-c',
      did: 'did:key:z6MkC',
      url: 'http://10.0.0.3:7420',
      startedAt: '2025-01-01T00:00:00.000Z',
      lastSeenAt: '2025-01-01T00:09:00.000Z',
      state: 'draining',
      agents: ['did:key:z6Mk3'],
      inFlight: 6,
      capacity: 4,
      load: 1.5,
      leases: 3,
    },
  ],
  load: 0.9,
  recommendation: 'scale_out',
  leases: [
    { taskId: 'task_1', ownerId: 'node-a', epoch: 3, expiresAt: '2025-01-01T00:10:05.000Z' },
    { taskId: 'task_22', ownerId: 'node-c', epoch: 1, expiresAt: '2025-01-01T00:10:07.000Z' },
  ],
}

describe('agentmesh cluster status', () => {
  let node: { child: ChildProcess; url: string; token: string }
  beforeAll(async () => {
    node = await startCliNode(['--memory', '--port', '0', '--no-dashboard'], env)
  })
  afterAll(() => {
    node.child.kill()
    rmSync(home, { recursive: true, force: true })
  })

  it('fails with a one-line reason on a node that is not in a cluster, with or without --json', async () => {
    const runs = await Promise.all(
      [[], ['--json']].map((extra) =>
        runCli(['cluster', 'status', '--url', node.url, '--token', node.token, ...extra], env),
      ),
    )
    for (const result of runs) {
      expect(result.code).toBe(1)
      expect(result.stdout).toBe('')
      expect(result.stderr).toMatch(
        /^agentmesh: Node at ".+" runs in embedded mode, not in a cluster/,
      )
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
    }
  })

  it('renders each node with its state, counts, load bar and leases, marking the one that answered', () => {
    const lines = renderClusterStatus(view).split('\n')
    expect(lines[0]).toMatch(/^NODE\s+URL\s+STATE\s+AGENTS\s+IN-FLIGHT\s+CAPACITY\s+LOAD\s+LEASES$/)
    expect(lines[1]).toMatch(
      /^ node-a\s+http:\/\/10\.0\.0\.1:7420\s+up\s+2\s+9\s+10\s+#########\. 90%\s+12$/,
    )
    expect(lines[2]).toMatch(
      /^\*node-b\s+http:\/\/10\.0\.0\.2:7420\s+up\s+0\s+0\s+0\s+\.{10} 0%\s+0$/,
    )
    expect(lines[3]).toMatch(/^ node-c\s+\S+\s+draining\s+1\s+6\s+4\s+#{10} 150%\s+3$/)
    // Columns line up: every row's LOAD cell starts where the header's does.
    const at = lines[0]!.indexOf('LOAD')
    for (const row of lines.slice(1, 4)) expect(row.slice(at)).toMatch(/^[#.]{10} \d+%/)
    expect(lines).toContain(
      'cluster load #########. 90% over 2 of 3 nodes up: scale out (load above 0.80)',
    )
    expect(lines).toContain('leases (first 2 by expiry):')
    expect(lines.at(-1)).toMatch(/^ {2}task_22\s+node-c\s+1\s+2025-01-01T00:10:07\.000Z$/)
  })

  it('says when no task holds a lease, and advises by the recommendation given', () => {
    const calm = renderClusterStatus({ ...view, leases: [], load: 0.1, recommendation: 'scale_in' })
    expect(calm).toMatch(/scale in \(load below 0\.30\)\nno unfinished task holds a lease$/)
    expect(loadBar(Number.NaN)).toBe('.......... 0%')
    expect(loadBar(0.55)).toBe('######.... 55%')
  })

  it('shows the load forecast under the cluster load', () => {
    const forecast = { load: 0.95, horizonMs: 120_000, trendPerMinute: 0.025 }
    const lines = renderClusterStatus({ ...view, forecast }).split('\n')
    const at = lines.findIndex((line) => line.startsWith('cluster load'))
    expect(lines[at + 1]).toBe('forecast in 120 s: ########## 95% (trend +0.03 per minute)')
  })
})
