import type { KeyPair } from '@agentmesh/protocol'
import type { Bus } from '../core/ports/bus.js'
import type { Clock } from '../core/ports/clock.js'
import type { Logger } from '../core/ports/logger.js'
import type { Scheduler } from '../core/ports/scheduler.js'
import type { Store } from '../core/store.js'
import type { NodeConfig } from '../node-config.js'

/** What every module of the node is built on. */
export interface NodeBase {
  config: NodeConfig
  key: KeyPair
  logger: Logger
  store: Store
  bus: Bus
  clock: Clock
  scheduler: Scheduler
}
