import {
  fromHex,
  MeshError,
  signJws,
  toHex,
  type AuditTreeHead,
  type KeyPair,
} from '@agentmesh/protocol'
import type { Caller } from '../auth/caller.js'
import { DrainBatcher } from '../drain-batcher.js'
import type { AuditEvent, AuditSink } from '../ports/audit-sink.js'
import type { AuditHeadRecord, AuditRecord, AuditStore } from './audit-store.js'
import type { Clock } from '../ports/clock.js'
import {
  isoTime,
  normalizeDetails,
  recordAfter,
  type Details,
  wireOf,
  type AuditEntryWire,
} from './audit-entry.js'
import { TreeReader } from './tree-reader.js'

/** A tree head as signed: the JWS payload is the canonical JSON of `{size, root, time}`. */
export type SignedTreeHead = AuditTreeHead

export interface AuditLogOptions {
  /** Sign a new head once this many entries are not yet covered by one. */
  headEveryEntries: number
  /** Or once this long has passed since the last head, when any entry is not covered. */
  headEveryMs: number
  /** Largest page of entries. */
  maxPageEntries: number
}

export interface AuditFilter {
  actor?: string
  action?: string
  fromMs?: number
  toMs?: number
  /** The `nextCursor` of the previous page. */
  cursor?: string
  limit?: number
}

function headOf(record: AuditHeadRecord): SignedTreeHead {
  return {
    size: record.size,
    root: record.root,
    time: isoTime(record.timeMs),
    signer: record.signer,
    signature: record.jws,
  }
}

/** Most entries one transaction appends. */
const MAX_BATCH = 500

interface PendingEntry {
  event: AuditEvent
  details: Details
}

const isAdmin = (caller: Caller): boolean => caller.roles.includes('admin')

/**
 * The audit log: every service reports through `record` (the `AuditSink` port); entries are
 * appended in call order (batched while a write is in flight), chained by hash and leaves of an
 * RFC 9162 Merkle tree whose heads the node signs. Reading is authorized here: an admin reads
 * everything, anyone else only the entries where they are the actor.
 */
export class AuditLog implements AuditSink {
  readonly #store: AuditStore
  readonly #clock: Clock
  readonly #key: KeyPair
  readonly #options: AuditLogOptions
  readonly #tree: TreeReader
  /** Appends entries in call order, those that arrive during a write together in the next. */
  readonly #append: (entries: PendingEntry[]) => Promise<AuditRecord[]>
  /** The latest record's commit: batches commit in order, so the others came before it. */
  #last: Promise<unknown> = Promise.resolve()
  #lastHead: AuditHeadRecord | null | undefined
  #signing: Promise<SignedTreeHead | undefined> | undefined

  constructor(deps: { store: AuditStore; clock: Clock; key: KeyPair }, options: AuditLogOptions) {
    this.#store = deps.store
    this.#clock = deps.clock
    this.#key = deps.key
    this.#options = options
    this.#tree = new TreeReader(
      async (start, end) =>
        (await deps.store.leafHashes(start + 1, end + 1)).map((hash) => fromHex(hash)),
      { chunkLeaves: 1024, cacheEntries: 65_536 },
    )
    this.#append = new DrainBatcher(MAX_BATCH).wrap((entries: PendingEntry[]) =>
      deps.store.append(entries.length, (tail) => {
        const timeMs = this.#clock.now()
        let last = tail
        return entries.map(
          ({ event, details }) => (last = recordAfter(last, event, details, timeMs)),
        )
      }),
    )
  }

  /**
   * Appends one entry; resolves once it is committed. Appends keep their call order; those that
   * arrive while a batch is being written go together in the next one (one transaction).
   */
  record(event: AuditEvent): Promise<void> {
    let details: Details
    try {
      details = normalizeDetails(event.details)
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)))
    }
    const committed = this.#append([{ event, details }]).then(() => undefined)
    this.#last = committed.catch(() => undefined)
    return committed
  }

  /** Waits for every append recorded so far. */
  async flush(): Promise<void> {
    await this.#last
  }

  /**
   * Signs a head over the whole log when it is due: no head yet, `headEveryEntries` entries not
   * covered, or `headEveryMs` passed with any entry not covered. Answers the new head, if any.
   */
  signHeadIfDue(nowMs: number): Promise<SignedTreeHead | undefined> {
    return this.#sign(nowMs, false)
  }

  /** Signs a head now if any entry is not covered by one (at start and stop, say). */
  signHead(nowMs: number): Promise<SignedTreeHead | undefined> {
    return this.#sign(nowMs, true)
  }

  async #sign(nowMs: number, always: boolean): Promise<SignedTreeHead | undefined> {
    // One signing at a time; a call that arrives meanwhile waits for it and then decides afresh.
    while (this.#signing) await this.#signing.catch(() => undefined)
    this.#signing = this.#signIfDue(nowMs, always)
    try {
      return await this.#signing
    } finally {
      this.#signing = undefined
    }
  }

  async #signIfDue(nowMs: number, always: boolean): Promise<SignedTreeHead | undefined> {
    const last = await this.#latest()
    const size = await this.#store.size()
    const due =
      last === null ||
      size - last.size >= this.#options.headEveryEntries ||
      (size > last.size && (always || nowMs - last.timeMs >= this.#options.headEveryMs))
    if (!due) return undefined
    const root = toHex(await this.#tree.root(size))
    const time = isoTime(nowMs)
    const record: AuditHeadRecord = {
      signer: this.#key.did,
      size,
      root,
      timeMs: nowMs,
      jws: signJws({ size, root, time }, this.#key),
    }
    await this.#store.putHead(record)
    this.#lastHead = record
    return headOf(record)
  }

  async #latest(): Promise<AuditHeadRecord | null> {
    if (this.#lastHead === undefined)
      this.#lastHead = (await this.#store.latestHead(this.#key.did)) ?? null
    return this.#lastHead
  }

  /** The latest head this node signed. */
  async latestHead(): Promise<SignedTreeHead> {
    const last = await this.#store.latestHead(this.#key.did)
    if (!last) throw new MeshError('AUDIT_HEAD_NOT_FOUND', 'This node has signed no tree head yet')
    return headOf(last)
  }

  /** A page of entries in seq order; a caller who is not an admin sees only their own. */
  async list(
    caller: Caller,
    filter: AuditFilter,
  ): Promise<{ entries: AuditEntryWire[]; nextCursor: string | null }> {
    if (filter.actor !== undefined && filter.actor !== caller.did && !isAdmin(caller)) {
      throw new MeshError('FORBIDDEN', 'Only an admin reads the audit entries of another actor')
    }
    const actor = isAdmin(caller) ? filter.actor : caller.did
    let afterSeq: number | undefined
    if (filter.cursor !== undefined) {
      if (!/^\d{1,15}$/.test(filter.cursor))
        throw new MeshError(
          'INVALID_INPUT',
          `Cursor "${filter.cursor}" is not a cursor of this log`,
        )
      afterSeq = Number(filter.cursor)
    }
    const limit = Math.min(filter.limit ?? 100, this.#options.maxPageEntries)
    const records = await this.#store.list({
      ...(actor === undefined ? {} : { actor }),
      ...(filter.action === undefined ? {} : { action: filter.action }),
      ...(filter.fromMs === undefined ? {} : { fromMs: filter.fromMs }),
      ...(filter.toMs === undefined ? {} : { toMs: filter.toMs }),
      ...(afterSeq === undefined ? {} : { afterSeq }),
      limit,
    })
    const last = records.at(-1)
    return {
      entries: records.map(wireOf),
      nextCursor: records.length === limit && last ? String(last.seq) : null,
    }
  }

  /**
   * The inclusion proof of entry `seq` in the tree of `size` entries (default: the latest signed
   * head). A caller who is not an admin gets proofs for their own entries only.
   */
  async inclusionProof(
    caller: Caller,
    seq: number,
    size?: number,
  ): Promise<{ seq: number; size: number; leafIndex: number; leafHash: string; path: string[] }> {
    const treeSize = await this.#proofSize(size)
    if (seq < 1 || seq > treeSize) {
      throw new MeshError(
        'AUDIT_ENTRY_NOT_FOUND',
        `Audit entry ${seq} is not in a tree of size ${treeSize}`,
      )
    }
    const record = await this.#store.get(seq)
    if (!record) throw new MeshError('AUDIT_ENTRY_NOT_FOUND', `Audit entry ${seq} does not exist`)
    if (!isAdmin(caller) && record.actor !== caller.did) {
      throw new MeshError('FORBIDDEN', 'Only an admin reads proofs for entries of another actor')
    }
    const path = await this.#tree.inclusionProof(seq - 1, treeSize)
    return {
      seq,
      size: treeSize,
      leafIndex: seq - 1,
      leafHash: record.leafHash,
      path: path.map(toHex),
    }
  }

  /** The consistency proof between the trees of `from` and `to` entries (default: the latest head). */
  async consistencyProof(
    from: number,
    to?: number,
  ): Promise<{ from: number; to: number; path: string[] }> {
    const toSize = await this.#proofSize(to)
    if (from < 0 || from > toSize) {
      throw new MeshError('INVALID_INPUT', `Size "${from}" is not from 0 to ${toSize}`)
    }
    const path = await this.#tree.consistencyProof(from, toSize)
    return { from, to: toSize, path: path.map(toHex) }
  }

  async #proofSize(size: number | undefined): Promise<number> {
    const committed = await this.#store.size()
    if (size === undefined) return (await this.#store.latestHead(this.#key.did))?.size ?? committed
    if (size < 0 || size > committed) {
      throw new MeshError('INVALID_INPUT', `Tree size "${size}" is not from 0 to ${committed}`)
    }
    return size
  }
}
