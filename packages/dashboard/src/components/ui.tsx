import type { ReactNode } from 'react'
import { codeOf, messageOf } from '../format.js'

const STATE_TONES: Record<string, string> = {
  completed: 'ok',
  posted: 'ok',
  online: 'ok',
  ok: 'ok',
  running: 'busy',
  assigned: 'busy',
  retrying: 'warn',
  verifying: 'busy',
  pending: 'idle',
  reserved: 'idle',
  skipped: 'idle',
  failed: 'bad',
  timed_out: 'bad',
  disputed: 'bad',
  error: 'bad',
  denied: 'bad',
  canceled: 'warn',
  voided: 'warn',
  refunded: 'warn',
  offline: 'idle',
  firing: 'bad',
  resolved: 'ok',
  anomalous: 'warn',
  approved: 'ok',
  accepted: 'ok',
  training: 'busy',
  validating: 'busy',
  rejected: 'bad',
  discarded: 'bad',
  invalid: 'bad',
  dropped: 'warn',
  up: 'ok',
  draining: 'warn',
  gone: 'bad',
}

/** A state as a coloured pill (tasks, steps, settlements, alerts, cluster nodes). */
export function Badge({ state }: { state: string }) {
  return (
    <span className={`badge tone-${STATE_TONES[state] ?? 'idle'}`} data-state={state}>
      {state.replace('_', ' ')}
    </span>
  )
}

/** A failed read, with the node's error code when there is one. */
export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null
  const code = codeOf(error)
  return (
    <div className="error" role="alert">
      {code ? <strong>{code} </strong> : null}
      {messageOf(error)}
    </div>
  )
}

export function Json({ value }: { value: unknown }) {
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>
}

/** One headline figure. */
export function Figure({
  label,
  value,
  hint,
}: {
  label: string
  value: ReactNode
  hint?: string | undefined
}) {
  return (
    <div className="figure">
      <div className="figure-value">{value}</div>
      <div className="figure-label">{label}</div>
      {hint ? <div className="figure-hint">{hint}</div> : null}
    </div>
  )
}

export function Section({
  title,
  actions,
  children,
}: {
  title: ReactNode
  actions?: ReactNode | undefined
  children: ReactNode
}) {
  return (
    <section className="card">
      <header className="card-head">
        <h2>{title}</h2>
        {actions ? <div className="card-actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  )
}

export function Live({ live }: { live: boolean }) {
  return (
    <span className={`live ${live ? 'on' : ''}`} title={live ? 'Live' : 'Not following'}>
      {live ? 'live' : 'idle'}
    </span>
  )
}

/** A DID or id, shortened, with the whole value on hover and a copy on click. */
export function Id({ value, short }: { value: string | null | undefined; short?: string }) {
  if (!value) return <span className="muted">—</span>
  return (
    <code className="id" title={value}>
      {short ?? value}
    </code>
  )
}

/** The head of one object's page: its name and state, `live` while it is followed, and its id. */
export function ObjectHead({
  title,
  state,
  live,
  id,
}: {
  title: ReactNode
  state: string
  live: boolean | undefined
  id: string
}) {
  return (
    <>
      <div className="page-head">
        <h1>{title}</h1>
        <Badge state={state} />
        {live !== undefined ? <Live live={live} /> : null}
      </div>
      <p>
        <Id value={id} />
      </p>
    </>
  )
}
