import { describe, expect, it } from 'vitest'
import { auditSignal, observedAudit } from '../../../src/core/alerts/audit-signals.js'
import type { AuditEvent } from '../../../src/core/ports/audit-sink.js'

const transfer = (action: string, result: AuditEvent['result'], details: object): AuditEvent => ({
  actor: 'did:key:zA',
  action,
  resource: 'transfer:t1',
  result,
  details: details as Record<string, unknown>,
})

describe('audit signals', () => {
  it('reads money moved from posted transfers and postings, never from reservations', () => {
    const details = { code: 'payment', amount: '0.015', currency: 'USD' }
    expect(auditSignal(transfer('transfer.created', 'ok', details))).toEqual({
      kind: 'transfer',
      code: 'payment',
      currency: 'USD',
      amountMicros: 15_000n,
    })
    expect(
      auditSignal(transfer('transfer.posted', 'ok', { ...details, code: 'escrow' })),
    ).toMatchObject({
      kind: 'transfer',
      code: 'escrow',
    })
    expect(auditSignal(transfer('transfer.pending', 'ok', details))).toBeUndefined()
    expect(auditSignal(transfer('transfer.voided', 'ok', details))).toBeUndefined()
  })

  it('reads refusals with their reason and who asked, and failed sign-ins with their code', () => {
    expect(
      auditSignal(transfer('transfer.pending', 'denied', { reason: 'budget_exceeded' })),
    ).toEqual({
      kind: 'transfer_refused',
      reason: 'budget_exceeded',
      actor: 'did:key:zA',
    })
    const login: AuditEvent = {
      actor: 'did:key:zA',
      action: 'auth.login',
      resource: 'principal:did:key:zA',
      result: 'denied',
      details: { code: 'SIGNATURE_INVALID' },
    }
    expect(auditSignal(login)).toEqual({ kind: 'login_failed', code: 'SIGNATURE_INVALID' })
    expect(auditSignal({ ...login, result: 'ok' })).toBeUndefined()
  })

  it('passes every event on to the sink and the signals to the observers, after recording', async () => {
    const recorded: AuditEvent[] = []
    const seen: unknown[] = []
    const sink = observedAudit(
      {
        record: (e) => {
          recorded.push(e)
          return Promise.resolve()
        },
      },
      [(signal) => seen.push([recorded.length, signal.kind])],
    )
    await sink.record(
      transfer('transfer.created', 'ok', { code: 'mint', amount: '1', currency: 'USD' }),
    )
    await sink.record({ ...transfer('agent.register', 'ok', {}), resource: 'agent:x' })
    expect(recorded).toHaveLength(2)
    expect(seen).toEqual([[1, 'transfer']])
  })
})
