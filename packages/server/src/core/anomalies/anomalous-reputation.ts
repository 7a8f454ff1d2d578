import type { ReputationSource, ReputationSummary } from '../ports/reputation-source.js'
import type { AnomalyDetector } from './anomaly-detector.js'

/**
 * Reputation as discovery ranks with it, lowered while an agent behaves out of its normal: an
 * anomalous agent's score is multiplied by `1 − penalty` (and marked), until the anomaly ends.
 * A penalty of 0 changes nothing.
 */
export class AnomalousReputation implements ReputationSource {
  readonly #source: ReputationSource
  readonly #anomalies: AnomalyDetector
  readonly #penalty: number

  constructor(source: ReputationSource, anomalies: AnomalyDetector, penalty: number) {
    this.#source = source
    this.#anomalies = anomalies
    this.#penalty = Math.min(1, Math.max(0, penalty))
  }

  async summaries(agentIds: string[]): Promise<Map<string, ReputationSummary>> {
    const summaries = await this.#source.summaries(agentIds)
    if (this.#penalty === 0) return summaries
    const result = new Map(summaries)
    for (const [agentId, summary] of summaries) {
      if (!this.#anomalies.isAnomalous(agentId)) continue
      result.set(agentId, {
        ...summary,
        score: summary.score * (1 - this.#penalty),
        anomalous: true,
      })
    }
    return result
  }
}
