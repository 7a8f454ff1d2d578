import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse, parseAllDocuments } from 'yaml'
import type { RunningNode } from '../../src/node.js'
import { DEFAULT_PORT, resolveNodeConfig, type NodeFlags } from '../../src/node-config.js'
import { startTestNode } from '../helpers/test-node.js'

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- parsed YAML is read freely */

const repo = new URL('../../../../', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, repo), 'utf8')
const serverSource = new URL('packages/server/src/', repo)

/** Every `AGENTMESH_*` name the node's configuration or the CLI reads, from their source. */
function variablesTheNodeReads(): Set<string> {
  const files = [
    'node-config.ts',
    ...readdirSync(new URL('cli/', serverSource)).map((file) => `cli/${file}`),
  ]
  const text = files.map((file) => readFileSync(new URL(file, serverSource), 'utf8')).join('\n')
  return new Set(text.match(/AGENTMESH_[A-Z0-9_]*[A-Z0-9]/g))
}

/** The long options `agentmesh up` declares, from its source. */
function upOptions(): Set<string> {
  const text = readFileSync(new URL('cli/up-command.ts', serverSource), 'utf8')
  return new Set([...text.matchAll(/\.option\(\s*'(--[a-z-]+)/g)].map((m) => m[1]!))
}

/** `up --store X --bus Y` → the flags `resolveNodeConfig` takes. */
function flagsOf(args: string[]): NodeFlags {
  expect(args[0]).toBe('up')
  const flags: Record<string, unknown> = {}
  for (let i = 1; i < args.length; i += 2) {
    const name = args[i]!.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
    flags[name] = name === 'port' ? Number(args[i + 1]) : args[i + 1]
  }
  return flags
}

/**
 * Resolves a node's configuration as `agentmesh up` would. Until this branch meets the cluster
 * node, a `nats://` bus is refused as "not available yet": then the rest is checked without it.
 */
function resolve(flags: NodeFlags, env: Record<string, string>) {
  try {
    return resolveNodeConfig(flags, env)
  } catch (error) {
    if (!/Bus .* is not available yet/.test((error as Error).message)) throw error
    const { bus: _bus, ...rest } = flags
    const { AGENTMESH_BUS: _env, ...others } = env
    return resolveNodeConfig(rest, others)
  }
}

const serverVersion = JSON.parse(read('packages/server/package.json')).version as string
const nodeImage = `agentmesh:${serverVersion}`
const known = variablesTheNodeReads()

/** An image other than the node's names a version, never `latest` or nothing. */
function expectPinned(image: string): void {
  expect(image, image).toMatch(/^[a-z0-9./-]+:(?!latest$)[\w.-]+$/)
}

describe('deployment templates', () => {
  let node: RunningNode
  beforeAll(async () => {
    node = await startTestNode()
  })
  afterAll(() => node.stop())

  /** Each path answers 200 on a real node, as a probe needs. */
  async function expectRoute(path: string): Promise<void> {
    expect((await fetch(new URL(path, node.url))).status, path).toBe(200)
  }

  it('deploy/Dockerfile builds the CLI the package declares, on a Node the engines allow', () => {
    const dockerfile = read('deploy/Dockerfile')
    const engines = JSON.parse(read('package.json')).engines.node as string
    const major = Number(/>=(\d+)/.exec(engines)![1])
    for (const [, version] of dockerfile.matchAll(/^FROM node:(\d+)/gm))
      expect(Number(version)).toBeGreaterThanOrEqual(major)
    const bin = JSON.parse(read('packages/server/package.json')).bin.agentmesh as string
    const entry = JSON.parse(/^ENTRYPOINT (.+)$/m.exec(dockerfile)![1]!) as string[]
    expect(entry).toEqual(['node', `packages/server/${bin.replace(/^\.\//, '')}`])
    expect(existsSync(new URL(entry[1]!, repo))).toBe(true)
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${DEFAULT_PORT}$`, 'm'))
    // The npm that reads allowScripts installs, before npm ci.
    const npm = /^RUN npm install -g npm@(\d+)\.\d+\.\d+$/m.exec(dockerfile)
    expect(Number(npm?.[1])).toBeGreaterThanOrEqual(11)
    expect(dockerfile.indexOf(npm![0])).toBeLessThan(dockerfile.indexOf('npm ci'))
  })

  it('deploy/compose runs three nodes on PostgreSQL and NATS with JetStream, as the node reads them', async () => {
    const compose = parse(read('deploy/compose/compose.yaml'), { merge: true })
    const services = compose.services as Record<string, any>
    const nodes = Object.entries(services).filter(([, s]) => s.image === nodeImage)
    expect(nodes.map(([name]) => name)).toEqual(['node-1', 'node-2', 'node-3'])
    expect(services.postgres.image).toMatch(/^postgres:1[4-9]/)
    expect(services.nats.image).toMatch(/^nats:2\.(9|1\d)/)
    expect(services.nats.command).toContain('-js')
    for (const service of Object.values(services)) expectPinned(service.image)

    const hostPorts = new Set<string>()
    for (const [name, service] of nodes) {
      expect(service.build.dockerfile).toBe('deploy/Dockerfile')
      expect(existsSync(new URL(service.build.dockerfile, repo))).toBe(true)
      const env = service.environment as Record<string, string>
      for (const variable of Object.keys(env))
        expect(known, `${name}: ${variable}`).toContain(variable)
      for (const arg of (service.command as string[]).filter((a) => a.startsWith('--')))
        expect(upOptions(), `${name}: ${arg}`).toContain(arg)
      const flags = flagsOf(service.command)
      // The cluster's two engines, at the services this file starts.
      const store = new URL(flags.store!)
      expect([store.protocol, store.hostname, store.port]).toEqual([
        'postgres:',
        'postgres',
        '5432',
      ])
      expect(store.username).toBe(services.postgres.environment.POSTGRES_USER)
      expect(store.pathname).toBe(`/${services.postgres.environment.POSTGRES_DB}`)
      const bus = new URL(flags.bus!)
      expect([bus.protocol, bus.hostname, bus.port]).toEqual(['nats:', 'nats', '4222'])
      const config = resolve(flags, env)
      expect(config.host).toBe('0.0.0.0')
      expect(config.store.kind).toBe('postgres')
      // The published port and the health check reach the port the node listens on.
      const [host, container] = (service.ports as string[])[0]!.split(':')
      expect(Number(container)).toBe(config.port)
      hostPorts.add(host!)
      const probe = new URL(/fetch\('([^']+)'\)/.exec(service.healthcheck.test.join(' '))![1]!)
      expect(Number(probe.port)).toBe(config.port)
      await expectRoute(probe.pathname)
      expect(service.depends_on.postgres.condition).toBe('service_healthy')
      expect(service.depends_on.nats.condition).toBe('service_healthy')
      expect(compose.volumes).toHaveProperty(service.volumes[0].split(':')[0])
    }
    expect(hostPorts.size).toBe(3)
  })

  it('deploy/kubernetes runs the nodes with real probes, a Service and an autoscaler on their load', async () => {
    const kustomization = parse(read('deploy/kubernetes/kustomization.yaml'))
    const objects = (kustomization.resources as string[]).flatMap((file) =>
      parseAllDocuments(read(`deploy/kubernetes/${file}`)).map((doc) => doc.toJS()),
    )
    const byKind = new Map(objects.map((o) => [o.kind as string, o]))
    expect([...byKind.keys()].sort()).toEqual(['Deployment', 'HorizontalPodAutoscaler', 'Service'])
    const deployment = byKind.get('Deployment')
    const pod = deployment.spec.template
    expect(deployment.spec.selector.matchLabels).toEqual(pod.metadata.labels)
    const [container] = pod.spec.containers as any[]
    expect(container.image).toBe(nodeImage)
    expect(container.args).toEqual(['up'])
    const env = Object.fromEntries(
      (container.env as any[]).map((e) => [e.name, e.value ?? 'postgres://u:p@db:5432/agentmesh']),
    ) as Record<string, string>
    for (const variable of Object.keys(env)) expect(known, variable).toContain(variable)
    // Cluster mode: the bus is named (the node reads AGENTMESH_BUS; `--bus` on the command line).
    expect(env.AGENTMESH_BUS).toMatch(/^nats:\/\//)
    const config = resolve({}, env)
    const [port] = container.ports as { name: string; containerPort: number }[]
    expect(port!.containerPort).toBe(config.port)
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: port!.name })
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: port!.name })
    await expectRoute(container.readinessProbe.httpGet.path)
    await expectRoute(container.livenessProbe.httpGet.path)
    expect(pod.metadata.annotations['prometheus.io/port']).toBe(String(config.port))
    await expectRoute(pod.metadata.annotations['prometheus.io/path'])
    const mounts = (container.volumeMounts as any[]).map((m) => m.mountPath)
    expect(mounts).toContain(config.dataDir)

    const service = byKind.get('Service')
    expect(service.spec.selector).toEqual(pod.metadata.labels)
    expect(service.spec.ports[0].targetPort).toBe(port!.name)

    const hpa = byKind.get('HorizontalPodAutoscaler')
    expect(hpa.spec.scaleTargetRef).toMatchObject({
      kind: 'Deployment',
      name: deployment.metadata.name,
    })
    const [metric] = hpa.spec.metrics as any[]
    expect(metric.pods.metric.name).toBe('agentmesh_node_load')
    // Scale out above 0.8, as the cluster recommends.
    expect(metric.pods.target).toEqual({ type: 'AverageValue', averageValue: '800m' })
    expect(hpa.spec.minReplicas).toBeLessThanOrEqual(deployment.spec.replicas)
  })

  // The cluster node exports the load gauge; until that branch is merged this one has no such name.
  const exported = /['"`]agentmesh_node_load['"`]/.test(
    readdirSync(serverSource, { recursive: true })
      .filter((file) => String(file).endsWith('.ts'))
      .map((file) => readFileSync(new URL(String(file), serverSource), 'utf8'))
      .join('\n'),
  )
  it.skipIf(!exported)(
    `the autoscaler's metric is one the node exports${exported ? '' : ' (skipped: no agentmesh_node_load in the server yet)'}`,
    async () => {
      const text = await (await fetch(new URL('/metrics', node.url))).text()
      expect(text).toMatch(/^# TYPE agentmesh_node_load gauge$/m)
    },
  )
})
