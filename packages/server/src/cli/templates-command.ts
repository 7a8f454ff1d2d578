import type { TemplatePage } from '@agentmesh/sdk'
import type { Command } from 'commander'
import { connect, withClientOptions, type ClientFlags } from './client-options.js'
import { parseJsonArgument } from './json-argument.js'
import { CliError } from './cli-error.js'

/** The templates as an aligned table. */
function formatTemplates(page: TemplatePage): string {
  if (page.templates.length === 0) return 'no templates'
  const header = ['ID', 'NAME', 'CATEGORY', 'DEPLOYS', 'RATING', 'PRICE', 'LICENCE']
  const rows = page.templates.map((t) => [
    t.id,
    t.name,
    t.category,
    String(t.deployments),
    t.rating === null ? '-' : `${t.rating.toFixed(2)} (${t.ratings})`,
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

const SORTS = ['popular', 'newest', 'rating'] as const

/**
 * `agentmesh templates list | deploy ID | rate ID STARS`: the marketplace's agent templates.
 */
export function templatesCommand(program: Command, env: NodeJS.ProcessEnv): void {
  const templates = program.command('templates').description("the marketplace's agent templates")
  withClientOptions(
    templates.command('list [query]').description('list templates, most deployed first'),
  )
    .option('--category <category>', 'only this category')
    .option('--sort <order>', 'popular (default), newest or rating')
    .option('--cursor <cursor>', 'the next page')
    .option('--json', 'print the page as JSON')
    .action(
      async (
        query: string | undefined,
        flags: ClientFlags & { category?: string; sort?: string; cursor?: string; json?: boolean },
      ) => {
        const sort = SORTS.find((s) => s === flags.sort)
        if (flags.sort !== undefined && sort === undefined) {
          throw new CliError('--sort is popular, newest or rating', 2)
        }
        const mesh = await connect(flags, env)
        try {
          const page = await mesh.templates.list({
            ...(query ? { q: query } : {}),
            ...(flags.category ? { category: flags.category } : {}),
            ...(sort ? { sort } : {}),
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
  withClientOptions(
    templates
      .command('rate <id> <stars>')
      .description('rate a template the key deployed, 1 to 5 stars (again: replaces the rating)'),
  )
    .option('--comment <text>', 'a comment, up to 1000 characters')
    .option('--json', 'print the rating and the template as JSON')
    .action(
      async (
        id: string,
        starsText: string,
        flags: ClientFlags & { comment?: string; json?: boolean },
      ) => {
        const stars = Number(starsText)
        if (!/^[1-5]$/.test(starsText)) throw new CliError('STARS is a whole number from 1 to 5', 2)
        // A key signs in as an agent (the role that deploys); a token is used as it is.
        const signIn = flags.token ? flags : { ...flags, roles: flags.roles ?? 'agent' }
        const mesh = await connect(signIn, env)
        try {
          const rated = await mesh.templates.rate(id, {
            stars,
            ...(flags.comment === undefined ? {} : { comment: flags.comment }),
          })
          const { rating, ratings } = rated.template
          console.log(
            flags.json
              ? JSON.stringify(rated, null, 2)
              : `Rated template ${id} ${stars}/5; its rating is ${rating?.toFixed(2) ?? '-'} from ${ratings} rating${ratings === 1 ? '' : 's'}`,
          )
        } finally {
          await mesh.close()
        }
      },
    )
}
