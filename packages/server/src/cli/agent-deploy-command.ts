import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { MeshError, type AgentCard, type KeyPair } from '@agentmesh/protocol'
import { keyPath, loadKey, Mesh } from '@agentmesh/sdk'
import type { Command } from 'commander'
import { agentmeshHome, DEFAULT_PORT } from '../node-config.js'
import { CliError } from './cli-error.js'

interface DeployFlags {
  url?: string
  key?: string
  cpuMs?: string
  wallMs?: string
  memoryMb?: string
  allowHost: string[]
  json?: boolean
}

function positive(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1)
    throw new CliError(`${flag} is not a positive integer`, 2)
  return value
}

/** The key that signs: `--key NAME` from ~/.agentmesh/keys, else the project's agent-key.json. */
function keyFor(dir: string, flags: DeployFlags, env: NodeJS.ProcessEnv): KeyPair {
  const file = flags.key ? keyPath(agentmeshHome(env), flags.key) : join(dir, 'agent-key.json')
  if (!existsSync(file)) throw new CliError(`No key at "${file}": pass --key NAME`, 2)
  return loadKey(file)
}

/**
 * `agentmesh agent deploy DIR`: bundles an agent project into one module and uploads it as a
 * hosted agent under the key's DID (a new version of its code when it is hosted already).
 */
export function agentDeployCommand(agent: Command, env: NodeJS.ProcessEnv): void {
  agent
    .command('deploy <dir>')
    .description('bundle an agent project and upload it as a hosted (sandboxed) agent')
    .option('--url <url>', `node URL (default $AGENTMESH_URL or http://127.0.0.1:${DEFAULT_PORT})`)
    .option('--key <name>', "sign with this key (default: the project's agent-key.json)")
    .option('--cpu-ms <ms>', 'CPU time per call')
    .option('--wall-ms <ms>', 'wall time per call')
    .option('--memory-mb <mb>', 'memory per call')
    .option(
      '--allow-host <host>',
      'a host the code may fetch (repeatable)',
      (h: string, all: string[]) => [...all, h],
      [],
    )
    .option('--json', 'print the hosted agent as JSON')
    .action(async (dir: string, flags: DeployFlags) => {
      const key = keyFor(dir, flags, env)
      const limits: { cpuMs?: number; wallMs?: number; memoryBytes?: number } = {}
      const cpuMs = positive(flags.cpuMs, '--cpu-ms')
      const wallMs = positive(flags.wallMs, '--wall-ms')
      const memoryMb = positive(flags.memoryMb, '--memory-mb')
      if (cpuMs !== undefined) limits.cpuMs = cpuMs
      if (wallMs !== undefined) limits.wallMs = wallMs
      if (memoryMb !== undefined) limits.memoryBytes = memoryMb * 1024 * 1024
      const { bundleAgent } = await import('./agent-bundle.js')
      const bundle = await bundleAgent(dir)
      const card: AgentCard = { ...bundle.card, did: key.did, version: Date.now() }
      const url = flags.url ?? env.AGENTMESH_URL ?? `http://127.0.0.1:${DEFAULT_PORT}`
      const mesh = await Mesh.connect(url, { key, roles: ['agent'] })
      try {
        const exists = await mesh.hosted.get(key.did).then(
          () => true,
          (error: unknown) => {
            if (error instanceof MeshError && error.code === 'HOSTED_AGENT_NOT_FOUND') return false
            throw error
          },
        )
        const change = {
          code: bundle.code,
          card,
          limits,
          ...(flags.allowHost.length > 0 ? { allowedHosts: flags.allowHost } : {}),
        }
        const hosted = exists
          ? await mesh.hosted.update(key.did, change)
          : await mesh.hosted.create(change)
        if (flags.json) console.log(JSON.stringify(hosted, null, 2))
        else {
          console.log(
            [
              `${exists ? 'Updated' : 'Deployed'} hosted agent ${hosted.id}`,
              `  capabilities ${hosted.capabilities.join(', ')}`,
              `  code         sha256 ${hosted.codeHash} (${hosted.codeBytes} bytes)`,
              `  limits       cpu ${hosted.limits.cpuMs} ms, wall ${hosted.limits.wallMs} ms, memory ${hosted.limits.memoryBytes / 1048576} MB`,
            ].join('\n'),
          )
        }
      } finally {
        await mesh.close()
      }
    })
}
