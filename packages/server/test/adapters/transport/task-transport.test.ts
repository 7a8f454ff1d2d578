import { MeshError, type NodeToAgentFrame } from '@agentmesh/protocol'
import { afterAll, describe, expect, it } from 'vitest'
import { startA2AEchoServer } from '../../../../bench/src/a2a-echo-server.js'
import { FederationSlot } from '../../../src/adapters/transport/federation/federation-slot.js'
import { NodeAgentRouter } from '../../../src/adapters/transport/node-agent-router.js'
import { RouterTransport } from '../../../src/adapters/transport/router-transport.js'
import { AgentConnections } from '../../../src/adapters/transport/websocket/agent-connections.js'
import type { TaskTransport } from '../../../src/core/ports/task-transport.js'
import type { RunningNode } from '../../../src/node.js'
import { startTestNode } from '../../helpers/test-node.js'
import { taskTransportContract, transportChecks } from './task-transport-contract.js'

const ECHO = 'did:key:z6MkechoAgentOfTheContract'

/** WebSocket connections with one agent on a fake socket that echoes each task's input. */
function echoConnections(): AgentConnections {
  const connections = new AgentConnections()
  const connection = connections.add(
    ECHO,
    {
      send(frame: NodeToAgentFrame) {
        if (frame.type !== 'task') return
        const { taskId, attempt, input } = frame
        setImmediate(() =>
          connections.receive(connection, { type: 'result', taskId, attempt, output: input }),
        )
      },
      close() {},
    },
    4,
  )
  return connections
}

const notImported = {
  urlOf: () => undefined,
  dispatch: () => Promise.reject(new Error('no agent is imported')),
}

taskTransportContract('websocket', () =>
  Promise.resolve({ transport: echoConnections(), echoAgentId: ECHO }),
)

taskTransportContract('router', () => {
  const sockets = echoConnections()
  const transport = new RouterTransport(new NodeAgentRouter(sockets, notImported), {
    'local-socket': sockets,
    'a2a-http': notImported,
    sandbox: notImported,
    'federation-peer': new FederationSlot(),
  })
  return Promise.resolve({ transport, echoAgentId: ECHO })
})

const closers: (() => Promise<void>)[] = []
afterAll(async () => {
  for (const close of closers.reverse()) await close()
})

taskTransportContract('a2a-http, to an @a2a-js/sdk server', async () => {
  const external = await startA2AEchoServer()
  closers.push(() => external.close())
  const node: RunningNode = await startTestNode({
    outbound: { allowPrivate: true, timeoutMs: 5000, maxResponseBytes: 1024 * 1024 },
  })
  closers.push(() => node.stop())
  const { agentId } = await node.context.imports.import(
    { did: node.did, roles: ['admin'] },
    { cardUrl: external.cardUrl, price: { amount: '0.01', currency: 'USD' }, timeoutMs: 5000 },
  )
  return { transport: node.context.imports, echoAgentId: agentId }
})

describe('the TaskTransport contract catches broken implementations', () => {
  const flawed: Record<string, TaskTransport> = {
    'answers an attempt with another attempt’s output': {
      dispatch: () => Promise.resolve({ output: { n: 1 } }),
    },
    'fails an unknown agent with a non-retryable error': {
      dispatch: (agentId, dispatch) =>
        agentId === ECHO
          ? Promise.resolve({ output: dispatch.input })
          : Promise.reject(new MeshError('INTERNAL', 'Lost')),
    },
  }
  const checkFor: Record<string, string> = {
    'answers an attempt with another attempt’s output': 'keeps concurrent attempts apart',
    'fails an unknown agent with a non-retryable error': 'fails an attempt to an agent it does not',
  }
  for (const [flaw, transport] of Object.entries(flawed)) {
    it(`fails a transport that ${flaw}`, async () => {
      const check = transportChecks.find((c) => c.name.startsWith(checkFor[flaw]!))!
      await expect(check.run({ transport, echoAgentId: ECHO })).rejects.toThrow()
    })
  }
})
