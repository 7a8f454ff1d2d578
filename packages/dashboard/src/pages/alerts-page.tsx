import { Badge, ErrorBox, Json, Section } from '../components/ui.js'
import { codeOf, dateTime } from '../format.js'
import { useLoad } from '../hooks.js'
import type { Session } from '../session.js'

/** An alert as far as the dashboard relies on its shape; everything else is shown as it comes. */
interface AlertView {
  id?: string
  name?: string
  rule?: string
  state?: string
  severity?: string
  message?: string
  summary?: string
  since?: string
  firedAt?: string
  [field: string]: unknown
}

function listOf(body: unknown): AlertView[] {
  if (Array.isArray(body)) return body as AlertView[]
  const alerts = (body as { alerts?: unknown } | undefined)?.alerts
  return Array.isArray(alerts) ? (alerts as AlertView[]) : []
}

/** Alerts from `GET /v1/alerts`, when this node has them. */
export function AlertsPage({ session }: { session: Session }) {
  const alerts = useLoad(() => session.mesh.request<unknown>('GET', '/v1/alerts'), [session], 5000)
  // NOT_FOUND is what a node before 0.2 answers for a route it lacks.
  const missing = ['ROUTE_NOT_FOUND', 'NOT_FOUND'].includes(codeOf(alerts.error) ?? '')
  const list = listOf(alerts.data)
  return (
    <>
      <div className="page-head">
        <h1>Alerts</h1>
      </div>
      {missing ? (
        <p className="muted" data-testid="alerts-missing">
          This node does not serve alerts (no <code>/v1/alerts</code>).
        </p>
      ) : (
        <ErrorBox error={alerts.error} />
      )}
      {alerts.data !== undefined ? (
        <Section title={`${list.length} alert${list.length === 1 ? '' : 's'}`}>
          {list.length === 0 ? <p className="muted">Nothing is firing.</p> : null}
          <ul className="results">
            {list.map((alert, i) => (
              <li key={alert.id ?? `${alert.name ?? 'alert'}-${i}`} className="result">
                <div className="result-main">
                  <strong>{alert.name ?? alert.rule ?? alert.id ?? 'alert'}</strong>
                  {alert.state ? <Badge state={alert.state} /> : null}
                  {alert.severity ? <span className="muted">{alert.severity}</span> : null}
                  <span className="muted">{dateTime(alert.since ?? alert.firedAt)}</span>
                </div>
                <div className="alert-summary">{alert.message ?? alert.summary ?? null}</div>
                <details>
                  <summary className="small muted">All fields</summary>
                  <Json value={alert} />
                </details>
              </li>
            ))}
          </ul>
        </Section>
      ) : null}
    </>
  )
}
