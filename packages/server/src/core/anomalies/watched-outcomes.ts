import type { OutcomeSink } from '../ports/outcome-sink.js'
import type { AnomalyDetector } from './anomaly-detector.js'

/** An outcome sink that also shows each outcome to anomaly detection, once it is recorded. */
export function watchedOutcomes(sink: OutcomeSink, anomalies: AnomalyDetector): OutcomeSink {
  return {
    async recordOutcome(outcome) {
      await sink.recordOutcome(outcome)
      anomalies.observe(outcome)
    },
  }
}
