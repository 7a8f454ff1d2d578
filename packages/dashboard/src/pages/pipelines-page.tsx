import type { PipelineRunView, StreamEvent } from '@agentmesh/sdk/browser'
import { useState } from 'react'
import { Dag } from '../components/dag.js'
import { JsonArea, StartForm } from '../components/start-form.js'
import { Table, type Column } from '../components/table.js'
import { Badge, ErrorBox, Json, ObjectHead, Section } from '../components/ui.js'
import { exampleInput, examplePipeline } from '../example-pipeline.js'
import { money, time } from '../format.js'
import { useLoad, useStream } from '../hooks.js'
import { href, navigate } from '../router.js'
import type { Session } from '../session.js'
import { PipelineRunList } from './pipeline-run-list.js'

/** Write a definition (JSON) and run it; the runs so far, newest first. */
export function PipelinesPage({ session }: { session: Session }) {
  const [definition, setDefinition] = useState(() => JSON.stringify(examplePipeline, null, 2))
  const [input, setInput] = useState(() => JSON.stringify(exampleInput, null, 2))
  const start = async () => {
    const parsedInput = input.trim() === '' ? undefined : (JSON.parse(input) as unknown)
    const started = await session.mesh.runPipeline(JSON.parse(definition), parsedInput)
    navigate(['pipelines', started.id])
  }
  return (
    <>
      <div className="page-head">
        <h1>Pipelines</h1>
      </div>
      <StartForm label="Run pipeline" start={start}>
        <label>
          <span>
            Definition (steps, <code>needs</code>, input templates with <code>$ref</code>)
          </span>
          <JsonArea name="definition" rows={16} value={definition} onChange={setDefinition} />
        </label>
        <label>
          Input
          <JsonArea name="input" rows={3} value={input} onChange={setInput} />
        </label>
      </StartForm>
      <PipelineRunList session={session} />
    </>
  )
}

const STEP_COLUMNS: Column<PipelineRunView['steps'][number]>[] = [
  { head: 'Step', cell: (s) => s.id },
  { head: 'Capability', className: 'hide-narrow', cell: (s) => <code>{s.capability}</code> },
  { head: 'State', cell: (s) => <Badge state={s.state} /> },
  { head: 'Task', cell: (s) => (s.taskId ? <a href={href(['tasks', s.taskId])}>open</a> : '—') },
  { head: 'Ended', className: 'hide-narrow', cell: (s) => time(s.endedAt) },
]

/** One run: its DAG, each step's state changing live, outputs, spend and the steps' tasks. */
export function PipelineRunPage({ session, id }: { session: Session; id: string }) {
  const loaded = useLoad(() => session.mesh.pipelineRun(id), [session, id])
  const [run, setRun] = useState<PipelineRunView>()
  const current = run ?? loaded.data
  const stream = useStream<StreamEvent>(
    (signal) => session.mesh.pipelineEvents(id, { signal }),
    (event) => {
      if (event.event === 'snapshot') setRun(event.data as PipelineRunView)
      else if (event.event === 'step') {
        const data = event.data as { step: string } & Partial<PipelineRunView['steps'][number]>
        setRun((previous) =>
          previous
            ? {
                ...previous,
                steps: previous.steps.map((s) => (s.id === data.step ? { ...s, ...data } : s)),
              }
            : previous,
        )
      } else if (event.event === 'run') {
        // The run ended: read it whole (outputs, spend).
        void session.mesh.pipelineRun(id).then(setRun, () => undefined)
      }
    },
    [session, id],
  )
  if (!current) return <ErrorBox error={loaded.error ?? stream.error} />
  return (
    <>
      <ObjectHead
        title={current.name ?? 'Pipeline run'}
        state={current.state}
        live={current.state === 'running' ? stream.live : undefined}
        id={current.id}
      />
      <ErrorBox error={stream.error} />
      <Section title="Steps">
        <Dag steps={current.steps} />
        <p className="muted small">
          Spent {money(current.spent)} of {money(current.budget)} · started{' '}
          {time(current.createdAt)}
        </p>
      </Section>
      <Section title="Step details">
        <Table columns={STEP_COLUMNS} rows={current.steps} rowKey={(s) => s.id} mark="step" />
        {current.state !== 'running' ? (
          <>
            <h3>Outputs</h3>
            <Json
              value={Object.fromEntries(current.steps.map((s) => [s.id, s.error ?? s.output]))}
            />
            <p>
              <a
                href={href(['ledger'], {
                  account: `${current.requester}:${current.budget.currency}`,
                  run: current.id,
                })}
              >
                Find this run’s transfers in the ledger
              </a>
            </p>
          </>
        ) : null}
      </Section>
    </>
  )
}
