import { auditEntryBytes, leafHash, toHex } from '@agentmesh/protocol'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  chainHash,
  GENESIS_CHAIN_HASH,
  isoTime,
  MAX_DETAILS_BYTES,
  normalizeDetails,
  recordAfter,
} from '../../../src/core/audit/audit-entry.js'

describe('audit entries', () => {
  it('hash exactly the canonical JSON of their seven fields, whatever the text in them', () => {
    fc.assert(
      fc.property(
        fc.record({
          actor: fc.string({ unit: 'binary' }),
          action: fc.string({ unit: 'binary' }),
          resource: fc.string({ unit: 'binary' }),
          result: fc.constantFrom('ok', 'denied', 'error' as const),
          details: fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue()),
          seq: fc.integer({ min: 0, max: 2 ** 40 }),
          timeMs: fc.integer({ min: 0, max: 4_102_444_800_000 }),
        }),
        ({ details, seq, timeMs, ...event }) => {
          const normalized = normalizeDetails(details)
          const record = recordAfter(
            { seq, chainHash: GENESIS_CHAIN_HASH },
            event,
            normalized,
            timeMs,
          )
          const bytes = auditEntryBytes({
            seq: seq + 1,
            time: isoTime(timeMs),
            ...event,
            details: normalized.value,
          })
          expect(record.leafHash).toBe(toHex(leafHash(bytes)))
          expect(record.chainHash).toBe(chainHash(GENESIS_CHAIN_HASH, bytes))
        },
      ),
      { numRuns: 300 },
    )
  })

  it('replace oversized details by a note of their size', () => {
    const details = normalizeDetails({ blob: 'x'.repeat(MAX_DETAILS_BYTES) })
    expect(details.value).toEqual({ truncated: true, sizeBytes: MAX_DETAILS_BYTES + 11 })
    expect(details.text).toBe(`{"sizeBytes":${MAX_DETAILS_BYTES + 11},"truncated":true}`)
  })
})
