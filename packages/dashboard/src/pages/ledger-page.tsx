import type { LedgerTransfer } from '@agentmesh/sdk/browser'
import { useState, type FormEvent } from 'react'
import { Table, type Column } from '../components/table.js'
import { Badge, ErrorBox, Figure, Id, Json, Section } from '../components/ui.js'
import { money, shortId, time } from '../format.js'
import { useAction, useLoad } from '../hooks.js'
import { href, navigate } from '../router.js'
import { isAdmin, type Session } from '../session.js'

const PAGE = 200

/** The task ids whose transfers to show: one task, the steps of a run, or all (undefined). */
async function referencesOf(
  session: Session,
  query: URLSearchParams,
): Promise<Set<string> | undefined> {
  const reference = query.get('reference')
  if (reference) return new Set([reference])
  const run = query.get('run')
  if (!run) return undefined
  const view = await session.mesh.pipelineRun(run)
  return new Set(view.steps.flatMap((s) => (s.taskId ? [s.taskId] : [])))
}

/** The transfers' columns, the amount signed as it moves in or out of `account`. */
const transferColumns = (account: string): Column<LedgerTransfer>[] => [
  { head: 'Code', cell: (t) => t.code },
  {
    head: 'Kind',
    cell: (t) => (
      <>
        {t.kind} {t.state ? <Badge state={t.state} /> : null}
      </>
    ),
    cellProps: (t) => ({ 'data-kind': t.kind }),
  },
  {
    head: 'Amount',
    cell: (t) => `${t.debitAccount === account ? '−' : '+'}${money(t.amount)}`,
    cellProps: (t) => ({
      className: `${t.debitAccount === account ? 'out' : 'in'}${t.kind === 'pending' ? ' hold' : ''}`,
      title: t.kind === 'pending' ? 'A hold: what was posted of it is its own transfer' : undefined,
    }),
  },
  {
    head: 'From',
    className: 'hide-narrow',
    cell: (t) => shortId(t.debitAccount),
    cellProps: (t) => ({ title: t.debitAccount }),
  },
  {
    head: 'To',
    className: 'hide-narrow',
    cell: (t) => shortId(t.creditAccount),
    cellProps: (t) => ({ title: t.creditAccount }),
  },
  {
    head: 'Task',
    cell: (t) =>
      t.reference ? <a href={href(['tasks', t.reference])}>{shortId(t.reference, 6)}</a> : '—',
  },
  { head: 'At', className: 'hide-narrow', cell: (t) => time(t.createdAt) },
]

function Verify({ session }: { session: Session }) {
  const [report, setReport] = useState<unknown>()
  const { busy, error, run } = useAction()
  if (!isAdmin(session)) return <p className="muted">Verifying the ledger needs the admin token.</p>
  const verify = () => run(async () => setReport(await session.mesh.verifyLedger()))
  const ok = (report as { ok?: boolean } | undefined)?.ok
  return (
    <>
      <button onClick={() => void verify()} disabled={busy}>
        {busy ? 'Verifying…' : 'Verify the ledger'}
      </button>
      {report !== undefined ? (
        <div className={`verdict ${ok ? 'ok' : 'bad'}`} data-testid="ledger-verdict">
          {ok ? '✓ Balances and invariants hold' : '✗ The ledger has problems'}
          <Json value={report} />
        </div>
      ) : null}
      <ErrorBox error={error} />
    </>
  )
}

/** An account's balance and transfers (filtered to a task or a run's tasks), and verification. */
export function LedgerPage({ session, query }: { session: Session; query: URLSearchParams }) {
  const currency = session.info.currencies[0] ?? 'USD'
  const account = query.get('account') ?? `${session.did}:${currency}`
  const [typed, setTyped] = useState(account)
  const key = query.toString()
  const balance = useLoad(() => session.mesh.account(account), [session, account], 3000)
  const transfers = useLoad(async () => {
    const [page, references] = await Promise.all([
      session.mesh.accountTransfers(account, { limit: PAGE }),
      referencesOf(session, query),
    ])
    const shown = references
      ? page.transfers.filter((t) => t.reference !== undefined && references.has(t.reference))
      : page.transfers
    return { shown, filtered: references !== undefined }
  }, [session, key])
  const submit = (event: FormEvent) => {
    event.preventDefault()
    navigate(['ledger'], { account: typed.trim() })
  }
  const b = balance.data
  const filter = query.get('reference') ?? query.get('run')
  return (
    <>
      <div className="page-head">
        <h1>Ledger</h1>
      </div>
      <form className="card filters" onSubmit={submit}>
        <label className="wide">
          <span>
            Account (<code>DID:CURRENCY</code>)
          </span>
          <input name="account" value={typed} onChange={(e) => setTyped(e.target.value)} />
        </label>
        <button className="primary" type="submit">
          Open
        </button>
      </form>
      <ErrorBox error={balance.error} />
      {b ? (
        <Section
          title={
            <>
              Account <Id value={b.id} short={shortId(b.id, 8)} />
            </>
          }
        >
          <div className="figures">
            <Figure label="available" value={money(b.available)} />
            <Figure label="posted" value={money(b.posted)} />
            <Figure label="pending out" value={money(b.pending)} />
            <Figure label="pending in" value={money(b.incoming)} />
          </div>
        </Section>
      ) : null}
      <Section
        title={
          filter
            ? `Transfers of ${query.get('run') ? 'run' : 'task'} ${shortId(filter, 8)}`
            : 'Transfers'
        }
        actions={filter ? <a href={href(['ledger'], { account })}>Show all</a> : undefined}
      >
        <Table
          columns={transferColumns(account)}
          rows={transfers.data?.shown}
          rowKey={(t) => t.id}
          mark="transfer"
          testId="transfers"
          error={transfers.error}
          empty={`No transfer${transfers.data?.filtered ? ' matches' : ' yet'}.`}
        />
      </Section>
      <Section title="Verify">
        <Verify session={session} />
      </Section>
    </>
  )
}
