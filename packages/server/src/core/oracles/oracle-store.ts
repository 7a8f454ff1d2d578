/** The capability id of the row that sums an agent's oracle answers over all its capabilities. */
export const ALL_CAPABILITIES = ''

/** One agent's record as an oracle source, for one capability or (`ALL_CAPABILITIES`) all. */
export interface OracleRecord {
  agentId: string
  capabilityId: string
  answers: number
  withinTolerance: number
  /** The sum of the answers' deviations, each capped at 1. */
  deviationTotal: number
  updatedAtMs: number
}

/** One source's answer to one oracle task, as its reputation counts it. */
export interface OracleAnswer {
  agentId: string
  withinTolerance: boolean
  /** Capped at 1 by the store's caller. */
  deviation: number
}

/**
 * Oracle reputation's storage: per (agent, capability) counts and the capability-wide row. An
 * answer counts once per (task, agent), so a resumed task that aggregates again changes nothing.
 */
export interface OracleStore {
  /** The records of these agents for one capability id (`ALL_CAPABILITIES` for the whole agent). */
  list(agentIds: string[], capabilityId: string): Promise<OracleRecord[]>
  /** Counts each answer of the task once, in its capability's row and the agent's whole row. */
  record(taskId: string, capabilityId: string, answers: OracleAnswer[], atMs: number): Promise<void>
}
