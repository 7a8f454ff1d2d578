import type { AuditEntryWire } from '../audit/audit-entry.js'
import type { AuditFilter, SignedTreeHead } from '../audit/audit-log.js'
import { AuditVerifier } from '../audit/audit-verify.js'
import type { Caller } from '../auth/caller.js'
import type { VerifyReport } from '../ledger/ledger-verifier.js'
import type { Clock } from '../ports/clock.js'
import type { IntegrityCheck } from './alert-evaluator.js'

/** The outcome of one integrity check. */
export interface IntegrityResult {
  check: IntegrityCheck
  ok: boolean
  /** The first problem found ('' when sound); a check that could not run says why. */
  problem: string
  atMs: number
  durationMs: number
}

/** What the monitor reads: the ledger's `verify` and the audit log's head and pages. */
export interface IntegrityDeps {
  ledger: { verify(): Promise<VerifyReport> }
  audit: {
    latestHead(): Promise<SignedTreeHead>
    list(
      caller: Caller,
      filter: AuditFilter,
    ): Promise<{ entries: AuditEntryWire[]; nextCursor: string | null }>
  }
  nodeDid: string
  clock: Clock
}

const PAGE_ENTRIES = 1000

/**
 * Runs `ledger verify` and `audit verify` inside the node (the node's composition root runs it on
 * a timer) and hands each outcome to the listeners: alerts and metrics.
 */
export class IntegrityMonitor {
  readonly #deps: IntegrityDeps
  readonly #listeners: readonly ((result: IntegrityResult) => void)[]
  #running: Promise<IntegrityResult[]> | undefined

  constructor(deps: IntegrityDeps, listeners: readonly ((result: IntegrityResult) => void)[]) {
    this.#deps = deps
    this.#listeners = listeners
  }

  /** Runs both checks (one run at a time: a call during a run shares it). */
  run(): Promise<IntegrityResult[]> {
    this.#running ??= (async () => {
      try {
        const results = [
          await this.#check('ledger', () => this.#ledger()),
          await this.#check('audit', () => this.#audit()),
        ]
        for (const result of results) for (const listen of this.#listeners) listen(result)
        return results
      } finally {
        this.#running = undefined
      }
    })()
    return this.#running
  }

  async #check(check: IntegrityCheck, verify: () => Promise<string>): Promise<IntegrityResult> {
    const startMs = this.#deps.clock.now()
    let problem: string
    try {
      problem = await verify()
    } catch (error) {
      problem = `the check could not run: ${(error as Error)?.message ?? String(error)}`
    }
    const atMs = this.#deps.clock.now()
    return { check, ok: problem === '', problem, atMs, durationMs: atMs - startMs }
  }

  async #ledger(): Promise<string> {
    const report = await this.#deps.ledger.verify()
    if (report.ok) return ''
    const [first = 'unknown problem'] = report.problems
    const more = report.problems.length - 1
    return more > 0 ? `${first} (and ${more} more)` : first
  }

  /** The same checks as `agentmesh audit verify`: signature, chain and Merkle root, page by page. */
  async #audit(): Promise<string> {
    const node: Caller = { did: this.#deps.nodeDid, roles: ['admin'] }
    const verifier = new AuditVerifier(await this.#deps.audit.latestHead(), this.#deps.nodeDid)
    let cursor: string | null = null
    do {
      const page = await this.#deps.audit.list(node, {
        limit: PAGE_ENTRIES,
        ...(cursor === null ? {} : { cursor }),
      })
      for (const entry of page.entries) if (verifier.push(entry)) break
      cursor = verifier.problem ? null : page.nextCursor
    } while (cursor !== null)
    const verdict = verifier.finish()
    if (verdict.ok) return ''
    return verdict.seq === null ? verdict.reason : `at seq ${verdict.seq}: ${verdict.reason}`
  }
}
