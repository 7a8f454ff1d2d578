import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { TaskState, type AgentCard, type Part } from '@a2a-js/sdk'
import {
  AgentEvent,
  DefaultRequestHandler,
  InMemoryTaskStore,
  type AgentExecutor,
} from '@a2a-js/sdk/server'
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express'
import express from 'express'

const data = (value: unknown): Part => ({
  content: { $case: 'data', value },
  metadata: undefined,
  filename: '',
  mediaType: '',
})

/** The one skill an echo server offers, and what it does to the message's data. */
export interface EchoSkill {
  id: string
  name: string
  description: string
  tags: string[]
  /** The artifact's data from the message's (default: the same data back). */
  transform?: (value: unknown) => unknown
}

const echoSkill: EchoSkill = {
  id: 'bench.echo',
  name: 'Echo',
  description: 'Echoes its data',
  tags: ['bench'],
}

/**
 * Answers the message's data part, transformed, as the artifact of a completed task: the same
 * events, in the same order, as a mesh task seen through `/a2a/:agentId` (task, artifact, status).
 */
const echoExecutor = (transform: (value: unknown) => unknown): AgentExecutor => ({
  execute: (context, bus) => {
    const part = context.userMessage.parts.find((p) => p.content?.$case === 'data')
    const ids = { taskId: context.taskId, contextId: context.contextId }
    const status = (state: TaskState) => ({ state, message: undefined, timestamp: undefined })
    bus.publish(
      AgentEvent.task({
        id: context.taskId,
        contextId: context.contextId,
        status: status(TaskState.TASK_STATE_WORKING),
        artifacts: [],
        history: [context.userMessage],
        metadata: undefined,
      }),
    )
    bus.publish(
      AgentEvent.artifactUpdate({
        ...ids,
        artifact: {
          artifactId: 'result',
          name: 'result',
          description: '',
          parts: [data(transform(part?.content?.value ?? {}))],
          metadata: undefined,
          extensions: [],
        },
        append: false,
        lastChunk: true,
        metadata: undefined,
      }),
    )
    bus.publish(
      AgentEvent.statusUpdate({
        ...ids,
        status: status(TaskState.TASK_STATE_COMPLETED),
        metadata: undefined,
      }),
    )
    bus.finished()
    return Promise.resolve()
  },
  cancelTask: () => Promise.resolve(),
})

function echoCard(base: string, skill: EchoSkill): AgentCard {
  return {
    name: skill.name,
    description: skill.description,
    supportedInterfaces: [
      { url: `${base}/rpc`, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '1.0' },
    ],
    provider: undefined,
    version: '1.0.0',
    capabilities: { streaming: false, pushNotifications: false, extensions: [] },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ['application/json'],
    defaultOutputModes: ['application/json'],
    skills: [
      {
        id: skill.id,
        name: skill.name,
        description: skill.description,
        tags: skill.tags,
        examples: [],
        inputModes: [],
        outputModes: [],
        securityRequirements: [],
      },
    ],
    signatures: [],
  }
}

/** A running official A2A server: its base URL and its card's URL. */
export interface A2AEchoServer {
  url: string
  cardUrl: string
  close(): Promise<void>
}

/**
 * The official `@a2a-js/sdk` server — its express JSON-RPC handler, default request handler and
 * in-memory task store — with an echo executor, on a loopback port: the baseline the mesh's A2A
 * endpoint is measured against, and the external agent the import tests bring into the mesh.
 */
export async function startA2AEchoServer(skill: EchoSkill = echoSkill): Promise<A2AEchoServer> {
  const app = express()
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const card = echoCard(url, skill)
  const executor = echoExecutor(skill.transform ?? ((value) => value))
  const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor)
  app.use(
    '/.well-known/agent-card.json',
    agentCardHandler({ agentCardProvider: () => Promise.resolve(card) }),
  )
  app.use(
    '/rpc',
    jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }),
  )
  return {
    url,
    cardUrl: `${url}/.well-known/agent-card.json`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
