import {
  auditEntryBytes,
  canonicalize,
  fromHex,
  leafHash,
  sha256,
  toHex,
  utf8,
  type AuditEntry as AuditEntryWire,
  type MeshError,
} from '@agentmesh/protocol'
import type { AuditEvent } from '../ports/audit-sink.js'
import type { AuditRecord } from './audit-store.js'

/**
 * One audit entry: what is hashed into the chain and the Merkle tree, as the canonical JSON
 * (RFC 8785) of exactly these seven fields. Seq 1 is the first entry, leaf 0 of the tree.
 */
export type AuditEntry = Omit<AuditEntryWire, 'hash' | 'leafHash'>

/** An entry on the wire: the entry with the chain hash and leaf hash the node stored (hex). */
export type { AuditEntryWire }

/** The chain hash before the first entry. */
export const GENESIS_CHAIN_HASH = '00'.repeat(32)

/** Largest canonical size of `details`; larger ones are replaced by a note of their size. */
export const MAX_DETAILS_BYTES = 8 * 1024

/** The bytes hashed for an entry: canonical JSON of its seven fields, nothing else. */
export const entryBytes: (entry: AuditEntry) => Uint8Array = auditEntryBytes

/** The chain hash of an entry after the entry whose chain hash is `previous` (hex). */
export function chainHash(previous: string, bytes: Uint8Array): string {
  const prev = fromHex(previous)
  const input = new Uint8Array(prev.length + bytes.length)
  input.set(prev, 0)
  input.set(bytes, prev.length)
  return toHex(sha256(input))
}

/** An ISO time, or the raw number when it is no valid time (a damaged row stays visible). */
export function isoTime(ms: number): string {
  const date = new Date(ms)
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString()
}

/** The entry a stored record holds. */
export function entryOf(record: AuditRecord): AuditEntry {
  return {
    seq: record.seq,
    time: isoTime(record.timeMs),
    actor: record.actor,
    action: record.action,
    resource: record.resource,
    result: record.result,
    details: record.details,
  }
}

/** The wire form of a stored record. */
export function wireOf(record: AuditRecord): AuditEntryWire {
  return { ...entryOf(record), hash: record.chainHash, leafHash: record.leafHash }
}

/**
 * Makes event details JSON: bigints become decimal strings, dates ISO strings, errors their code
 * and message; undefined fields go. Oversized details are replaced by a note of their size, so a
 * careless caller can never stop the log.
 */
export function normalizeDetails(details: Record<string, unknown> | undefined): Details {
  if (details === undefined) return { value: {}, text: '{}' }
  const seen = new WeakSet<object>()
  const text = JSON.stringify(details, function (this: unknown, _key, value: unknown) {
    if (typeof value === 'bigint') return value.toString()
    if (value instanceof Error) {
      const { code } = value as Partial<MeshError>
      return { ...(code === undefined ? {} : { code }), message: value.message }
    }
    if (typeof value === 'number' && !Number.isFinite(value)) return String(value)
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[circular]'
      seen.add(value)
    }
    return value
  })
  const parsed = JSON.parse(text) as unknown
  const canonical = canonicalize(parsed)
  const size = utf8(canonical).length
  if (size <= MAX_DETAILS_BYTES) return { value: parsed, text: canonical }
  const note = { sizeBytes: size, truncated: true }
  return { value: note, text: canonicalize(note) }
}

/** Event details made JSON, and their canonical text. */
export interface Details {
  value: unknown
  text: string
}

/**
 * The canonical JSON of an entry, put together from canonical parts: the seven keys in RFC 8785
 * order (`action` < `actor` < `details` < `resource` < `result` < `seq` < `time`), strings and
 * the integer seq as JSON.stringify writes them, which is what RFC 8785 prescribes. Equal to
 * `entryBytes` of the same entry; spares serializing the details a second time.
 */
function entryText(entry: Omit<AuditEntry, 'details'>, detailsText: string): string {
  const str = JSON.stringify
  return (
    `{"action":${str(entry.action)},"actor":${str(entry.actor)},"details":${detailsText},` +
    `"resource":${str(entry.resource)},"result":${str(entry.result)},"seq":${entry.seq},` +
    `"time":${str(entry.time)}}`
  )
}

/** Builds the record for `event` after the tail. */
export function recordAfter(
  tail: { seq: number; chainHash: string },
  event: AuditEvent,
  details: Details,
  timeMs: number,
): AuditRecord {
  const entry = {
    seq: tail.seq + 1,
    time: isoTime(timeMs),
    actor: event.actor,
    action: event.action,
    resource: event.resource,
    result: event.result,
  }
  const bytes = utf8(entryText(entry, details.text))
  return {
    seq: entry.seq,
    timeMs,
    actor: entry.actor,
    action: entry.action,
    resource: entry.resource,
    result: entry.result,
    details: details.value,
    detailsText: details.text,
    leafHash: toHex(leafHash(bytes)),
    chainHash: chainHash(tail.chainHash, bytes),
  }
}
