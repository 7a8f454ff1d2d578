import { parseAmount } from '@agentmesh/protocol'
import type { AuditEvent, AuditSink } from '../ports/audit-sink.js'

/** What metrics and alerts learn from the audit trail of the ledger and of sign-ins. */
export type AuditSignal =
  /** Money moved: a posted transfer, or the posting of a pending one. */
  | { kind: 'transfer'; code: string; currency: string; amountMicros: bigint }
  /** The ledger refused a transfer; `actor` asked for it (the payer, for an escrow). */
  | { kind: 'transfer_refused'; reason: string; actor: string }
  | { kind: 'login_failed'; code: string }

const MOVES_MONEY = new Set(['transfer.created', 'transfer.posted'])

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)

/** Reads one audit event as a signal, or undefined when it carries none. */
export function auditSignal(event: AuditEvent): AuditSignal | undefined {
  const details = event.details ?? {}
  if (event.action.startsWith('transfer.')) {
    if (event.result !== 'ok') {
      const reason = text(details.reason)
      return reason ? { kind: 'transfer_refused', reason, actor: event.actor } : undefined
    }
    const amount = text(details.amount)
    const currency = text(details.currency)
    const code = text(details.code)
    if (!MOVES_MONEY.has(event.action) || !amount || !currency || !code) return undefined
    try {
      return { kind: 'transfer', code, currency, amountMicros: parseAmount(amount) }
    } catch {
      return undefined
    }
  }
  if (event.action === 'auth.login' && event.result === 'denied') {
    return { kind: 'login_failed', code: text(details.code) ?? 'UNKNOWN' }
  }
  return undefined
}

/**
 * An audit sink that also hands each recorded event's signal to `observers`: how the ledger's
 * volume and refusals reach metrics and alerts without the ledger knowing of either.
 */
export function observedAudit(
  sink: AuditSink,
  observers: readonly ((signal: AuditSignal) => void)[],
): AuditSink {
  return {
    async record(event) {
      await sink.record(event)
      const signal = auditSignal(event)
      if (signal) for (const observe of observers) observe(signal)
    },
  }
}
