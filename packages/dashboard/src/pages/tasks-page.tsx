import type { TaskView } from '@agentmesh/sdk/browser'
import { Badge, ErrorBox, Live, Section } from '../components/ui.js'
import { money, shortId, time } from '../format.js'
import { useLoad } from '../hooks.js'
import { href, navigate } from '../router.js'
import type { Session } from '../session.js'

const STATES = ['', 'running', 'completed', 'failed', 'timed_out', 'canceled', 'disputed']

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
        {tasks.data?.tasks.length === 0 ? <p className="muted">No task yet.</p> : null}
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Task</th>
                <th>Capability</th>
                <th>State</th>
                <th className="hide-narrow">Provider</th>
                <th>Paid</th>
                <th className="hide-narrow">Created</th>
              </tr>
            </thead>
            <tbody>
              {tasks.data?.tasks.map((t) => (
                <tr key={t.id} data-task={t.id}>
                  <td>
                    <a href={href(['tasks', t.id])}>{shortId(t.id, 8)}</a>
                  </td>
                  <td>
                    <code>{t.capability}</code>
                  </td>
                  <td>
                    <Badge state={t.state} />
                  </td>
                  <td className="hide-narrow" title={t.providerId ?? ''}>
                    {shortId(t.providerId)}
                  </td>
                  <td>{money(t.settlement.paid)}</td>
                  <td className="hide-narrow">{time(t.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
    </>
  )
}
