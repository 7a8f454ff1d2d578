import type { StreamEvent, TaskView } from '@agentmesh/sdk/browser'
import { useState } from 'react'
import { Badge, ErrorBox, Id, Json, Live, Section } from '../components/ui.js'
import { dateTime, money, time } from '../format.js'
import { useLoad, useStream } from '../hooks.js'
import { href } from '../router.js'
import type { Session } from '../session.js'

const FINAL = new Set(['completed', 'failed', 'timed_out', 'canceled', 'disputed'])

/** One task: its state timeline (live while it runs), attempts, output and settlement. */
export function TaskDetailPage({ session, id }: { session: Session; id: string }) {
  const loaded = useLoad(() => session.mesh.task(id), [session, id])
  const [latest, setLatest] = useState<TaskView>()
  const [progress, setProgress] = useState<unknown>()
  const task = latest ?? loaded.data
  const running = loaded.data !== undefined && !FINAL.has(loaded.data.state)
  const stream = useStream<StreamEvent>(
    (signal) => (running ? session.mesh.taskEvents(id, { signal }) : undefined),
    (event) => {
      if (event.event === 'task') setLatest(event.data as TaskView)
      else if (event.event === 'state') loaded.reload()
      else if (event.event === 'progress') setProgress(event.data)
    },
    [session, id, running],
  )
  if (!task) return <ErrorBox error={loaded.error} />
  const account = `${task.requester}:${task.maxPrice.currency}`
  return (
    <>
      <div className="page-head">
        <h1>Task</h1>
        <Badge state={task.state} />
        {running ? <Live live={stream.live} /> : null}
      </div>
      <p>
        <Id value={task.id} />
      </p>
      <ErrorBox error={loaded.error ?? stream.error} />
      <div className="grid-2">
        <Section title="Timeline">
          <ol className="timeline">
            {task.history.map((h) => (
              <li key={h.seq} data-state={h.state}>
                <Badge state={h.state} />
                <span className="muted">{time(h.at)}</span>
                {h.attempt ? <span className="muted"> attempt {h.attempt}</span> : null}
                {h.message ? <div className="small">{h.message}</div> : null}
              </li>
            ))}
          </ol>
          {progress !== undefined ? <Json value={progress} /> : null}
        </Section>
        <Section title="Settlement">
          <dl className="facts">
            <dt>State</dt>
            <dd>
              <Badge state={task.settlement.state} />
            </dd>
            <dt>Paid</dt>
            <dd>{money(task.settlement.paid)}</dd>
            <dt>Max price</dt>
            <dd>{money(task.maxPrice)}</dd>
            <dt>Payee</dt>
            <dd>
              <Id value={task.settlement.payee} />
            </dd>
            <dt>Transfers</dt>
            <dd>
              <a href={href(['ledger'], { account, reference: task.id })}>Transfers of this task</a>
            </dd>
          </dl>
        </Section>
      </div>
      <Section title="Details">
        <dl className="facts">
          <dt>Capability</dt>
          <dd>
            <code>{task.capability}</code>
          </dd>
          <dt>Requester</dt>
          <dd>
            <Id value={task.requester} />
          </dd>
          <dt>Provider</dt>
          <dd>
            {task.providerId ? (
              <a href={href(['agents', task.providerId])}>
                <Id value={task.providerId} />
              </a>
            ) : (
              '—'
            )}
          </dd>
          <dt>Created</dt>
          <dd>{dateTime(task.createdAt)}</dd>
          <dt>Deadline</dt>
          <dd>{dateTime(task.deadline)}</dd>
        </dl>
        {task.attempts.length > 0 ? (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>#</th>
                  <th>Agent</th>
                  <th>Outcome</th>
                  <th>Started</th>
                </tr>
              </thead>
              <tbody>
                {task.attempts.map((a) => (
                  <tr key={a.n}>
                    <td>{a.n}</td>
                    <td>
                      <Id value={a.agentId} />
                    </td>
                    <td>{a.outcome ? <Badge state={a.outcome} /> : '…'}</td>
                    <td>{time(a.startedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <div className="grid-2">
          <div>
            <h3>Input</h3>
            <Json value={task.input} />
          </div>
          <div>
            <h3>{task.error ? 'Error' : 'Output'}</h3>
            <Json value={task.error ?? task.output} />
          </div>
        </div>
      </Section>
    </>
  )
}
