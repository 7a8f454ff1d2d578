import type { HostedAgentView, TemplatePage, TemplateView } from '@agentmesh/sdk'
import { useState } from 'react'
import { Table, type Column } from '../components/table.js'
import { Badge, ErrorBox, Id, Section } from '../components/ui.js'
import { count, dateTime, money, ms } from '../format.js'
import { useLoad } from '../hooks.js'
import type { Session } from '../session.js'

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`

const HOSTED_COLUMNS: Column<HostedAgentView>[] = [
  {
    head: 'Agent',
    cell: (a) => (
      <>
        {a.name} <Id value={a.id} />
      </>
    ),
  },
  { head: 'State', cell: (a) => <Badge state={a.state} /> },
  {
    head: 'Calls',
    cell: (a) => (
      <>
        {a.usage.calls} ({a.usage.failures} failed)
      </>
    ),
  },
  { head: 'CPU', cell: (a) => ms(a.usage.cpuMs) },
  { head: 'Wall', cell: (a) => ms(a.usage.wallMs) },
  { head: 'Peak memory', cell: (a) => mb(a.usage.peakMemoryBytes) },
  { head: 'Cost', cell: (a) => money(a.usage.cost) },
  {
    head: 'Limits (cpu / wall / memory)',
    cell: (a) => `${ms(a.limits.cpuMs)} / ${ms(a.limits.wallMs)} / ${mb(a.limits.memoryBytes)}`,
  },
  { head: 'Code', cellClass: 'mono small', cell: (a) => a.codeHash.slice(0, 12) },
]

/** The hosted agents the session may read (its own; an admin's: all), with limits and usage. */
export function HostedAgentsPage({ session }: { session: Session }) {
  const agents = useLoad(
    () => session.mesh.request<{ hostedAgents: HostedAgentView[] }>('GET', '/v1/hosted-agents'),
    [session],
    5000,
  )
  const list = agents.data?.hostedAgents ?? []
  return (
    <>
      <div className="page-head">
        <h1>Hosted agents</h1>
      </div>
      <ErrorBox error={agents.error} />
      <Section title={count(list.length, 'hosted agent')}>
        <Table
          columns={HOSTED_COLUMNS}
          rows={list}
          rowKey={(a) => a.id}
          testId="hosted-agents"
          empty="No hosted agents."
        />
      </Section>
    </>
  )
}

const SORTS = { popular: 'Most deployed', rating: 'Best rated', newest: 'Newest' } as const

/** A template's mean rating and how many rated it. */
function Rating({ template }: { template: TemplateView }) {
  if (template.rating === null) return <span className="muted">not rated</span>
  return (
    <span
      data-testid="template-rating"
      title={`Mean of ${count(template.ratings, 'deployer rating')}, 1 to 5 stars`}
    >
      ★ {template.rating.toFixed(2)} ({count(template.ratings, 'rating')})
    </span>
  )
}

/** The marketplace's templates: most deployed, best rated or newest first. */
export function TemplatesPage({ session }: { session: Session }) {
  const [sort, setSort] = useState<keyof typeof SORTS>('popular')
  const page = useLoad(
    () =>
      session.mesh.request<TemplatePage>('GET', '/v1/templates', undefined, { limit: 50, sort }),
    [session, sort],
    10_000,
  )
  const list = page.data?.templates ?? []
  return (
    <>
      <div className="page-head">
        <h1>Templates</h1>
        <label>
          Sort{' '}
          <select
            name="sort"
            value={sort}
            onChange={(e) => setSort(e.target.value as keyof typeof SORTS)}
          >
            {Object.entries(SORTS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBox error={page.error} />
      <Section title={count(list.length, 'template')}>
        {list.length === 0 ? <p className="muted">No templates published yet.</p> : null}
        <ul className="results" data-testid="templates">
          {list.map((t) => (
            <li key={t.id} className="result" data-template={t.id}>
              <div className="result-main">
                <strong>{t.name}</strong>
                <span className="muted">{t.category}</span>
                <span>{count(t.deployments, 'deployment')}</span>
                <Rating template={t} />
                <span>
                  {t.deployPrice ? `${t.deployPrice.amount} ${t.deployPrice.currency}` : 'free'}
                </span>
                <span className="muted">{t.licence}</span>
                <span className="muted">{dateTime(t.createdAt)}</span>
              </div>
              <div>{t.description}</div>
              <div className="small muted">
                Deploy:{' '}
                <code>
                  agentmesh templates deploy {t.id} --params '{'{…}'}'
                </code>{' '}
                · rate once deployed: <code>agentmesh templates rate {t.id} 5</code>
              </div>
            </li>
          ))}
        </ul>
      </Section>
    </>
  )
}
