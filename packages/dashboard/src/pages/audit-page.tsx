import type { AuditEntry, AuditTreeHead } from '@agentmesh/sdk/browser'
import { useState, type FormEvent } from 'react'
import { checkHead, verifyEntryProof, type ProofCheck } from '../audit-proof.js'
import { Badge, ErrorBox, Id, Json, Section } from '../components/ui.js'
import { count, dateTime, shortId, time } from '../format.js'
import { useLoad } from '../hooks.js'
import { navigate } from '../router.js'
import { isAdmin, type Session } from '../session.js'

const PAGE = 25

function Checks({ checks }: { checks: ProofCheck[] }) {
  const ok = checks.every((c) => c.ok)
  return (
    <div className={`verdict ${ok ? 'ok' : 'bad'}`} data-testid="proof-verdict" data-ok={ok}>
      <strong>{ok ? '✓ Proof verified in this browser' : '✗ Proof failed'}</strong>
      <ul className="checks">
        {checks.map((c) => (
          <li key={c.name} className={c.ok ? 'ok' : 'bad'}>
            {c.ok ? '✓' : '✗'} {c.name}
            <div className="small muted">{c.detail}</div>
          </li>
        ))}
      </ul>
    </div>
  )
}

function EntryRow({
  session,
  entry,
  head,
}: {
  session: Session
  entry: AuditEntry
  head: AuditTreeHead | undefined
}) {
  const [open, setOpen] = useState(false)
  const [checks, setChecks] = useState<ProofCheck[]>()
  const [error, setError] = useState<unknown>()
  const covered = head !== undefined && entry.seq <= head.size
  const verify = async () => {
    if (!head) return
    setError(undefined)
    try {
      setChecks(await verifyEntryProof(session, entry, head))
    } catch (caught) {
      setError(caught)
    }
  }
  return (
    <li className="entry" data-seq={entry.seq}>
      <div className="entry-main">
        <span className="seq">#{entry.seq}</span>
        <code>{entry.action}</code>
        <Badge state={entry.result} />
        <span className="muted hide-narrow" title={entry.resource}>
          {shortId(entry.resource, 10)}
        </span>
        <span className="muted">{time(entry.time)}</span>
        <button className="link" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? 'Hide' : 'Details'}
        </button>
        <button
          onClick={() => void verify()}
          disabled={!covered}
          title={covered ? 'Verify its inclusion proof here' : 'Not yet covered by a signed head'}
        >
          Verify proof
        </button>
      </div>
      {open ? (
        <div className="entry-detail">
          <div className="small">
            actor <Id value={entry.actor} />
          </div>
          <Json value={entry.details} />
        </div>
      ) : null}
      <ErrorBox error={error} />
      {checks ? <Checks checks={checks} /> : null}
    </li>
  )
}

/** The audit log: the signed tree head, entries, and inclusion proofs checked in the browser. */
export function AuditPage({ session, query }: { session: Session; query: URLSearchParams }) {
  const head = useLoad(() => session.mesh.auditHead(), [session], 5000)
  const action = query.get('action') ?? ''
  const actor = query.get('actor') ?? ''
  const afterParam = query.get('after')
  const [form, setForm] = useState({ action, actor })
  const headSize = head.data?.size
  // By default an admin sees the newest entries the head covers; others their own from the start.
  const after =
    afterParam !== null
      ? Number(afterParam)
      : isAdmin(session) && !action && !actor && headSize !== undefined
        ? Math.max(0, headSize - PAGE)
        : 0
  const ready =
    afterParam !== null || !isAdmin(session) || action || actor || headSize !== undefined
  const entries = useLoad(
    async () =>
      ready
        ? session.mesh.auditEntries({
            limit: PAGE,
            ...(after > 0 ? { cursor: String(after) } : {}),
            ...(action ? { action } : {}),
            ...(actor ? { actor } : {}),
          })
        : undefined,
    [session, after, action, actor, ready],
  )
  const headCheck = head.data ? checkHead(head.data, session.info.did) : undefined
  const submit = (event: FormEvent) => {
    event.preventDefault()
    navigate(['audit'], form)
  }
  const page = (from: number) =>
    navigate(['audit'], { action, actor, after: String(Math.max(0, from)) })
  return (
    <>
      <div className="page-head">
        <h1>Audit</h1>
      </div>
      <Section title="Signed tree head">
        <ErrorBox error={head.error} />
        {head.data ? (
          <dl className="facts" data-testid="tree-head">
            <dt>Size</dt>
            <dd>{count(head.data.size, 'entry', 'entries')}</dd>
            <dt>Root</dt>
            <dd>
              <code className="id">{head.data.root}</code>
            </dd>
            <dt>Signed</dt>
            <dd>{dateTime(head.data.time)}</dd>
            <dt>Signature</dt>
            <dd className={headCheck?.ok ? 'ok' : 'bad'}>
              {headCheck?.ok ? '✓ valid, by this node' : `✗ ${headCheck?.detail ?? ''}`}
            </dd>
          </dl>
        ) : null}
      </Section>
      <form className="card filters" onSubmit={submit}>
        <label>
          Action
          <input
            name="action"
            placeholder="task.completed"
            value={form.action}
            onChange={(e) => setForm({ ...form, action: e.target.value })}
          />
        </label>
        <label className="wide">
          Actor (DID)
          <input
            name="actor"
            value={form.actor}
            onChange={(e) => setForm({ ...form, actor: e.target.value })}
          />
        </label>
        <button className="primary" type="submit">
          Filter
        </button>
      </form>
      <Section
        title="Entries"
        actions={
          <>
            <button onClick={() => page(after - PAGE)} disabled={after <= 0}>
              Older
            </button>
            <button
              onClick={() => entries.data?.nextCursor && page(Number(entries.data.nextCursor))}
              disabled={!entries.data?.nextCursor}
            >
              Newer
            </button>
          </>
        }
      >
        <ErrorBox error={entries.error} />
        {entries.data?.entries.length === 0 ? <p className="muted">No entries.</p> : null}
        <ul className="entries">
          {entries.data?.entries.map((e) => (
            <EntryRow key={e.seq} session={session} entry={e} head={head.data} />
          ))}
        </ul>
      </Section>
    </>
  )
}
