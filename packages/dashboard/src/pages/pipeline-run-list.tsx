import { useState } from 'react'
import { Badge, ErrorBox, Live, Section } from '../components/ui.js'
import { money, shortId, time } from '../format.js'
import { useLoad } from '../hooks.js'
import { href } from '../router.js'
import { isAdmin, type Session } from '../session.js'

const PAGE = 20

/**
 * The node's pipeline runs, newest first (the caller's own; an admin's: everyone's), refreshed
 * every two seconds, a page at a time.
 */
export function PipelineRunList({ session }: { session: Session }) {
  // The cursors of the pages before this one; the current page's cursor is the last.
  const [cursors, setCursors] = useState<string[]>([])
  const cursor = cursors.at(-1)
  const runs = useLoad(
    () => session.mesh.pipelineRuns({ limit: PAGE, ...(cursor ? { cursor } : {}) }),
    [session, cursor],
    2000,
  )
  const next = runs.data?.nextCursor
  const admin = isAdmin(session)
  return (
    <Section
      title={admin ? 'Runs of everyone' : 'Your runs'}
      actions={
        <>
          <Live live={!runs.error && runs.data !== undefined} />
          <button onClick={() => setCursors(cursors.slice(0, -1))} disabled={!cursor}>
            Newer
          </button>
          <button onClick={() => next && setCursors([...cursors, next])} disabled={!next}>
            Older
          </button>
        </>
      }
    >
      <ErrorBox error={runs.error} />
      {runs.data?.results.length === 0 ? <p className="muted">No run yet.</p> : null}
      <div className="table-wrap">
        <table className="table" data-testid="pipeline-runs">
          <thead>
            <tr>
              <th>Run</th>
              <th className="hide-narrow">Name</th>
              <th>State</th>
              {admin ? <th className="hide-narrow">Requester</th> : null}
              <th>Spent</th>
              <th className="hide-narrow">Started</th>
            </tr>
          </thead>
          <tbody>
            {runs.data?.results.map((run) => (
              <tr key={run.id} data-run={run.id}>
                <td>
                  <a href={href(['pipelines', run.id])} title={run.id}>
                    {shortId(run.id, 8)}
                  </a>
                </td>
                <td className="hide-narrow">{run.name ?? '—'}</td>
                <td>
                  <Badge state={run.state} />
                </td>
                {admin ? (
                  <td className="hide-narrow" title={run.requester}>
                    {shortId(run.requester)}
                  </td>
                ) : null}
                <td>{money(run.spent)}</td>
                <td className="hide-narrow">{time(run.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  )
}
