import type { PipelineRunView, StreamEvent } from '@agentmesh/sdk/browser'
import { useState, type FormEvent } from 'react'
import { Dag } from '../components/dag.js'
import { Badge, ErrorBox, Id, Json, Live, Section } from '../components/ui.js'
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
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const run = async (event: FormEvent) => {
    event.preventDefault()
    setError(undefined)
    setBusy(true)
    try {
      const parsedInput = input.trim() === '' ? undefined : (JSON.parse(input) as unknown)
      const started = await session.mesh.runPipeline(JSON.parse(definition), parsedInput)
      navigate(['pipelines', started.id])
    } catch (caught) {
      setError(caught)
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <div className="page-head">
        <h1>Pipelines</h1>
      </div>
      <form className="card pipeline-form" onSubmit={(e) => void run(e)}>
        <label>
          <span>
            Definition (steps, <code>needs</code>, input templates with <code>$ref</code>)
          </span>
          <textarea
            name="definition"
            rows={16}
            spellCheck={false}
            value={definition}
            onChange={(e) => setDefinition(e.target.value)}
          />
        </label>
        <label>
          Input
          <textarea
            name="input"
            rows={3}
            spellCheck={false}
            value={input}
            onChange={(e) => setInput(e.target.value)}
          />
        </label>
        <ErrorBox error={error} />
        <button className="primary" type="submit" disabled={busy}>
          {busy ? 'Starting…' : 'Run pipeline'}
        </button>
      </form>
      <PipelineRunList session={session} />
    </>
  )
}

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
      <div className="page-head">
        <h1>{current.name ?? 'Pipeline run'}</h1>
        <Badge state={current.state} />
        {current.state === 'running' ? <Live live={stream.live} /> : null}
      </div>
      <p>
        <Id value={current.id} />
      </p>
      <ErrorBox error={stream.error} />
      <Section title="Steps">
        <Dag steps={current.steps} />
        <p className="muted small">
          Spent {money(current.spent)} of {money(current.budget)} · started{' '}
          {time(current.createdAt)}
        </p>
      </Section>
      <Section title="Step details">
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Step</th>
                <th className="hide-narrow">Capability</th>
                <th>State</th>
                <th>Task</th>
                <th className="hide-narrow">Ended</th>
              </tr>
            </thead>
            <tbody>
              {current.steps.map((s) => (
                <tr key={s.id} data-step={s.id}>
                  <td>{s.id}</td>
                  <td className="hide-narrow">
                    <code>{s.capability}</code>
                  </td>
                  <td>
                    <Badge state={s.state} />
                  </td>
                  <td>{s.taskId ? <a href={href(['tasks', s.taskId])}>open</a> : '—'}</td>
                  <td className="hide-narrow">{time(s.endedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
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
