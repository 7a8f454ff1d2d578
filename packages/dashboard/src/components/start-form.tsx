import type { FormEvent, ReactNode } from 'react'
import { useAction } from '../hooks.js'
import { ErrorBox } from './ui.js'

/** A text box for JSON, spelling unchecked. */
export function JsonArea({
  name,
  rows,
  value,
  onChange,
}: {
  name: string
  rows: number
  value: string
  onChange: (value: string) => void
}) {
  return (
    <textarea
      name={name}
      rows={rows}
      spellCheck={false}
      value={value}
      onChange={(e) => onChange(e.target.value)}
    />
  )
}

/** A form that starts something (a run, a job): its fields, what the last try threw, a button. */
export function StartForm({
  label,
  start,
  children,
}: {
  label: string
  start: () => Promise<void>
  children: ReactNode
}) {
  const { busy, error, run } = useAction()
  const submit = (event: FormEvent) => {
    event.preventDefault()
    void run(start)
  }
  return (
    <form className="card pipeline-form" onSubmit={submit}>
      {children}
      <ErrorBox error={error} />
      <button className="primary" type="submit" disabled={busy}>
        {busy ? 'Starting…' : label}
      </button>
    </form>
  )
}
