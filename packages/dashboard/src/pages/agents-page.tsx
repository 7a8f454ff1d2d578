import type { ScorePartName, SearchOptions, SearchResult } from '@agentmesh/sdk/browser'
import { useState, type FormEvent } from 'react'
import { Badge, ErrorBox, Live, Section } from '../components/ui.js'
import { money } from '../format.js'
import { useLoad, useStream } from '../hooks.js'
import { href, navigate } from '../router.js'
import type { Session } from '../session.js'

const FILTERS = ['q', 'capability', 'tags', 'maxPrice', 'minReputation', 'maxLatencyMs'] as const
type Filter = (typeof FILTERS)[number]
const LABELS: Record<Filter, string> = {
  q: 'Search',
  capability: 'Capability id',
  tags: 'Tags (comma)',
  maxPrice: 'Max price (USD)',
  minReputation: 'Min reputation (0–5)',
  maxLatencyMs: 'Max p95 latency (ms)',
}
const PARTS: ScorePartName[] = ['relevance', 'price', 'latency', 'reputation', 'liveness', 'load']

function optionsOf(query: URLSearchParams): SearchOptions {
  const number = (name: string) => {
    const text = query.get(name)
    return text ? Number(text) : undefined
  }
  const options: SearchOptions = { explain: true, limit: 50 }
  const capability = query.get('capability')
  const tags = query.get('tags')
  const maxPrice = query.get('maxPrice')
  if (capability) options.capability = capability
  if (tags)
    options.tags = tags
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean)
  if (maxPrice) options.maxPrice = maxPrice
  const minReputation = number('minReputation')
  const maxLatencyMs = number('maxLatencyMs')
  if (minReputation !== undefined) options.minReputation = minReputation
  if (maxLatencyMs !== undefined) options.maxLatencyMs = maxLatencyMs
  if (query.get('online') === 'true') options.online = true
  if (query.get('scope') === 'federation') options.scope = 'federation'
  return options
}

/** Why a result ranked where it did: each part's value, weight and reason. */
function Explanation({ result }: { result: SearchResult }) {
  if (!result.explain) return null
  return (
    <table className="explain">
      <tbody>
        {PARTS.map((name) => {
          const part = result.explain!.parts[name]
          if (!part) return null
          return (
            <tr key={name}>
              <th>{name}</th>
              <td className="bar-cell">
                <span className="bar" style={{ width: `${Math.round(part.value * 100)}%` }} />
              </td>
              <td className="num">
                {part.value.toFixed(2)} × {part.weight.toFixed(2)} = {part.contribution.toFixed(3)}
              </td>
              <td className="reason">{part.reason}</td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

/** Where a federated result is served: the peer node's DID (shortened) and the latency to it. */
function RemoteNode({ node }: { node: NonNullable<SearchResult['node']> }) {
  const short = `${node.did.slice(0, 14)}…${node.did.slice(-6)}`
  return (
    <span className="remote-node" data-node={node.did} title={`Served by peer node ${node.did}`}>
      remote · node {short}
      {node.latencyMs === undefined ? '' : ` · ${Math.round(node.latencyMs)} ms`}
    </span>
  )
}

/**
 * Search the registry with filters (and, with "Other nodes", the federation's peers: their
 * results name their node); every result explains its rank; changes re-run the search.
 */
export function AgentsPage({ session, query }: { session: Session; query: URLSearchParams }) {
  const [form, setForm] = useState<Record<string, string>>(() =>
    Object.fromEntries([...FILTERS, 'online', 'scope'].map((f) => [f, query.get(f) ?? ''])),
  )
  const [open, setOpen] = useState<string | undefined>()
  const [changes, setChanges] = useState(0)
  const key = query.toString()
  // Each answer carries the query it answers, so stale results are marked busy until replaced.
  const results = useLoad(
    async () => ({ key, page: await session.mesh.search(query.get('q') ?? '', optionsOf(query)) }),
    [session, key, changes],
  )
  const found = results.data?.page.results
  const watch = useStream(
    (signal) => session.mesh.watch({ signal }),
    () => setChanges((n) => n + 1),
    [session],
  )
  const submit = (event: FormEvent) => {
    event.preventDefault()
    navigate(['agents'], form)
  }
  return (
    <>
      <div className="page-head">
        <h1>Agents</h1>
        <Live live={watch.live} />
      </div>
      <form className="card filters" onSubmit={submit} role="search">
        {FILTERS.map((name) => (
          <label key={name} className={name === 'q' ? 'wide' : ''}>
            {LABELS[name]}
            <input
              name={name}
              value={form[name] ?? ''}
              inputMode={
                name === 'q' || name === 'capability' || name === 'tags' ? 'text' : 'decimal'
              }
              onChange={(e) => setForm({ ...form, [name]: e.target.value })}
            />
          </label>
        ))}
        <label className="check">
          <input
            type="checkbox"
            name="online"
            checked={form.online === 'true'}
            onChange={(e) => setForm({ ...form, online: e.target.checked ? 'true' : '' })}
          />
          Online only
        </label>
        <label className="check">
          <input
            type="checkbox"
            name="scope"
            checked={form.scope === 'federation'}
            onChange={(e) => setForm({ ...form, scope: e.target.checked ? 'federation' : '' })}
          />
          Other nodes (federation)
        </label>
        <button className="primary" type="submit">
          Search
        </button>
      </form>
      <ErrorBox error={results.error} />
      <Section title={`Results${found ? ` (${found.length})` : ''}`}>
        {found?.length === 0 ? <p className="muted">No agent matches.</p> : null}
        <ul
          className="results"
          data-query={results.data?.key}
          aria-busy={results.data?.key !== key}
        >
          {found?.map((r) => {
            const rowKey = `${r.node?.did ?? ''}/${r.agentId}/${r.capabilityId}`
            return (
              <li
                key={rowKey}
                className="result"
                data-agent={r.agentId}
                data-remote={r.node ? 'true' : undefined}
              >
                <div className="result-main">
                  <a className="result-name" href={href(['agents', r.agentId])}>
                    {r.agentName}
                  </a>
                  <code>{r.capabilityId}</code>
                  <Badge state={r.online ? 'online' : 'offline'} />
                  {r.node ? <RemoteNode node={r.node} /> : null}
                  <span className="price">{money(r.price)}</span>
                  <span className="score" title="Score, 0 to 1">
                    {r.score.toFixed(3)}
                  </span>
                  <button
                    className="link"
                    aria-expanded={open === rowKey}
                    onClick={() => setOpen(open === rowKey ? undefined : rowKey)}
                  >
                    {open === rowKey ? 'Hide why' : 'Why?'}
                  </button>
                </div>
                <div className="muted small">{r.description}</div>
                {open === rowKey ? <Explanation result={r} /> : null}
              </li>
            )
          })}
        </ul>
      </Section>
    </>
  )
}
