/**
 * An agent's reputation as `GET /v1/agents/:id/reputation` answers it: lifetime stats, the score
 * (0–5, a Bayesian average whose evidence halves in weight every half-life) and why.
 */
export interface AgentReputation {
  agentId: string
  /** `null` for the agent over all its capabilities. */
  capabilityId: string | null
  score: number
  stats: {
    calls: number
    successes: number
    failures: number
    timeouts: number
    canceled: number
    disputed: number
    successRate: number | null
    /** Streaming estimates over completed and failed tasks. */
    latencyMs: { p50: number | null; p95: number | null }
    /** Share of time online since the agent was first seen. */
    uptime: number | null
    ratings: { count: number; average: number | null }
    lastOutcomeAt: string | null
  }
  explanation: {
    text: string
    formula: string
    prior: { mean: number; strength: number }
    decay: { halfLifeMs: number; sinceLastUpdate: number; newestOutcomeAgeMs: number | null }
    components: Array<{
      name: 'prior' | 'outcomes' | 'ratings'
      weight: number
      mean: number | null
      share: number
      detail: string
    }>
  }
}
