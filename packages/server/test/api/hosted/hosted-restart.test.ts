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

/** A second capability that logs 150 lines in one call ("TEXT 0" to "TEXT 149"). */
const CHATTY = `
    {
      id: 'restart.chatty',
      handler: async (input) => {
        for (let i = 0; i < 150; i++) console.log(input.text + ' ' + i)
        return { text: input.text }
      },
    },`

const dataDir = mkdtempSync(join(tmpdir(), 'agentmesh-hosted-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

it('serves started hosted agents again after a restart, from the stored code, with their logs; stopped ones stay stopped', async () => {
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
        code: greeterCode('restart.greet', CHATTY),
        card: hostedCard(started.key, [
          greetCapability('restart.greet'),
          greetCapability('restart.chatty'),
        ]),
      })
    ).codeHash
    await stopped.mesh.hosted.create({
      code: greeterCode('restart.idle'),
      card: hostedCard(stopped.key, [greetCapability('restart.idle')]),
    })
    await stopped.mesh.hosted.stop(stopped.key.did)
    const caller = await Mesh.connect(first.url, { key: generateKeyPair(), roles: ['client'] })
    await caller.call('restart.greet', { text: 'before' }, { maxPrice: '0.01' })
    await caller.call('restart.chatty', { text: 'a' }, { maxPrice: '0.01' })
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
    await client.call('restart.chatty', { text: 'b' }, { maxPrice: '0.01' })
    expect((await owner.hosted.get(started.key.did)).usage.calls).toBe(4)
    // The log lines are kept in the store, the newest 200: 49 logged before the restart.
    const lines = await owner.hosted.logs(started.key.did, 1000)
    const messages = lines.map((l) => l.message)
    expect(messages).toHaveLength(200)
    expect(messages.slice(0, 2)).toEqual(['a 101', 'a 102'])
    expect(messages.slice(48, 52)).toEqual(['a 149', 'greeting again', 'b 0', 'b 1'])
    expect(messages.at(-1)).toBe('b 149')
    expect(lines.every((l) => l.level === 'info' && !Number.isNaN(Date.parse(l.at)))).toBe(true)
  } finally {
    await second.stop()
  }
}, 60_000)
