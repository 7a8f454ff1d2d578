import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { AgentCard } from '@agentmesh/protocol'
import type { PluginBuild } from 'esbuild'
import { CliError } from './cli-error.js'

/** What `agent deploy` uploads: the bundle and the card its definition makes. */
export interface AgentBundle {
  code: string
  card: Omit<AgentCard, 'did' | 'version'>
}

interface Definition {
  name: string
  description: string
  capabilities: ({ handler?: unknown } & AgentCard['capabilities'][number])[]
  concurrency?: number
  homepage?: string
}

/** The project's agent module: `agent.js` (as `agent init` writes it), else `index.js`. */
function entryOf(dir: string): string {
  for (const name of ['agent.js', 'agent.mjs', 'index.js']) {
    if (existsSync(join(dir, name))) return `./${name}`
  }
  throw new CliError(`"${dir}" has no agent.js or index.js: is it an "agent init" project?`, 2)
}

/**
 * Bundles an agent project into one ES module whose default export is its `defineAgent(...)`
 * (an `agent init` project exports it as `agent`): everything but `@agentmesh/sdk`, which the
 * sandbox provides, is inlined; Node built-ins are refused (a hosted agent has none). The card is
 * read from the same definition, built once more with `defineAgent` as the identity, and loaded
 * here: it is the user's own project, as `npm test` runs it.
 */
export async function bundleAgent(dir: string): Promise<AgentBundle> {
  const { build } = await import('esbuild')
  const root = resolve(dir)
  const entry = entryOf(root)
  const stdin = {
    contents: `import * as m from '${entry}'\nexport default m.default ?? m.agent\n`,
    resolveDir: root,
    sourcefile: 'hosted-entry.js',
    loader: 'js' as const,
  }
  const common = {
    stdin,
    bundle: true,
    format: 'esm' as const,
    platform: 'neutral' as const,
    mainFields: ['module', 'main'],
    target: 'es2022',
    write: false,
    logLevel: 'silent' as const,
  }
  const bundle = async (options: object) => {
    try {
      const result = await build({ ...common, ...options })
      return result.outputFiles?.[0]?.text ?? ''
    } catch (error) {
      const first = (error as { errors?: { text: string }[] }).errors?.[0]?.text
      throw new CliError(`Bundling "${dir}" failed: ${first ?? (error as Error).message}`)
    }
  }
  const code = await bundle({ external: ['@agentmesh/sdk'] })
  const probe = await bundle({
    plugins: [
      {
        name: 'sdk-identity',
        setup(b: PluginBuild) {
          b.onResolve({ filter: /^@agentmesh\/sdk$/ }, () => ({ path: 'sdk', namespace: 'sdk' }))
          b.onLoad({ filter: /.*/, namespace: 'sdk' }, () => ({
            contents: 'export const defineAgent = (definition) => definition',
          }))
        },
      },
    ],
  })
  const loaded = (await import(
    `data:text/javascript;base64,${Buffer.from(probe).toString('base64')}`
  )) as { default?: Definition }
  const definition = loaded.default
  if (!definition || !Array.isArray(definition.capabilities)) {
    throw new CliError(`"${dir}" exports no agent: export default defineAgent({...}) or "agent"`)
  }
  return {
    code,
    card: {
      name: definition.name,
      description: definition.description,
      capabilities: definition.capabilities.map(
        ({ handler: _handler, ...capability }) => capability,
      ),
      ...(definition.concurrency === undefined ? {} : { concurrency: definition.concurrency }),
      ...(definition.homepage === undefined ? {} : { homepage: definition.homepage }),
    },
  }
}
