import type { TaskView } from '@agentmesh/sdk/browser'
import { Table, type Column } from '../components/table.js'
import { Badge, ErrorBox, Live, Section } from '../components/ui.js'
import { money, shortId, time } from '../format.js'
import { useLoad } from '../hooks.js'
import { href, navigate } from '../router.js'
import type { Session } from '../session.js'

const STATES = ['', 'running', 'completed', 'failed', 'timed_out', 'canceled', 'disputed']

const TASK_COLUMNS: Column<TaskView>[] = [
  { head: 'Task', cell: (t) => <a href={href(['tasks', t.id])}>{shortId(t.id, 8)}</a> },
  { head: 'Capability', cell: (t) => <code>{t.capability}</code> },
  { head: 'State', cell: (t) => <Badge state={t.state} /> },
  {
    head: 'Provider',
    className: 'hide-narrow',
    cell: (t) => shortId(t.providerId),
    cellProps: (t) => ({ title: t.providerId ?? '' }),
  },
  { head: 'Paid', cell: (t) => money(t.settlement.paid) },
  { head: 'Created', className: 'hide-narrow', cell: (t) => time(t.createdAt) },
]

/** The newest tasks (all of them for an admin, your own otherwise), refreshed every second. */
export function TasksPage({ session, query }: { session: Session; query: URLSearchParams }) {
  const state = query.get('state') ?? ''
  const tasks = useLoad(
    () =>
      session.mesh.request<{ tasks: TaskView[] }>('GET', '/v1/tasks', undefined, {
        limit: 50,
        state: state || undefined,
      }),
    [session, state],
    1000,
  )
  return (
    <>
      <div className="page-head">
        <h1>Tasks</h1>
        <Live live={!tasks.error && tasks.data !== undefined} />
        <label className="inline">
          State
          <select value={state} onChange={(e) => navigate(['tasks'], { state: e.target.value })}>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s || 'any'}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBox error={tasks.error} />
      <Section title="Newest first">
        <Table
          columns={TASK_COLUMNS}
          rows={tasks.data?.tasks}
          rowKey={(t) => t.id}
          mark="task"
          empty="No task yet."
        />
      </Section>
    </>
  )
}
