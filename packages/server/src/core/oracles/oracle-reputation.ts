import type { AuditSink } from '../ports/audit-sink.js'
import type { Clock } from '../ports/clock.js'
import { ALL_CAPABILITIES, type OracleRecord, type OracleStore } from './oracle-store.js'

/** An agent's standing as an oracle source, as the reputation view shows it. */
export interface OracleStanding {
  answers: number
  withinTolerance: number
  /** Mean deviation from the aggregates, each answer's capped at 1; `null` before any answer. */
  meanDeviation: number | null
  /** The weight its next answer carries. */
  weight: number
}

/** What one oracle task reports about one of its sources. */
export interface OracleOutcome {
  agentId: string
  /** `null`: the source gave no usable answer, which counts as outside tolerance. */
  deviation: number | null
  withinTolerance: boolean
}

/**
 * A source's weight: its share of answers within tolerance with one imagined hit and one miss
 * (Laplace's rule), so a new source weighs 0.5, one always within tends to 1, and one never within
 * tends to 0.
 */
export const oracleWeight = (record: Pick<OracleRecord, 'answers' | 'withinTolerance'>): number =>
  (record.withinTolerance + 1) / (record.answers + 2)

interface OracleReputationDeps {
  store: OracleStore
  clock: Clock
  audit: AuditSink
  /** The actor of the audit entries: the node. */
  nodeDid: string
}

/**
 * Oracle reputation, a dimension of reputation of its own: how close an agent's answers came to
 * the aggregate of the oracle tasks it served. It weighs sources in the aggregate and is shown in
 * `GET /v1/agents/:id/reputation`.
 */
export class OracleReputation {
  readonly #deps: OracleReputationDeps

  constructor(deps: OracleReputationDeps) {
    this.#deps = deps
  }

  /** The weight of each agent's answer for `capabilityId` (0.5 for an agent never asked). */
  async weights(agentIds: string[], capabilityId: string): Promise<Map<string, number>> {
    const rows = await this.#deps.store.list(agentIds, capabilityId)
    const byAgent = new Map(rows.map((row) => [row.agentId, row]))
    return new Map(
      agentIds.map((id) => [
        id,
        oracleWeight(byAgent.get(id) ?? { answers: 0, withinTolerance: 0 }),
      ]),
    )
  }

  /** Counts the sources' deviations from a task's aggregate (once per task and source), audited. */
  async record(taskId: string, capabilityId: string, outcomes: OracleOutcome[]): Promise<void> {
    const answers = outcomes.map((o) => ({
      agentId: o.agentId,
      withinTolerance: o.withinTolerance,
      deviation: o.deviation === null ? 1 : Math.min(1, o.deviation),
    }))
    await this.#deps.store.record(taskId, capabilityId, answers, this.#deps.clock.now())
    await this.#deps.audit.record({
      actor: this.#deps.nodeDid,
      action: 'oracle.recorded',
      resource: `task:${taskId}`,
      result: 'ok',
      details: {
        capability: capabilityId,
        within: outcomes.filter((o) => o.withinTolerance).map((o) => o.agentId),
        outside: outcomes.filter((o) => !o.withinTolerance).map((o) => o.agentId),
      },
    })
  }

  /** An agent's standing, for one capability or all of them. */
  async standing(agentId: string, capabilityId?: string): Promise<OracleStanding> {
    const [row] = await this.#deps.store.list([agentId], capabilityId ?? ALL_CAPABILITIES)
    const answers = row?.answers ?? 0
    const withinTolerance = row?.withinTolerance ?? 0
    return {
      answers,
      withinTolerance,
      meanDeviation: row && answers > 0 ? row.deviationTotal / answers : null,
      weight: oracleWeight({ answers, withinTolerance }),
    }
  }
}
