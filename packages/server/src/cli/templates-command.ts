import type { TemplatePage } from '@agentmesh/sdk'
import type { Command } from 'commander'
import { connect, withClientOptions, type ClientFlags } from './client-options.js'
import { parseJsonArgument } from './json-argument.js'
import { CliError } from './cli-error.js'

/** The templates as an aligned table. */
function formatTemplates(page: TemplatePage): string {
  if (page.templates.length === 0) return 'no templates'
  const header = ['ID', 'NAME', 'CATEGORY', 'DEPLOYS', 'PRICE', 'LICENCE']
  const rows = page.templates.map((t) => [
    t.id,
    t.name,
    t.category,
    String(t.deployments),
    t.deployPrice ? `${t.deployPrice.amount} ${t.deployPrice.currency}` : 'free',
    t.licence,
  ])
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => r[i]!.length)))
  const line = (row: string[]) =>
    row
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  const out = [line(header), ...rows.map(line)]
  if (page.nextCursor) out.push(`more: --cursor ${page.nextCursor}`)
  return out.join('\n')
}

/** `agentmesh templates list | templates deploy ID`: the marketplace's agent templates. */
export function templatesCommand(program: Command, env: NodeJS.ProcessEnv): void {
  const templates = program.command('templates').description("the marketplace's agent templates")
  withClientOptions(
    templates.command('list [query]').description('list templates, most deployed first'),
  )
    .option('--category <category>', 'only this category')
    .option('--sort <order>', 'popular (default) or newest')
    .option('--cursor <cursor>', 'the next page')
    .option('--json', 'print the page as JSON')
    .action(
      async (
        query: string | undefined,
        flags: ClientFlags & { category?: string; sort?: string; cursor?: string; json?: boolean },
      ) => {
        if (flags.sort !== undefined && !['popular', 'newest'].includes(flags.sort)) {
          throw new CliError('--sort is popular or newest', 2)
        }
        const mesh = await connect(flags, env)
        try {
          const page = await mesh.templates.list({
            ...(query ? { q: query } : {}),
            ...(flags.category ? { category: flags.category } : {}),
            ...(flags.sort ? { sort: flags.sort as 'popular' | 'newest' } : {}),
            ...(flags.cursor ? { cursor: flags.cursor } : {}),
          })
          console.log(flags.json ? JSON.stringify(page, null, 2) : formatTemplates(page))
        } finally {
          await mesh.close()
        }
      },
    )
  withClientOptions(
    templates
      .command('deploy <id>')
      .description("deploy a template as the key's own hosted agent (the key signs its card)"),
  )
    .option('--params <json>', 'the parameters, checked against the template schema', '{}')
    .option('--json', 'print the hosted agent as JSON')
    .action(async (id: string, flags: ClientFlags & { params: string; json?: boolean }) => {
      const params = parseJsonArgument(flags.params, '--params')
      if (typeof params !== 'object' || params === null || Array.isArray(params)) {
        throw new CliError('--params must be a JSON object', 2)
      }
      if (flags.token) throw new CliError('Deploying signs a card: give --key, not --token', 2)
      const mesh = await connect({ ...flags, roles: flags.roles ?? 'agent' }, env)
      try {
        const hosted = await mesh.templates.deploy(id, {
          params: params as Record<string, unknown>,
        })
        console.log(
          flags.json
            ? JSON.stringify(hosted, null, 2)
            : `Deployed template ${id} as hosted agent ${hosted.id} (code sha256 ${hosted.codeHash})`,
        )
      } finally {
        await mesh.close()
      }
    })
}
