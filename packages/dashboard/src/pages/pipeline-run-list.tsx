import type { PipelineRunView } from '@agentmesh/sdk/browser'
import { useState } from 'react'
import { Table, type Column } from '../components/table.js'
import { Badge, Live, Section } from '../components/ui.js'
import { money, shortId, time } from '../format.js'
import { useLoad } from '../hooks.js'
import { href } from '../router.js'
import { isAdmin, type Session } from '../session.js'

const PAGE = 20

/** The runs' columns; an admin, who sees everyone's runs, also sees who asked for each. */
const runColumns = (admin: boolean): Column<PipelineRunView>[] => [
  {
    head: 'Run',
    cell: (run) => (
      <a href={href(['pipelines', run.id])} title={run.id}>
        {shortId(run.id, 8)}
      </a>
    ),
  },
  { head: 'Name', className: 'hide-narrow', cell: (run) => run.name ?? '—' },
  { head: 'State', cell: (run) => <Badge state={run.state} /> },
  ...(admin
    ? [
        {
          head: 'Requester',
          className: 'hide-narrow',
          cell: (run: PipelineRunView) => shortId(run.requester),
          cellProps: (run: PipelineRunView) => ({ title: run.requester }),
        },
      ]
    : []),
  { head: 'Spent', cell: (run) => money(run.spent) },
  { head: 'Started', className: 'hide-narrow', cell: (run) => time(run.createdAt) },
]

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
      <Table
        columns={runColumns(admin)}
        rows={runs.data?.results}
        rowKey={(run) => run.id}
        mark="run"
        testId="pipeline-runs"
        error={runs.error}
        empty="No run yet."
      />
    </Section>
  )
}
