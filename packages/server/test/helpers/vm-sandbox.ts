import { performance } from 'node:perf_hooks'
import { createContext, Script } from 'node:vm'
import { MeshError } from '@agentmesh/protocol'
import type {
  Sandbox,
  SandboxCall,
  SandboxHost,
  SandboxLimits,
  SandboxModuleInfo,
  SandboxOutcome,
} from '../../src/core/ports/sandbox.js'

/* A TEST DOUBLE of the Sandbox port, for tests only: it runs the guest with node:vm, which is NOT
 * a security boundary (a guest can escape it, and memory is not capped). It exists so that hosted
 * agents can be tested end to end before the QuickJS engine is merged; production never uses it. */

interface Definition {
  capabilities: { id: string; handler: (input: unknown, ctx: unknown) => unknown }[]
}

/** Turns the ES module the port describes into a script that leaves its default export. */
function scriptOf(code: string): string {
  return code
    .replace(/import\s*\{\s*defineAgent\s*\}\s*from\s*['"]@agentmesh\/sdk['"];?/g, '')
    .replace(/export\s*\{\s*([\w$]+)\s+as\s+default\s*\};?/g, '__module.default = $1;')
    .replace(/export\s+default\s+/g, '__module.default = ')
}

function load(code: string, host: SandboxHost | undefined, cpuMs: number): Definition {
  const module: { default?: Definition } = {}
  const say =
    (level: 'info' | 'warn' | 'error') =>
    (...args: unknown[]) =>
      host?.log(level, args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '))
  const context = createContext({
    __module: module,
    defineAgent: (definition: Definition) => definition,
    console: { log: say('info'), info: say('info'), warn: say('warn'), error: say('error') },
    fetch: async (url: string, init: { method?: string; body?: string } = {}) => {
      if (!host) throw new Error('fetch is not available while loading')
      const r = await host.fetch(String(url), init)
      return {
        status: r.status,
        ok: r.status < 400,
        text: () => Promise.resolve(r.body),
        json: () => Promise.resolve(JSON.parse(r.body) as unknown),
      }
    },
  })
  new Script(scriptOf(code)).runInContext(context, { timeout: cpuMs })
  if (!module.default || !Array.isArray(module.default.capabilities)) {
    throw new Error('The module has no default export made by defineAgent')
  }
  return module.default
}

const usageSince = (startMs: number, cpu: NodeJS.CpuUsage, code: string) => {
  const used = process.cpuUsage(cpu)
  return {
    cpuMs: (used.user + used.system) / 1000,
    wallMs: performance.now() - startMs,
    peakMemoryBytes: 1024 * 1024 + code.length * 8,
  }
}

/** The node:vm test double of the Sandbox port (see the warning above). */
export class VmTestSandbox implements Sandbox {
  inspect(code: string, limits: SandboxLimits): Promise<SandboxModuleInfo> {
    try {
      const definition = load(code, undefined, limits.cpuMs)
      return Promise.resolve({ capabilityIds: definition.capabilities.map((c) => c.id) })
    } catch (error) {
      return Promise.reject(
        new MeshError('INVALID_INPUT', `The module does not load: ${(error as Error).message}`),
      )
    }
  }

  async run(call: SandboxCall, host: SandboxHost): Promise<SandboxOutcome> {
    const start = performance.now()
    const cpu = process.cpuUsage()
    const fail = (
      code: 'SANDBOX_GUEST_ERROR' | 'SANDBOX_CPU_LIMIT' | 'SANDBOX_WALL_LIMIT',
      message: string,
    ): SandboxOutcome => ({
      ok: false,
      code,
      message,
      usage: usageSince(start, cpu, call.code),
    })
    let timer: NodeJS.Timeout | undefined
    try {
      const definition = load(call.code, host, call.limits.cpuMs)
      const capability = definition.capabilities.find((c) => c.id === call.capabilityId)
      if (!capability) return fail('SANDBOX_GUEST_ERROR', `No capability "${call.capabilityId}"`)
      const ctx = {
        params: structuredClone(call.params),
        progress: (p?: number, m?: string) => host.progress(p, m),
        call: (id: string, input: unknown, options: { maxPrice?: string } = {}) =>
          host.call(id, input, options),
      }
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('wall')), call.limits.wallMs)
        call.signal.addEventListener('abort', () => reject(new Error('wall')), { once: true })
      })
      const output = await Promise.race([
        capability.handler(structuredClone(call.input), ctx),
        deadline,
      ])
      return {
        ok: true,
        output: JSON.parse(JSON.stringify(output ?? null)),
        usage: usageSince(start, cpu, call.code),
      }
    } catch (error) {
      const message = (error as Error).message ?? String(error)
      if (message === 'wall') return fail('SANDBOX_WALL_LIMIT', 'The call ran past its wall time')
      if (/Script execution timed out/.test(message)) return fail('SANDBOX_CPU_LIMIT', message)
      return fail('SANDBOX_GUEST_ERROR', message)
    } finally {
      clearTimeout(timer)
    }
  }

  stop(): Promise<void> {
    return Promise.resolve()
  }
}

/** A node's sandbox factory giving each node its own test double. */
export const vmTestSandbox = (): Sandbox => new VmTestSandbox()
