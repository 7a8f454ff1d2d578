import type { KnowledgePage, KnowledgePaths, Mesh } from '@agentmesh/sdk'
import { InvalidArgumentError, type Command } from 'commander'
import { connect, withClientOptions, type ClientFlags } from './client-options.js'

interface QueryFlags extends ClientFlags {
  subject?: string
  relation?: string
  object?: string
  limit?: number
  json?: boolean
}

/** A parser of whole numbers from 1 to `max`. */
const wholeUpTo =
  (max: number) =>
  (value: string): number => {
    const n = Number(value)
    if (!/^\d+$/.test(value) || n < 1 || n > max) {
      throw new InvalidArgumentError(`Not a number from 1 to ${max}.`)
    }
    return n
  }

function parseConfidence(value: string): number {
  const n = Number(value)
  if (value.trim() === '' || !(n >= 0 && n <= 1)) {
    throw new InvalidArgumentError('Not a number from 0 to 1.')
  }
  return n
}

/** The facts as an aligned table, best-ranked first. */
function formatFacts(page: KnowledgePage): string {
  if (page.facts.length === 0) return 'no matching facts'
  const header = ['SUBJECT', 'RELATION', 'OBJECT', 'CONF', 'REP', 'READS', 'EFFECT', 'AGENT']
  const rows = page.facts.map((f) => [
    f.subject,
    f.relation,
    f.object,
    f.confidence.toFixed(2),
    f.provenance.reputation.toFixed(2),
    String(f.usage.reads),
    f.usage.effectiveness === null ? '-' : f.usage.effectiveness.toFixed(2),
    f.provenance.agent,
  ])
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i]!.length)))
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => (i >= 3 && i <= 6 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

/** Each path on a line: `a -rel-> b -rel-> c`. */
function formatPaths(result: KnowledgePaths): string {
  const lines = result.paths.map((path) =>
    path.length === 0
      ? result.from
      : [path[0]!.subject, ...path.map((hop) => `-${hop.relation}-> ${hop.object}`)].join(' '),
  )
  if (lines.length === 0) lines.push(`no path from "${result.from}" to "${result.to}"`)
  if (result.truncated) lines.push(`(search stopped at the node's limits, ${result.visited} nodes)`)
  return lines.join('\n')
}

async function withMesh<T>(
  flags: ClientFlags,
  env: NodeJS.ProcessEnv,
  run: (mesh: Mesh) => Promise<T>,
): Promise<T> {
  const mesh = await connect(flags, env)
  try {
    return await run(mesh)
  } finally {
    await mesh.close()
  }
}

/** `agentmesh knowledge assert|query|paths`: the node's knowledge graph. */
export function knowledgeCommand(program: Command, env: NodeJS.ProcessEnv): void {
  const knowledge = program
    .command('knowledge')
    .description('the knowledge graph: signed facts, ranked by their agents’ reputation')
  withClientOptions(
    knowledge
      .command('assert')
      .description('sign a fact with your key and assert it (signs in with the agent role)')
      .argument('<subject>')
      .argument('<relation>')
      .argument('<object>'),
  )
    .option('--confidence <c>', 'how sure, from 0 to 1 (default 1)', parseConfidence)
    .action(
      async (
        subject: string,
        relation: string,
        object: string,
        flags: ClientFlags & { confidence?: number },
      ) => {
        // Facts are asserted by agents: sign in with that role unless told otherwise.
        const roles = flags.roles ?? (flags.token ? undefined : 'agent')
        const result = await withMesh({ ...flags, ...(roles ? { roles } : {}) }, env, (mesh) =>
          mesh.knowledge.assert({ subject, relation, object, confidence: flags.confidence ?? 1 }),
        )
        const [fact] = result.facts
        console.log(`${fact!.created ? 'Asserted' : 'Asserted again'} ${fact!.id}`)
      },
    )
  withClientOptions(
    knowledge.command('query').description('facts by subject, relation and/or object, best first'),
  )
    .option('--subject <s>', 'facts about this subject')
    .option('--relation <r>', 'facts of this relation')
    .option('--object <o>', 'facts with this object')
    .option('--limit <n>', 'facts answered, 1 to 100 (default 20)', wholeUpTo(100))
    .option('--json', 'print JSON')
    .action(async (flags: QueryFlags) => {
      const { subject, relation, object, limit, json } = flags
      const page = await withMesh(flags, env, (mesh) =>
        mesh.knowledge.query({
          ...(subject === undefined ? {} : { subject }),
          ...(relation === undefined ? {} : { relation }),
          ...(object === undefined ? {} : { object }),
          ...(limit === undefined ? {} : { limit }),
        }),
      )
      console.log(json ? JSON.stringify(page, null, 2) : formatFacts(page))
    })
  withClientOptions(
    knowledge
      .command('paths')
      .description('shortest paths along facts from one node to another')
      .argument('<from>')
      .argument('<to>'),
  )
    .option('--max-hops <n>', 'longest path, 1 to 6 (default 3)', wholeUpTo(6))
    .option('--limit <n>', 'paths answered, 1 to 20 (default 5)', wholeUpTo(20))
    .option('--json', 'print JSON')
    .action(
      async (
        from: string,
        to: string,
        flags: ClientFlags & { maxHops?: number; limit?: number; json?: boolean },
      ) => {
        const { maxHops, limit } = flags
        const result = await withMesh(flags, env, (mesh) =>
          mesh.knowledge.paths(from, to, {
            ...(maxHops === undefined ? {} : { maxHops }),
            ...(limit === undefined ? {} : { limit }),
          }),
        )
        console.log(flags.json ? JSON.stringify(result, null, 2) : formatPaths(result))
      },
    )
}
