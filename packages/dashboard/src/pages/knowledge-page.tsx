import type { FactView, KnowledgePaths } from '@agentmesh/sdk/browser'
import { useState, type FormEvent } from 'react'
import { FactGraph } from '../components/fact-graph.js'
import { Table, type Column } from '../components/table.js'
import { ErrorBox, Id, Section } from '../components/ui.js'
import { percent, shortId } from '../format.js'
import { useLoad } from '../hooks.js'
import { href, navigate } from '../router.js'
import type { Session } from '../session.js'

const FACT_COLUMNS: Column<FactView>[] = [
  {
    head: 'Fact',
    cell: (f) => (
      <>
        <a href={href(['knowledge'], { node: f.subject })}>{f.subject}</a>{' '}
        <span className="muted">{f.relation}</span>{' '}
        <a href={href(['knowledge'], { node: f.object })}>{f.object}</a>
      </>
    ),
  },
  { head: 'Confidence', cellClass: 'num', cell: (f) => f.confidence.toFixed(2) },
  {
    head: 'Source',
    cell: (f) => (
      <a href={href(['agents', f.provenance.agent])}>
        <Id value={f.provenance.agent} short={shortId(f.provenance.agent)} />
      </a>
    ),
  },
  {
    head: 'Reputation',
    headTitle: "The source's reputation, 0 to 5: what ranks its facts",
    cellClass: 'num',
    cell: (f) => f.provenance.reputation.toFixed(2),
  },
  { head: 'Reads', cellClass: 'num', cell: (f) => f.usage.reads },
  {
    head: 'Effectiveness',
    headTitle: 'Tasks that read it: completed of those that ended',
    cellClass: 'num',
    cell: (f) => percent(f.usage.effectiveness, 0),
    cellProps: (f) => ({ title: `${f.usage.completed} of ${f.usage.tasks} tasks` }),
  },
  {
    head: 'Task',
    className: 'hide-narrow',
    cell: (f) =>
      f.provenance.taskId ? (
        <a href={href(['tasks', f.provenance.taskId])}>{shortId(f.provenance.taskId)}</a>
      ) : (
        <span className="muted">—</span>
      ),
  },
]

/** Facts as a table: the triple, confidence, source and its reputation, usage. */
function FactTable({ facts, testId }: { facts: readonly FactView[]; testId: string }) {
  return (
    <Table
      columns={FACT_COLUMNS}
      rows={facts}
      rowKey={(f) => f.id}
      mark="fact"
      rowProps={(f) => ({ 'data-agent': f.provenance.agent })}
      testId={testId}
      empty="None."
      emptyHidesTable
    />
  )
}

/** Shortest paths from one node to another, each as a chain of hops. */
function PathFinder({ session, from }: { session: Session; from: string }) {
  const [form, setForm] = useState({ from, to: '', maxHops: '3' })
  const [asked, setAsked] = useState<typeof form | undefined>()
  const result = useLoad(
    (): Promise<KnowledgePaths | undefined> =>
      asked
        ? session.mesh.knowledge.paths(asked.from, asked.to, { maxHops: Number(asked.maxHops) })
        : Promise.resolve(undefined),
    [session, asked],
  )
  const submit = (event: FormEvent) => {
    event.preventDefault()
    setAsked({ ...form })
  }
  const found = result.data
  return (
    <Section title="Paths">
      <form className="filters" onSubmit={submit} aria-label="Find paths">
        {(['from', 'to'] as const).map((name) => (
          <label key={name}>
            {name === 'from' ? 'From' : 'To'}
            <input
              name={`path-${name}`}
              value={form[name]}
              required
              onChange={(e) => setForm({ ...form, [name]: e.target.value })}
            />
          </label>
        ))}
        <label>
          Max hops
          <select
            name="path-maxHops"
            value={form.maxHops}
            onChange={(e) => setForm({ ...form, maxHops: e.target.value })}
          >
            {[1, 2, 3, 4, 5, 6].map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
        <button className="primary" type="submit">
          Find paths
        </button>
      </form>
      <ErrorBox error={result.error} />
      {found ? (
        <ol className="kg-paths" data-testid="paths" aria-busy={result.loading}>
          {found.paths.length === 0 ? (
            <li className="muted">
              No path within {found.maxHops} hops
              {found.truncated ? ' (search cut at the node’s limits)' : ''}.
            </li>
          ) : null}
          {found.paths.map((path, i) => (
            <li key={i} className="kg-path">
              <a href={href(['knowledge'], { node: found.from })}>{found.from}</a>
              {path.map((hop) => (
                <span key={hop.factId}>
                  {' '}
                  <span className="muted">—{hop.relation}→</span>{' '}
                  <a href={href(['knowledge'], { node: hop.object })}>{hop.object}</a>
                </span>
              ))}
            </li>
          ))}
        </ol>
      ) : null}
    </Section>
  )
}

/**
 * The knowledge graph around one node: facts about it and pointing to it, drawn and listed with
 * their sources' reputation and usage; neighbours open on click; a path finder below.
 */
export function KnowledgePage({ session, query }: { session: Session; query: URLSearchParams }) {
  const node = query.get('node') ?? ''
  const [text, setText] = useState(node)
  const facts = useLoad(
    async () =>
      node
        ? {
            node,
            outgoing: (await session.mesh.knowledge.query({ subject: node, limit: 50 })).facts,
            incoming: (await session.mesh.knowledge.query({ object: node, limit: 50 })).facts,
          }
        : undefined,
    [session, node],
  )
  const open = (name: string) => {
    setText(name)
    navigate(['knowledge'], { node: name })
  }
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (text.trim()) open(text.trim())
  }
  const data = facts.data?.node === node ? facts.data : undefined
  return (
    <>
      <div className="page-head">
        <h1>Knowledge</h1>
      </div>
      <form className="card filters" onSubmit={submit} role="search">
        <label className="wide">
          Node (a subject or object)
          <input name="node" value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <button className="primary" type="submit">
          Show
        </button>
      </form>
      <ErrorBox error={facts.error} />
      {!node ? <p className="muted">Name a node to see the facts around it.</p> : null}
      {data ? (
        <>
          <Section title={data.node}>
            {data.outgoing.length + data.incoming.length === 0 ? (
              <p className="muted">No fact names “{data.node}”.</p>
            ) : (
              <FactGraph
                centre={data.node}
                outgoing={data.outgoing}
                incoming={data.incoming}
                onOpen={open}
              />
            )}
          </Section>
          <Section title={`About ${data.node}`}>
            <FactTable facts={data.outgoing} testId="facts-out" />
          </Section>
          <Section title={`Pointing to ${data.node}`}>
            <FactTable facts={data.incoming} testId="facts-in" />
          </Section>
        </>
      ) : null}
      <PathFinder key={node} session={session} from={node} />
    </>
  )
}
