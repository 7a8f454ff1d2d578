import type { FlJobView, FlRoundView } from '@agentmesh/sdk/browser'
import { useState } from 'react'
import { LineChart } from '../components/line-chart.js'
import { JsonArea, StartForm } from '../components/start-form.js'
import { Table, type Column } from '../components/table.js'
import { Badge, ErrorBox, Live, ObjectHead, Section } from '../components/ui.js'
import { money, percent, shortId, time } from '../format.js'
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

const accepted = (round: FlRoundView): string =>
  `${round.contributions.filter((c) => c.state === 'accepted').length}/${round.contributions.length}`

const JOB_COLUMNS: Column<FlJobView>[] = [
  {
    head: 'Job',
    cell: (job) => (
      <a href={href(['fl', job.id])} title={job.id}>
        {shortId(job.id, 8)}
      </a>
    ),
  },
  { head: 'Name', className: 'hide-narrow', cell: (job) => job.name ?? '—' },
  { head: 'State', cell: (job) => <Badge state={job.state} /> },
  {
    head: 'Model',
    cell: (job) => (
      <>
        round {job.currentModel.round} of {job.spec.rounds}
      </>
    ),
  },
  { head: 'Paid', cell: (job) => money(job.paid) },
  { head: 'Started', className: 'hide-narrow', cell: (job) => time(job.createdAt) },
]

const ROUND_COLUMNS: Column<FlRoundView>[] = [
  { head: 'Round', cell: (r) => r.round },
  { head: 'State', cell: (r) => <Badge state={r.state} /> },
  { head: 'Accuracy', cell: (r) => percent(r.accuracy) },
  { head: 'Accepted', cell: accepted },
  {
    head: 'Signatures',
    className: 'hide-narrow',
    cell: (r) =>
      r.certificate
        ? `${r.certificate.signatures.length} of ${r.certificate.validators.length}`
        : '—',
  },
  {
    head: 'Note',
    className: 'hide-narrow',
    cellClass: 'muted small',
    cell: (r) => r.error?.message ?? '',
  },
]

const CONTRIBUTION_COLUMNS: Column<FlRoundView['contributions'][number]>[] = [
  {
    head: 'Trainer',
    cell: (c) => (
      <a href={href(['agents', c.trainer])} title={c.trainer}>
        {shortId(c.trainer, 6)}
      </a>
    ),
  },
  { head: 'Update', cell: (c) => <Badge state={c.state} /> },
  { head: 'Paid', cell: (c) => money(c.paid) },
  {
    head: 'Task',
    className: 'hide-narrow',
    cell: (c) => (c.taskId ? <a href={href(['tasks', c.taskId])}>open</a> : '—'),
  },
]

/** Start a job from a JSON spec; the jobs so far, newest first. */
export function FlPage({ session }: { session: Session }) {
  const [spec, setSpec] = useState(() => JSON.stringify(exampleJob, null, 2))
  const jobs = useLoad(() => session.mesh.fl.list({ limit: 50 }), [session], 2000)
  const start = async () => {
    const job = await session.mesh.fl.create(JSON.parse(spec) as FlJobView['spec'])
    navigate(['fl', job.id])
  }
  return (
    <>
      <div className="page-head">
        <h1>Federated learning</h1>
      </div>
      <StartForm label="Start job" start={start}>
        <label>
          <span>Job (model, rounds, trainers, strategy, validators, budget)</span>
          <JsonArea name="spec" rows={14} value={spec} onChange={setSpec} />
        </label>
      </StartForm>
      <Section
        title={isAdmin(session) ? 'Jobs of everyone' : 'Your jobs'}
        actions={<Live live={!jobs.error && jobs.data !== undefined} />}
      >
        <Table
          columns={JOB_COLUMNS}
          rows={jobs.data}
          rowKey={(job) => job.id}
          mark="job"
          testId="fl-jobs"
          error={jobs.error}
          empty="No job yet."
        />
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
      <ObjectHead
        title={current.name ?? 'Federated-learning job'}
        state={current.state}
        live={current.state === 'running' ? stream.live : undefined}
        id={current.id}
      />
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
        <Table
          columns={ROUND_COLUMNS}
          rows={rounds}
          rowKey={(r) => r.round}
          mark="round"
          testId="fl-rounds"
        />
      </Section>
      {rounds.length > 0 ? <Contributions round={rounds[rounds.length - 1]!} /> : null}
    </>
  )
}

/** Who trained in a round, what became of each update and what it earned. */
function Contributions({ round }: { round: FlRoundView }) {
  return (
    <Section title={`Trainers of round ${round.round}`}>
      <Table
        columns={CONTRIBUTION_COLUMNS}
        rows={round.contributions}
        rowKey={(c) => c.trainer}
        testId="fl-contributions"
      />
    </Section>
  )
}
