import type { AgentReputation } from '@agentmesh/sdk/browser'
import { dateTime, ms, percent } from '../format.js'

type Anomaly = AgentReputation['anomalies'][number]

/** A metric's level in its own unit. */
function level(anomaly: Anomaly, value: number): string {
  switch (anomaly.metric) {
    case 'latency':
      return ms(value)
    case 'errorRate':
      return percent(value)
    case 'outputSize':
      return `${Math.round(value)} chars`
    case 'price':
      return `${(value / 1e6).toFixed(6)}`
  }
}

/** What the node sees an agent do out of its normal now, metric by metric. */
export function Anomalies({ anomalies }: { anomalies: Anomaly[] }) {
  if (anomalies.length === 0) return null
  return (
    <div className="anomalies" role="status" data-testid="anomalies">
      <h3>Out of its normal now</h3>
      <ul>
        {anomalies.map((a) => (
          <li key={`${a.capabilityId} ${a.metric}`} data-metric={a.metric}>
            <strong>{a.metric}</strong> of <code>{a.capabilityId}</code>: {level(a, a.observed)}{' '}
            against a normal {level(a, a.expected)} ({a.score.toFixed(1)} σ), since{' '}
            {dateTime(a.since)}
          </li>
        ))}
      </ul>
    </div>
  )
}
