/**
 * `verify: {mode: "validator"}` through HTTP with SDK agents: only a principal that may validate
 * (the validator role, or a live validator permission) answers, never the task's own provider.
 */
import { generateKeyPair, type Capability, type KeyPair, type Role } from '@agentmesh/protocol'
import {
  defineAgent,
  Mesh,
  type Agent,
  type AgentCapability,
  type TaskContext,
} from '@agentmesh/sdk'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { echo, echoCapability } from '../helpers/agents.js'
import { startTestNode } from '../helpers/test-node.js'
import { waitUntil } from '../helpers/wait-until.js'

/** A validator capability: free, answering `{accept}` about `{capability, input, output}`. */
function checkCapability(id: string, amount = '0'): Capability {
  return {
    id,
    description: `Checks an output (${id})`,
    tags: ['test'],
    input: { type: 'object' },
    output: { type: 'object', properties: { accept: { type: 'boolean' } }, required: ['accept'] },
    pricing: { model: 'per_call', amount, currency: 'USD' },
    sla: { timeoutMs: 2000 },
  }
}

describe('validators over HTTP', () => {
  let node: RunningNode
  let admin: Mesh
  let client: Mesh
  const started: Agent[] = []

  beforeAll(async () => {
    node = await startTestNode({ grant: { amount: '100', currency: 'USD' } })
    admin = await Mesh.connect(node.url, { token: node.adminToken })
    client = await Mesh.connect(node.url, { key: generateKeyPair() })
  })
  afterEach(async () => {
    await Promise.all(started.splice(0).map((agent) => agent.close()))
  })
  afterAll(async () => {
    await client.close()
    await admin.close()
    await node.stop()
  })

  /** Starts an SDK agent; with `roles`, an admin registers its key with them first. */
  async function agent(
    capabilities: [Capability, (input: never, ctx: TaskContext) => unknown][],
    roles?: Role[],
  ): Promise<{ key: KeyPair; calls: () => number }> {
    const key = generateKeyPair()
    if (roles) await admin.setRoles(key.did, roles)
    let calls = 0
    const sdkAgent = defineAgent({
      name: `agent-${capabilities[0]![0].id}`,
      description: 'A test agent',
      concurrency: 4,
      capabilities: capabilities.map(
        ([capability, handler]) =>
          ({
            ...capability,
            handler: (input: never, ctx: TaskContext) => {
              calls++
              return handler(input, ctx)
            },
          }) as AgentCapability,
      ),
    })
    await sdkAgent.connect(node.url, { key, reconnect: false })
    started.push(sdkAgent)
    return { key, calls: () => calls }
  }

  const accept = () => ({ accept: true })
  const reject = () => ({ accept: false })
  const submit = (capability: string, validator: string) =>
    client.submit(
      capability,
      { text: 'hi' },
      { maxPrice: '0.01', verify: { mode: 'validator', capability: validator }, wait: 10_000 },
    )

  it('refuses at submission a task whose only validator is its own provider', async () => {
    const before = await client.account(`${(await client.whoami()).did}:USD`)
    const both = await agent(
      [
        [echoCapability('self.echo'), echo],
        [checkCapability('self.check'), accept],
      ],
      ['agent', 'validator'],
    )
    const refused = submit('self.echo', 'self.check')
    await expect(refused).rejects.toMatchObject({
      code: 'NO_VALIDATOR',
      message: expect.stringContaining(`"${both.key.did}" is the task's only provider`),
    })
    expect(both.calls()).toBe(0)
    // Nothing was reserved for the refused task.
    const after = await client.account(`${(await client.whoami()).did}:USD`)
    expect(after.available).toEqual(before.available)
  })

  it('refuses a validator capability served by an agent without the validator role', async () => {
    await agent([[echoCapability('plain.echo'), echo]])
    const impostor = await agent([[checkCapability('plain.check'), accept]])
    await expect(submit('plain.echo', 'plain.check')).rejects.toMatchObject({
      code: 'NO_VALIDATOR',
      message: expect.stringContaining(`"${impostor.key.did}" is not a validator of "plain.check"`),
    })
    expect(impostor.calls()).toBe(0)
  })

  it('accepts a validator holding the role and never asks an ineligible one ranked above it', async () => {
    const provider = await agent([[echoCapability('ok.echo'), echo]])
    const impostor = await agent([[checkCapability('ok.check', '0'), reject]])
    const validator = await agent(
      [[checkCapability('ok.check', '0.001'), accept]],
      ['agent', 'validator'],
    )
    // The cheaper impostor ranks first: a choice by rank alone would ask it.
    const ranked = await node.discovery.candidates({ capabilityId: 'ok.check' })
    expect(ranked[0]!.agentId).toBe(impostor.key.did)
    for (let i = 0; i < 3; i++) {
      const task = await submit('ok.echo', 'ok.check')
      expect(task.state).toBe('completed')
      expect(task.settlement).toMatchObject({ state: 'posted', payee: provider.key.did })
    }
    expect(validator.calls()).toBe(3)
    expect(impostor.calls()).toBe(0)
  })

  it('checks the validator again at run time: one whose role was taken away is skipped', async () => {
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    let started!: () => void
    const running = new Promise<void>((resolve) => (started = resolve))
    await agent([
      [
        echoCapability('late.echo'),
        async (input: { text: string }) => {
          started()
          await released
          return input
        },
      ],
    ])
    const validator = await agent([[checkCapability('late.check'), accept]], ['agent', 'validator'])
    const pending = submit('late.echo', 'late.check')
    await running
    await admin.setRoles(validator.key.did, ['agent'])
    release()
    const task = await pending
    expect(task.state).toBe('failed')
    expect(task.error).toMatchObject({ code: 'NO_VALIDATOR' })
    expect(task.settlement.state).toBe('voided')
    expect(validator.calls()).toBe(0)
  })

  it('a validator permission lets an agent validate one capability until it expires', async () => {
    await agent([[echoCapability('perm.echo'), echo]])
    const granted = await agent([
      [checkCapability('perm.check'), accept],
      [checkCapability('perm.other'), accept],
    ])
    const expiresAtMs = Date.now() + 1500
    const permission = await admin.grantPermission(granted.key.did, {
      resource: 'validator',
      action: 'validate',
      scope: { capability: 'perm.check' },
      expiresAt: new Date(expiresAtMs).toISOString(),
    })
    expect(await submit('perm.echo', 'perm.check')).toMatchObject({ state: 'completed' })
    // Outside the permission's scope: not a validator of that capability.
    await expect(submit('perm.echo', 'perm.other')).rejects.toMatchObject({
      code: 'NO_VALIDATOR',
    })
    // Expired: refused by the running node, no restart.
    await waitUntil(() => Date.now() > expiresAtMs, { what: 'the permission to expire' })
    await expect(submit('perm.echo', 'perm.check')).rejects.toMatchObject({
      code: 'NO_VALIDATOR',
      message: expect.stringContaining('is not a validator of "perm.check"'),
    })
    expect(await admin.permissions(granted.key.did)).toEqual([
      expect.objectContaining({ id: permission.id, expired: true }),
    ])
    expect(granted.calls()).toBe(1)
  })
})
