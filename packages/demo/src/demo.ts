import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { generateKey, loadKey, saveKey, type KeyPair } from '@agentmesh/sdk'
import { demoAgents } from './demo-agents.js'
import { startDemoJob, startLearners, type DemoLearners } from './demo-learning.js'
import { DemoTraffic, type DemoLogger } from './demo-traffic.js'

/** What the demo needs from the node it runs on. */
export interface DemoHost {
  url: string
  logger: DemoLogger
  /**
   * Moves `amount` USD of demo credit from the node's own account to `did`'s; the same `id`
   * moves it once.
   */
  fund(did: string, amount: string, id: string): Promise<void>
  /**
   * Gives `did` the validator role; with it the demo runs federated learning too (trainers,
   * validators and, with traffic, a job of its client's).
   */
  makeValidator?(did: string): Promise<void>
}

export interface DemoOptions {
  /** Whether the demo client sends its steady flow of tasks. */
  traffic: boolean
  /** Mean time between demo jobs (default 1500 ms). */
  intervalMs?: number
  /** Where the demo keeps its keys, so a restarted node has the same agents; fresh keys without. */
  keysDir?: string | undefined
  random?: () => number
}

/** A running demo: its agents, its client, and how to stop them. */
export interface RunningDemo {
  agents: { name: string; did: string }[]
  /** The demo client's DID, when traffic is on. */
  clientDid: string | undefined
  /** The federated-learning trainers and validators, when the host makes validators. */
  learners: { name: string; did: string }[]
  stop(): Promise<void>
}

/** Credit given to the demo client when its balance runs out. */
export const DEMO_CREDIT = '20'

function demoKey(keysDir: string | undefined, name: string): KeyPair {
  if (!keysDir) return generateKey()
  const file = join(keysDir, `${name}.json`)
  if (existsSync(file)) return loadKey(file)
  const key = generateKey()
  saveKey(file, key)
  return key
}

/**
 * Starts the demo on a node: connects its agents (through the SDK, over the node's own URL) and,
 * with `traffic`, a client with credit that keeps a light flow of tasks going until `stop()`.
 */
export async function startDemo(host: DemoHost, options: DemoOptions): Promise<RunningDemo> {
  const random = options.random ?? Math.random
  const agents = demoAgents(random).map((agent) => ({
    agent,
    key: demoKey(options.keysDir, agent.definition.name),
  }))
  let traffic: DemoTraffic | undefined
  let learners: DemoLearners | undefined
  const stop = async () => {
    await traffic?.stop()
    await Promise.all(agents.map(({ agent }) => agent.close()))
    await Promise.all(learners?.agents.map(({ agent }) => agent.close()) ?? [])
  }
  try {
    // Side by side: each agent signs in, registers its card and opens its socket.
    const connecting = await Promise.allSettled(
      agents.map(({ agent, key }) =>
        agent.connect(host.url, {
          key,
          onError: (error) =>
            host.logger.debug({ err: error, agent: agent.definition.name }, 'demo agent error'),
        }),
      ),
    )
    const failed = connecting.find((result) => result.status === 'rejected')
    if (failed) throw failed.reason
    if (options.traffic) {
      const key = demoKey(options.keysDir, 'demo-client')
      let topUps = 0
      traffic = new DemoTraffic({
        url: host.url,
        key,
        fund: () =>
          host.fund(key.did, DEMO_CREDIT, `demo-credit:${key.did}:${Date.now()}:${++topUps}`),
        logger: host.logger,
        intervalMs: options.intervalMs ?? 1500,
        maxInFlight: 4,
        random,
      })
      await traffic.start()
      if (host.makeValidator) {
        const keyOf = (name: string) => demoKey(options.keysDir, name)
        const makeValidator = (did: string) => host.makeValidator!(did)
        learners = await startLearners(host.url, keyOf, makeValidator)
        // A job the node refuses (the client short of credit) leaves the rest of the demo running.
        await startDemoJob(host.url, key).then(
          (job) => host.logger.debug({ job }, 'demo federated-learning job started'),
          (error: unknown) =>
            host.logger.debug({ err: error }, 'demo federated-learning job refused'),
        )
      }
    }
  } catch (error) {
    await stop()
    throw error
  }
  return {
    agents: agents.map(({ agent, key }) => ({ name: agent.definition.name, did: key.did })),
    clientDid: traffic?.did,
    learners: (learners?.agents ?? []).map(({ agent, key }) => ({
      name: agent.definition.name,
      did: key.did,
    })),
    stop,
  }
}
