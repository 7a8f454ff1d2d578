import {
  agentFrameSchemas,
  MeshError,
  type AgentToNodeFrame,
  type NodeToAgentFrame,
} from '@agentmesh/protocol'
import websocket from '@fastify/websocket'
import type { FastifyInstance } from 'fastify'
import type { WebSocket } from 'ws'
import type { AgentConnections, Connection } from './agent-connections.js'
import type { ApiContext } from '../../../api/context.js'
import { jsonLimitProblem } from '../../../api/json-limits.js'
import { createValidators } from '../../../api/validation.js'

export interface GatewayOptions {
  /** Takes a signed offer from an agent for an intent. */
  onOffer: (agentId: string, intentId: string, terms: string) => Promise<void>
  /** Largest frame accepted from an agent. */
  maxFrameBytes: number
  /** How long an agent has to finish signing in. */
  authTimeoutMs: number
  /** Whether an agent DID has a registered card (only registered agents connect). */
  isRegistered: (did: string) => Promise<boolean>
  defaultConcurrency: number
}

/**
 * `GET /v1/agents/connect`: the WebSocket agents work over. The agent says hello with its DID, signs
 * the challenge (as in `/v1/auth/token`), and is bound to its registered DID; then it receives tasks
 * and cancels, and sends progress, results, errors and heartbeats.
 */
export async function agentGateway(
  app: FastifyInstance,
  ctx: ApiContext,
  connections: AgentConnections,
  options: GatewayOptions,
): Promise<void> {
  const ajv = createValidators().body
  const validators = new Map(
    Object.entries(agentFrameSchemas).map(([type, schema]) => [type, ajv.compile(schema)]),
  )
  /** Why a frame is refused, or undefined for a frame the gateway reads. */
  const frameProblem = (frame: unknown): string | undefined => {
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
      return 'Frame is not a JSON object'
    }
    const type = (frame as { type?: unknown }).type
    const validate = typeof type === 'string' ? validators.get(type) : undefined
    if (typeof type !== 'string' || !validate) {
      return `Frame type "${String(type)}" is not one the gateway accepts`
    }
    const limit = jsonLimitProblem(frame)
    if (limit) return `Frame "${type}" at "${limit.path}" ${limit.message}`
    if (validate(frame)) return undefined
    const first = validate.errors?.[0]
    return `Frame "${type}" at "${first?.instancePath || '/'}" ${first?.message ?? 'is invalid'}`
  }
  await app.register(websocket, { options: { maxPayload: options.maxFrameBytes } })
  app.get(
    '/v1/agents/connect',
    { websocket: true, config: { access: 'public' }, schema: { hide: true } },
    (socket: WebSocket) => {
      const send = (frame: NodeToAgentFrame) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame))
      }
      const fail = (error: MeshError) => {
        send({ type: 'error', error: error.toWire() })
        socket.close(4001, error.code)
      }
      let did: string | undefined
      let nonce: string | undefined
      let concurrency = options.defaultConcurrency
      let connection: Connection | undefined
      const authTimer = setTimeout(
        () => fail(new MeshError('UNAUTHENTICATED', 'Sign in within the time allowed')),
        options.authTimeoutMs,
      )

      socket.on('message', (data: Buffer, isBinary: boolean) => {
        let frame: unknown
        try {
          frame = isBinary ? undefined : JSON.parse(data.toString('utf8'))
        } catch {
          frame = undefined
        }
        const problem = frameProblem(frame)
        if (problem) {
          // A refused answer ends its attempt at once (not as a retryable disconnect).
          const { taskId, attempt } = (frame ?? {}) as { taskId?: unknown; attempt?: unknown }
          if (connection && typeof taskId === 'string' && typeof attempt === 'number') {
            connections.refuse(
              connection,
              taskId,
              attempt,
              new MeshError('INVALID_OUTPUT', problem),
            )
          }
          return fail(new MeshError('INVALID_INPUT', problem))
        }
        void handle(frame as AgentToNodeFrame).catch((error: unknown) => {
          if (!(error instanceof MeshError)) app.log.error({ err: error }, 'agent frame failed')
          fail(error instanceof MeshError ? error : new MeshError('INTERNAL', 'Gateway failed'))
        })
      })

      async function handle(frame: AgentToNodeFrame): Promise<void> {
        if (!connection) {
          if (frame.type === 'hello' && !did) {
            did = frame.did
            concurrency = frame.concurrency ?? concurrency
            const challenge = await ctx.auth.challenge(frame.did)
            nonce = challenge.nonce
            return send({ type: 'challenge', nonce: challenge.nonce, node: challenge.node })
          }
          if (frame.type === 'auth' && did && nonce) {
            const issued = await ctx.auth.login({
              did,
              nonce,
              signature: frame.signature,
              roles: ['agent'],
            })
            if (!(await options.isRegistered(did))) {
              throw new MeshError(
                'AGENT_NOT_FOUND',
                `Agent "${did}" has no registered card: POST /v1/agents first`,
              )
            }
            clearTimeout(authTimer)
            connection = connections.add(
              did,
              { send, close: (code, reason) => socket.close(code, reason) },
              concurrency,
            )
            return send({ type: 'ready', did, token: issued.token })
          }
          throw new MeshError('UNAUTHENTICATED', 'Say hello, then sign the challenge')
        }
        if (frame.type === 'heartbeat') return connections.heartbeat(connection)
        if (frame.type === 'hello' || frame.type === 'auth') return
        if (frame.type === 'offer') {
          // A refused offer is the agent's problem, not the connection's: report it, keep the socket.
          return options
            .onOffer(connection.agentId, frame.intentId, frame.terms)
            .catch((error: unknown) => {
              if (error instanceof MeshError) send({ type: 'error', error: error.toWire() })
            })
        }
        connections.receive(connection, frame)
      }

      socket.on('close', () => {
        clearTimeout(authTimer)
        if (connection) connections.remove(connection)
      })
    },
  )
}
