import type { FlJobView, FlRoundView } from '@agentmesh/sdk/browser'
import { useState, type FormEvent } from 'react'
import { LineChart } from '../components/line-chart.js'
import { Badge, ErrorBox, Id, Live, Section } from '../components/ui.js'
import { money, shortId, time } from '../format.js'
import { useLoad, useStream } from '../hooks.js'
import { href, navigate } from '../router.js'
import { isAdmin, type Session } from '../session.js'

/** A small job on the digits, as a starting point for the form. */
const exampleJob = {
  name: 'digits',
  model: { kind: 'logreg', inputs: 64, classes: 10, seed: 1 },
  rounds: 5,
  train: { epochs: 2, batchSize: 16, learningRate: 0.1, momentum: 0.5, seed: 1 },
  trainers: { count: 5 },
  strategy: { name: 'fedavg' },
  validators: { count: 4 },
  acceptance: { minAccuracy: 0.3 },
  budget: { amount: '0.5', currency: 'USD' },
}

const percent = (value: number | null | undefined): string =>
  value === null || value === undefined ? '—' : `${(value * 100).toFixed(1)}%`

const accepted = (round: FlRoundView): string =>
  `${round.contributions.filter((c) => c.state === 'accepted').length}/${round.contributions.length}`

/** Start a job from a JSON spec; the jobs so far, newest first. */
export function FlPage({ session }: { session: Session }) {
  const [spec, setSpec] = useState(() => JSON.stringify(exampleJob, null, 2))
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const jobs = useLoad(() => session.mesh.fl.list({ limit: 50 }), [session], 2000)
  const start = async (event: FormEvent) => {
    event.preventDefault()
    setError(undefined)
    setBusy(true)
    try {
      const job = await session.mesh.fl.create(JSON.parse(spec) as FlJobView['spec'])
      navigate(['fl', job.id])
    } catch (caught) {
      setError(caught)
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <div className="page-head">
        <h1>Federated learning</h1>
      </div>
      <form className="card pipeline-form" onSubmit={(e) => void start(e)}>
        <label>
          <span>Job (model, rounds, trainers, strategy, validators, budget)</span>
          <textarea
            name="spec"
            rows={14}
            spellCheck={false}
            value={spec}
            onChange={(e) => setSpec(e.target.value)}
          />
        </label>
        <ErrorBox error={error} />
        <button className="primary" type="submit" disabled={busy}>
          {busy ? 'Starting…' : 'Start job'}
        </button>
      </form>
      <Section
        title={isAdmin(session) ? 'Jobs of everyone' : 'Your jobs'}
        actions={<Live live={!jobs.error && jobs.data !== undefined} />}
      >
        <ErrorBox error={jobs.error} />
        {jobs.data?.length === 0 ? <p className="muted">No job yet.</p> : null}
        <div className="table-wrap">
          <table className="table" data-testid="fl-jobs">
            <thead>
              <tr>
                <th>Job</th>
                <th className="hide-narrow">Name</th>
                <th>State</th>
                <th>Model</th>
                <th>Paid</th>
                <th className="hide-narrow">Started</th>
              </tr>
            </thead>
            <tbody>
              {jobs.data?.map((job) => (
                <tr key={job.id} data-job={job.id}>
                  <td>
                    <a href={href(['fl', job.id])} title={job.id}>
                      {shortId(job.id, 8)}
                    </a>
                  </td>
                  <td className="hide-narrow">{job.name ?? '—'}</td>
                  <td>
                    <Badge state={job.state} />
                  </td>
                  <td>
                    round {job.currentModel.round} of {job.spec.rounds}
                  </td>
                  <td>{money(job.paid)}</td>
                  <td className="hide-narrow">{time(job.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
    </>
  )
}

/** One job: accuracy per round, live; each round's contributions, payouts and certificate. */
export function FlJobPage({ session, id }: { session: Session; id: string }) {
  const loaded = useLoad(() => session.mesh.fl.get(id), [session, id])
  const [job, setJob] = useState<FlJobView>()
  const current = job ?? loaded.data
  const stream = useStream(
    (signal) => session.mesh.fl.events(id, { signal }),
    (event) => {
      // A round moved or the job ended: read it whole (contributions, payouts, certificate).
      if (event.event === 'snapshot') setJob(event.data)
      else void session.mesh.fl.get(id).then(setJob, () => undefined)
    },
    [session, id],
  )
  if (!current) return <ErrorBox error={loaded.error ?? stream.error} />
  const rounds = current.rounds
  // The model in force after each round: a rejected round leaves the last approved one's.
  let inForce: number | null = null
  const modelLine = rounds.map((r) => (r.state === 'approved' ? (inForce = r.accuracy) : inForce))
  return (
    <>
      <div className="page-head">
        <h1>{current.name ?? 'Federated-learning job'}</h1>
        <Badge state={current.state} />
        {current.state === 'running' ? <Live live={stream.live} /> : null}
      </div>
      <p>
        <Id value={current.id} />
      </p>
      <ErrorBox error={stream.error ?? current.error} />
      <Section title="Accuracy per round">
        <LineChart
          lines={[
            { label: 'model in force', tone: 'a', values: modelLine },
            { label: 'proposed', tone: 'b', values: rounds.map((r) => r.accuracy) },
          ]}
          format={(v) => `${Math.round(v * 100)}%`}
          caption="Validators' median accuracy on their held-out data"
          from="round 1"
          to={`round ${Math.max(1, rounds.length)}`}
        />
        <p className="muted small" data-testid="fl-summary">
          Model of round {current.currentModel.round} ({shortId(current.currentModel.hash, 10)}) ·
          paid {money(current.paid)} of {money(current.escrowed)} escrowed ·{' '}
          {money(current.pricePerUpdate)} per accepted update · {current.validators.length}{' '}
          validators, f={current.f}
        </p>
      </Section>
      <Section title="Rounds">
        <div className="table-wrap">
          <table className="table" data-testid="fl-rounds">
            <thead>
              <tr>
                <th>Round</th>
                <th>State</th>
                <th>Accuracy</th>
                <th>Accepted</th>
                <th className="hide-narrow">Signatures</th>
                <th className="hide-narrow">Note</th>
              </tr>
            </thead>
            <tbody>
              {rounds.map((r) => (
                <tr key={r.round} data-round={r.round}>
                  <td>{r.round}</td>
                  <td>
                    <Badge state={r.state} />
                  </td>
                  <td>{percent(r.accuracy)}</td>
                  <td>{accepted(r)}</td>
                  <td className="hide-narrow">
                    {r.certificate
                      ? `${r.certificate.signatures.length} of ${r.certificate.validators.length}`
                      : '—'}
                  </td>
                  <td className="hide-narrow muted small">{r.error?.message ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
      {rounds.length > 0 ? <Contributions round={rounds[rounds.length - 1]!} /> : null}
    </>
  )
}

/** Who trained in a round, what became of each update and what it earned. */
function Contributions({ round }: { round: FlRoundView }) {
  return (
    <Section title={`Trainers of round ${round.round}`}>
      <div className="table-wrap">
        <table className="table" data-testid="fl-contributions">
          <thead>
            <tr>
              <th>Trainer</th>
              <th>Update</th>
              <th>Paid</th>
              <th className="hide-narrow">Task</th>
            </tr>
          </thead>
          <tbody>
            {round.contributions.map((c) => (
              <tr key={c.trainer}>
                <td>
                  <a href={href(['agents', c.trainer])} title={c.trainer}>
                    {shortId(c.trainer, 6)}
                  </a>
                </td>
                <td>
                  <Badge state={c.state} />
                </td>
                <td>{money(c.paid)}</td>
                <td className="hide-narrow">
                  {c.taskId ? <a href={href(['tasks', c.taskId])}>open</a> : '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  )
}
