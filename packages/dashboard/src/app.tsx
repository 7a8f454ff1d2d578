import { useEffect, useState } from 'react'
import { AgentDetailPage } from './pages/agent-detail-page.js'
import { AgentsPage } from './pages/agents-page.js'
import { AlertsPage } from './pages/alerts-page.js'
import { AuditPage } from './pages/audit-page.js'
import { ClusterPage, showsCluster } from './pages/cluster-page.js'
import { HostedAgentsPage, TemplatesPage } from './pages/hosted-page.js'
import { KnowledgePage } from './pages/knowledge-page.js'
import { FederationPage } from './pages/federation-page.js'
import { FlJobPage, FlPage } from './pages/fl-page.js'
import { LedgerPage } from './pages/ledger-page.js'
import { OverviewPage } from './pages/overview-page.js'
import { PipelineRunPage, PipelinesPage } from './pages/pipelines-page.js'
import { SignInPage } from './pages/sign-in-page.js'
import { TaskDetailPage } from './pages/task-detail-page.js'
import { TasksPage } from './pages/tasks-page.js'
import { href, useRoute, type Route } from './router.js'
import { isAdmin, resumeSession, signOut, type Session } from './session.js'
import { shortId } from './format.js'
import { useLoad } from './hooks.js'

const NAV = [
  ['', 'Overview'],
  ['agents', 'Agents'],
  ['tasks', 'Tasks'],
  ['pipelines', 'Pipelines'],
  ['ledger', 'Ledger'],
  ['audit', 'Audit'],
  ['alerts', 'Alerts'],
  ['hosted', 'Hosted agents'],
  ['templates', 'Templates'],
  ['knowledge', 'Knowledge'],
  ['fl', 'Learning'],
] as const

function Page({ route, session }: { route: Route; session: Session }) {
  const [section = '', id] = route.parts
  switch (section) {
    case '':
      return <OverviewPage session={session} />
    case 'agents':
      return id ? (
        <AgentDetailPage session={session} id={id} />
      ) : (
        <AgentsPage session={session} query={route.query} />
      )
    case 'tasks':
      return id ? (
        <TaskDetailPage session={session} id={id} />
      ) : (
        <TasksPage session={session} query={route.query} />
      )
    case 'pipelines':
      return id ? (
        <PipelineRunPage session={session} id={id} />
      ) : (
        <PipelinesPage session={session} />
      )
    case 'ledger':
      return <LedgerPage session={session} query={route.query} />
    case 'audit':
      return <AuditPage session={session} query={route.query} />
    case 'alerts':
      return <AlertsPage session={session} />
    case 'cluster':
      return <ClusterPage session={session} />
    case 'hosted':
      return <HostedAgentsPage session={session} />
    case 'templates':
      return <TemplatesPage session={session} />
    case 'federation':
      return <FederationPage session={session} />
    case 'knowledge':
      return <KnowledgePage session={session} query={route.query} />
    case 'fl':
      return id ? <FlJobPage session={session} id={id} /> : <FlPage session={session} />
    default:
      return <p className="muted">There is no page “{section}”.</p>
  }
}

/** Whether the node federates: `GET /v1/federation` answers (admins only). */
function useFederates(session: Session | null | undefined): boolean {
  const fed = useLoad(
    () => (session && isAdmin(session) ? session.mesh.federation() : Promise.resolve(null)),
    [session],
  )
  return Boolean(fed.data)
}

/** The dashboard: sign in, then a page per part of the node. */
export function App() {
  const route = useRoute()
  const [session, setSession] = useState<Session | null | undefined>(undefined)
  useEffect(() => {
    void resumeSession().then((resumed) => setSession(resumed ?? null))
  }, [])
  const federates = useFederates(session)
  const nav = federates ? [...NAV, ['federation', 'Federation'] as const] : NAV
  if (session === undefined) return <div className="boot">Loading…</div>
  if (session === null) return <SignInPage onSignedIn={setSession} />
  const current = route.parts[0] ?? ''
  return (
    <div className="shell">
      <header className="topbar">
        <a className="brand" href="#/">
          agentmesh
        </a>
        <nav className="nav" aria-label="Sections">
          {nav.map(([path, label]) => (
            <a key={path} href={href(path ? [path] : [])} aria-current={current === path}>
              {label}
            </a>
          ))}
          {showsCluster(session) ? (
            <a href={href(['cluster'])} aria-current={current === 'cluster'}>
              Cluster
            </a>
          ) : null}
        </nav>
        <div className="who">
          <span title={session.did}>
            {isAdmin(session) ? 'admin' : session.roles.join(', ')} · {shortId(session.did, 4)}
          </span>
          <button
            className="link"
            onClick={() => {
              void signOut(session).then(() => setSession(null))
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main className="main">
        <Page route={route} session={session} />
      </main>
    </div>
  )
}
