import type { StreamEvent, TaskView } from '@agentmesh/sdk/browser'
import { useState } from 'react'
import { Table, type Column } from '../components/table.js'
import { Badge, ErrorBox, Id, Json, ObjectHead, Section } from '../components/ui.js'
import { dateTime, money, time } from '../format.js'
import { useLoad, useStream } from '../hooks.js'
import { href } from '../router.js'
import type { Session } from '../session.js'

const FINAL = new Set(['completed', 'failed', 'timed_out', 'canceled', 'disputed'])

const ATTEMPT_COLUMNS: Column<TaskView['attempts'][number]>[] = [
  { head: '#', cell: (a) => a.n },
  { head: 'Agent', cell: (a) => <Id value={a.agentId} /> },
  { head: 'Outcome', cell: (a) => (a.outcome ? <Badge state={a.outcome} /> : '…') },
  { head: 'Started', cell: (a) => time(a.startedAt) },
]

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
      <ObjectHead
        title="Task"
        state={task.state}
        live={running ? stream.live : undefined}
        id={task.id}
      />
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
        <Table columns={ATTEMPT_COLUMNS} rows={task.attempts} rowKey={(a) => a.n} emptyHidesTable />
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
