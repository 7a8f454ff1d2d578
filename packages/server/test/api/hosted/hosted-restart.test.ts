import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, expect, it } from 'vitest'
import {
  agentMesh,
  greetCapability,
  greeterCode,
  hostedCard,
  startHostedNode,
} from '../../helpers/hosted-fixture.js'

const dataDir = mkdtempSync(join(tmpdir(), 'agentmesh-hosted-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

it('serves started hosted agents again after a restart, from the stored code; stopped ones stay stopped', async () => {
  const first = await startHostedNode({
    dataDir,
    store: { kind: 'sqlite', filename: join(dataDir, 'agentmesh.db') },
  })
  const started = await agentMesh(first.url)
  const stopped = await agentMesh(first.url)
  let hash: string
  try {
    hash = (
      await started.mesh.hosted.create({
        code: greeterCode('restart.greet'),
        card: hostedCard(started.key, [greetCapability('restart.greet')]),
      })
    ).codeHash
    await stopped.mesh.hosted.create({
      code: greeterCode('restart.idle'),
      card: hostedCard(stopped.key, [greetCapability('restart.idle')]),
    })
    await stopped.mesh.hosted.stop(stopped.key.did)
  } finally {
    await first.stop()
  }
  const second = await startHostedNode({
    dataDir,
    store: { kind: 'sqlite', filename: join(dataDir, 'agentmesh.db') },
  })
  try {
    const client = await Mesh.connect(second.url, { key: generateKeyPair(), roles: ['client'] })
    expect(await client.call('restart.greet', { text: 'again' }, { maxPrice: '0.01' })).toEqual({
      text: 'hello again',
    })
    expect((await client.agent(started.key.did)).online).toBe(true)
    expect((await client.agent(stopped.key.did)).online).toBe(false)
    const owner = await Mesh.connect(second.url, { key: started.key, roles: ['agent'] })
    const view = await owner.hosted.get(started.key.did)
    expect(view).toMatchObject({ state: 'started', codeHash: hash })
    expect(view.usage.calls).toBe(1)
  } finally {
    await second.stop()
  }
}, 60_000)
