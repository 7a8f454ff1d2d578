import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import type { NodeConfig, RunningNode } from '../../src/node.js'
import { startTestNode, type ApiBody } from '../helpers/test-node.js'

/** A node with two ordinary clients (alice, bob) and an admin, each granted 100 USD. */
export interface SecurityFixture {
  node: RunningNode
  alice: Mesh
  aliceDid: string
  bob: Mesh
  bobDid: string
  admin: Mesh
  /** One HTTP call with a bearer token; answers status, parsed body and headers. */
  call(
    method: string,
    path: string,
    token: string | undefined,
    body?: unknown,
  ): Promise<{ status: number; body: ApiBody; headers: Headers }>
  close(): Promise<void>
}

export async function securityFixture(
  overrides: Partial<NodeConfig> = {},
): Promise<SecurityFixture> {
  const node = await startTestNode({ grant: { amount: '100', currency: 'USD' }, ...overrides })
  const aliceKey = generateKeyPair()
  const bobKey = generateKeyPair()
  const alice = await Mesh.connect(node.url, { key: aliceKey })
  const bob = await Mesh.connect(node.url, { key: bobKey })
  const admin = await Mesh.connect(node.url, { token: node.adminToken })
  return {
    node,
    alice,
    aliceDid: aliceKey.did,
    bob,
    bobDid: bobKey.did,
    admin,
    call: async (method, path, token, body) => {
      const response = await fetch(`${node.url}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body === undefined
          ? {}
          : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      })
      const text = await response.text()
      return {
        status: response.status,
        body: text ? JSON.parse(text) : undefined,
        headers: response.headers,
      }
    },
    close: async () => {
      await Promise.all([alice.close(), bob.close(), admin.close()])
      await node.stop()
    },
  }
}
