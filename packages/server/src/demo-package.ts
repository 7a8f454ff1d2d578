import type { Logger } from './core/ports/logger.js'
import { importWorkspacePackage } from './import-workspace-package.js'

/** A running demo: its agents, its client, and how to stop them (`@agentmesh/demo`'s `RunningDemo`). */
export interface RunningDemo {
  agents: { name: string; did: string }[]
  /** The demo client's DID, when traffic is on. */
  clientDid: string | undefined
  /** Its federated-learning trainers and validators (with traffic on). */
  learners: { name: string; did: string }[]
  stop(): Promise<void>
}

/** What the node uses of `@agentmesh/demo`; a test keeps it assignable from the package. */
export interface DemoPackage {
  startDemo: (
    host: {
      url: string
      logger: Logger
      fund(did: string, amount: string, id: string): Promise<void>
      makeValidator?(did: string): Promise<void>
    },
    options: { traffic: boolean; keysDir?: string | undefined },
  ) => Promise<RunningDemo>
}

/** Loads the demo, a workspace package the node does not depend on (its libraries are many). */
export function importDemo(): Promise<DemoPackage> {
  return importWorkspacePackage<DemoPackage>('@agentmesh/demo', {
    feature: '"--demo"',
    command: 'npm start',
  })
}
