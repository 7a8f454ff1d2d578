import type { SearchOptions, SearchPage } from '@agentmesh/sdk'
import { InvalidArgumentError, type Command } from 'commander'
import { connect, withClientOptions, type ClientFlags } from './client-options.js'

interface SearchFlags extends ClientFlags {
  maxPrice?: string
  currency?: string
  tags?: string
  capability?: string
  online?: boolean
  limit?: number
  explain?: boolean
  scope?: string
  json?: boolean
}

function parseLimit(value: string): number {
  const limit = Number(value)
  if (!/^\d+$/.test(value) || limit < 1 || limit > 100) {
    throw new InvalidArgumentError('Not a number from 1 to 100.')
  }
  return limit
}

function parseScope(value: string): string {
  if (value !== 'local' && value !== 'federation') {
    throw new InvalidArgumentError('Not local or federation.')
  }
  return value
}

/** The results as an aligned table, with each score's reasons under its row when explained. */
export function formatResults(page: SearchPage): string {
  if (page.results.length === 0) return 'no matching agents'
  const header = ['AGENT', 'CAPABILITY', 'PRICE', 'SCORE', 'ONLINE', 'ID']
  const rows = page.results.map((r) => [
    r.node ? `${r.agentName} (node …${r.node.did.slice(-8)})` : r.agentName,
    r.capabilityId,
    `${r.price.amount} ${r.price.currency}`,
    r.score.toFixed(3),
    r.online ? 'yes' : 'no',
    r.agentId,
  ])
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i]!.length)))
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === 2 || i === 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  const out = [line(header)]
  for (const [i, r] of page.results.entries()) {
    out.push(line(rows[i]!))
    for (const [name, part] of Object.entries(r.explain?.parts ?? {})) {
      out.push(`    ${name.padEnd(10)} +${part.contribution.toFixed(3)}  ${part.reason}`)
    }
  }
  if (page.nextCursor) out.push(`more: --cursor ${page.nextCursor}`)
  return out.join('\n')
}

/** `agentmesh agents search QUERY`: find capabilities on the mesh, best first. */
export function agentsCommand(program: Command, env: NodeJS.ProcessEnv): void {
  const agents = program.command('agents').description('find agents and their capabilities')
  withClientOptions(
    agents
      .command('search [query]')
      .description('search capabilities, ranked by relevance, price, latency, reputation and load'),
  )
    .option('--max-price <amount>', 'highest price per call, e.g. 0.01')
    .option('--currency <code>', "currency of --max-price (default: the node's)")
    .option('--tags <tags>', 'comma-separated tags that must all be present')
    .option('--capability <id>', 'only this capability id')
    .option('--online', 'only agents online now')
    .option('--limit <n>', 'results per page, 1 to 100 (default 20)', parseLimit)
    .option('--cursor <cursor>', 'the next page, as a previous search printed it')
    .option('--explain', 'show why each result scored as it did')
    .option('--scope <scope>', 'local (default) or federation: also peers of this node', parseScope)
    .option('--json', 'print JSON')
    .action(async (query: string | undefined, flags: SearchFlags & { cursor?: string }) => {
      const options: SearchOptions = {}
      if (flags.maxPrice !== undefined) options.maxPrice = flags.maxPrice
      if (flags.currency !== undefined) options.currency = flags.currency
      if (flags.tags !== undefined) options.tags = flags.tags.split(',')
      if (flags.capability !== undefined) options.capability = flags.capability
      if (flags.online) options.online = true
      if (flags.limit !== undefined) options.limit = flags.limit
      if (flags.cursor !== undefined) options.cursor = flags.cursor
      if (flags.explain) options.explain = true
      if (flags.scope !== undefined) options.scope = flags.scope as 'local' | 'federation'
      const mesh = await connect(flags, env)
      try {
        const page = await mesh.search(query ?? '', options)
        console.log(flags.json ? JSON.stringify(page, null, 2) : formatResults(page))
      } finally {
        await mesh.close()
      }
    })
}
