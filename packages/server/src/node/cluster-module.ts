import { Gauge, type Registry } from 'prom-client'
import type { ClusterView } from '@agentmesh/protocol'
import type { HostedLeases } from '../adapters/cluster/hosted-leases.js'
import type { LeasedTaskStore } from '../adapters/cluster/leased-task-store.js'
import { clusterView, loadOf, recommendation } from '../adapters/cluster/cluster-view.js'
import type { AgentConnections } from '../adapters/transport/websocket/agent-connections.js'
import type { ClusterConfig } from '../cluster-config.js'
import type { HostedService } from '../core/hosted/hosted-service.js'
import { HoltForecast } from '../core/anomalies/holt-forecast.js'
import type { ScheduledJob, Scheduler } from '../core/ports/scheduler.js'
import { REGISTRY_CHANGED } from '../core/registry/registry-service.js'
import type { TaskOwners } from '../core/ports/task-owners.js'
import type { TaskService } from '../core/tasks/task-service.js'
import type { NodeBase } from './base.js'
import type { clusterNetwork } from './cluster-network.js'
import type { NodeModule } from './lifecycle.js'

type Network = ReturnType<typeof clusterNetwork>
/** The topic a draining node announces its released leases on: the others take them at once. */
const LEASES_RELEASED = 'cluster.leases.released'
/** How far ahead the load forecast looks (scaling takes minutes). */
const FORECAST_HORIZON_MS = 120_000
const ownerSubject = (name: string, nodeId: string) => `am.${name}.owner.${nodeId}.cancel`

/** Cancels a task at the node that holds its lease, over NATS request/reply. */
export function clusterOwners(net: Network, cluster: ClusterConfig, base: NodeBase): TaskOwners {
  return {
    async cancel(taskId) {
      const owner = await net.leases.ownerOf(taskId, base.clock.now())
      if (owner === undefined || owner === net.nodeId) return false
      const reply = await net.link.nc
        .request(ownerSubject(cluster.name, owner), JSON.stringify({ taskId }), { timeout: 10_000 })
        .catch(() => undefined)
      return reply?.json<{ canceled: boolean }>().canceled === true
    },
  }
}

/**
 * Stopping lets this node's leases lapse (after the runners stopped) and says so: its tasks, and
 * its hosted agents, which it stops serving first.
 */
export function leaseReleaseModule(
  base: NodeBase,
  tasks: LeasedTaskStore,
  hosted: { service: HostedService; leases: HostedLeases },
) {
  return {
    name: 'cluster leases',
    async stop() {
      const released = await tasks.release()
      hosted.service.dropAll()
      const agents = await hosted.leases.releaseAll()
      await base.bus.publish(LEASES_RELEASED, { released, agents })
      base.logger.info({ released, agents }, 'handed tasks and hosted agents over to the cluster')
    },
  } satisfies NodeModule
}

/**
 * A cluster node at work: announces itself and its load at each heartbeat (and refreshes its
 * agents' presence), renews its leases (a task whose lease another node took stops here; a
 * hosted agent whose lease another node took, or that was stopped, stops being served here),
 * takes over the tasks and hosted agents whose lease lapsed, answers cancels for the tasks it owns, and exports its load
 * and the cluster's scale recommendation (`agentmesh_node_load` is every node's, see
 * node-load-metric.ts). Stopping drains: the node says it is draining,
 * tells its agents where to reconnect, then the lifecycle stops the runners and hands over leases.
 */
export function clusterModule(
  base: NodeBase & { scheduler: Scheduler },
  deps: {
    cluster: ClusterConfig
    net: Network
    tasks: TaskService
    leased: LeasedTaskStore
    hosted: { service: HostedService; leases: HostedLeases }
    connections: AgentConnections
    registry: Registry
    url: string
  },
) {
  const { clock, logger, scheduler, bus } = base
  const { cluster, net, tasks, leased, connections, hosted } = deps
  /** The agents this node serves: those connected here and the hosted agents it runs. */
  const agentsHere = () => [...connections.summary().agents, ...hosted.service.served()]
  const startedAtMs = clock.now()
  let state: 'up' | 'draining' = 'up'
  const jobs: ScheduledJob[] = []
  const unsubscribe: (() => void)[] = []
  const registers = [deps.registry]
  const clusterLoad = new Gauge({
    name: 'agentmesh_cluster_load_factor',
    help: 'In-flight tasks over capacity across the nodes that are up',
    registers,
  })
  const scale = new Gauge({
    name: 'agentmesh_cluster_scale_recommendation',
    help: '1: scale out (load or its forecast > 0.8), -1: scale in (both < 0.3), 0: steady',
    registers,
  })
  let takingOver: Promise<unknown> = Promise.resolve()
  const takeOver = () =>
    (takingOver = takingOver
      .then(async () => {
        const taken = await tasks.recover()
        if (taken > 0) logger.warn({ tasks: taken }, 'took over tasks whose lease lapsed')
        const agents = await hosted.service.restore(100)
        if (agents > 0) logger.warn({ agents }, 'took over hosted agents whose lease lapsed')
      })
      .catch((error: unknown) => logger.error({ err: error }, 'taking over tasks failed')))
  // The cluster's load a short while ahead, from the loads seen at each heartbeat.
  const trend = new HoltForecast()
  const forecast = (): ClusterView['forecast'] => {
    const ahead = trend.forecast(FORECAST_HORIZON_MS)
    return (
      ahead && {
        load: ahead.value,
        horizonMs: FORECAST_HORIZON_MS,
        trendPerMinute: ahead.trendPerMs * 60_000,
      }
    )
  }
  let announcedAgents = ''
  const heartbeat = async () => {
    const now = clock.now()
    net.presence.refresh(now)
    const { inFlight, capacity } = connections.summary()
    const agents = agentsHere()
    announcedAgents = [...agents].sort().join(' ')
    await net.directory.announce({
      id: net.nodeId,
      did: base.key.did,
      url: deps.url,
      startedAtMs,
      lastSeenMs: now,
      state,
      agents,
      inFlight,
      capacity,
    })
    const up = net.directory.all(now).filter((n) => !n.gone && n.state === 'up')
    const load = loadOf(
      up.reduce((s, n) => s + n.inFlight, 0),
      up.reduce((s, n) => s + n.capacity, 0),
    )
    clusterLoad.set(load)
    trend.observe(load, now)
    scale.set({ scale_out: 1, scale_in: -1, steady: 0 }[recommendation(load, forecast()?.load)])
  }
  const module = {
    name: 'cluster',
    get draining() {
      return state === 'draining'
    },
    async view(): Promise<ClusterView> {
      return clusterView(
        net.nodeId,
        net.directory.all(clock.now()),
        await net.leases.list(100),
        forecast(),
      )
    },
    async start() {
      // The hosted agents claimed at start are kept from here on (renewed at once).
      hosted.service.drop(await hosted.leases.renew())
      await heartbeat()
      jobs.push(scheduler.every('cluster heartbeat', cluster.heartbeatMs, heartbeat))
      // Two jobs: a slow take-over (many tasks to resume) never holds up this node's renewals.
      const every = Math.max(50, Math.floor(cluster.leaseMs / 3))
      jobs.push(
        scheduler.every('renewing task leases', every, async () => {
          for (const taskId of await leased.renew()) tasks.abandon(taskId)
          hosted.service.drop(await hosted.leases.renew())
        }),
        scheduler.every('taking over lapsed task leases', every, takeOver),
      )
      unsubscribe.push(bus.subscribe(LEASES_RELEASED, () => void takeOver()))
      // An agent coming or going here is announced at once, not at the next heartbeat, so the
      // cluster's view of who is connected where never lags a connection.
      let announcing: Promise<void> = Promise.resolve()
      unsubscribe.push(
        bus.subscribe(REGISTRY_CHANGED, () => {
          announcing = announcing.then(async () => {
            const agents = agentsHere().sort().join(' ')
            if (state === 'up' && agents !== announcedAgents) {
              await heartbeat().catch((error: unknown) =>
                logger.warn({ err: error }, 'announcing this node’s agents failed'),
              )
            }
          })
        }),
      )
      const sub = net.link.nc.subscribe(ownerSubject(cluster.name, net.nodeId), {
        callback: (error, msg) => {
          if (error) return
          const { taskId } = msg.json<{ taskId: string }>()
          const running = tasks.cancelRunning(String(taskId))
          if (!running) {
            msg.respond(JSON.stringify({ canceled: false }))
            return
          }
          void running.then(
            () => msg.respond(JSON.stringify({ canceled: true })),
            () => msg.respond(JSON.stringify({ canceled: false })),
          )
        },
      })
      unsubscribe.push(() => sub.unsubscribe())
    },
    async stop() {
      state = 'draining'
      for (const job of jobs) job.stop()
      for (const off of unsubscribe) off()
      const reconnectTo = net.directory.otherUrls(clock.now())
      connections.broadcast({ type: 'draining', reconnectTo })
      await heartbeat().catch(() => {})
      await takingOver
      logger.info({ reconnectTo }, 'draining: agents told to reconnect elsewhere')
    },
  } satisfies NodeModule & Record<string, unknown>
  return module
}
