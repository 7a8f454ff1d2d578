/** An agent's measured standing, as discovery ranks with it. */
export interface ReputationSummary {
  agentId: string
  /** Overall score, 0 to 5 (a Bayesian average that decays with age). */
  score: number
  calls: number
  successRate: number | null
  p95LatencyMs: number | null
  /** Set while the node sees the agent out of its normal (its score is then lowered for ranking). */
  anomalous?: boolean
}

/** Reads reputation summaries for ranking; implemented by the reputation service. */
export interface ReputationSource {
  summaries(agentIds: string[]): Promise<Map<string, ReputationSummary>>
}
