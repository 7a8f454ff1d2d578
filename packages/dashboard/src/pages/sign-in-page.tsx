import { useState, type FormEvent } from 'react'
import { ErrorBox } from '../components/ui.js'
import { useAction } from '../hooks.js'
import { signInWithKey, signInWithToken, type Session } from '../session.js'

/** Sign in with a session token (the admin token the node prints) or a key. */
export function SignInPage({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [mode, setMode] = useState<'token' | 'key'>('token')
  const [secret, setSecret] = useState('')
  const { busy, error, run } = useAction()
  const submit = (event: FormEvent) => {
    event.preventDefault()
    void run(async () =>
      onSignedIn(mode === 'token' ? await signInWithToken(secret) : await signInWithKey(secret)),
    )
  }
  return (
    <div className="signin">
      <form className="card signin-card" onSubmit={submit}>
        <h1>agentmesh</h1>
        <p className="muted">Sign in to this node’s dashboard.</p>
        <div className="tabs" role="tablist">
          {(['token', 'key'] as const).map((m) => (
            <button
              key={m}
              type="button"
              role="tab"
              aria-selected={mode === m}
              onClick={() => setMode(m)}
            >
              {m === 'token' ? 'Token' : 'Key'}
            </button>
          ))}
        </div>
        <label>
          {mode === 'token' ? 'Admin or session token' : 'Key file (JSON) or base64url seed'}
          {mode === 'token' ? (
            <input
              name="token"
              type="password"
              autoComplete="off"
              value={secret}
              onChange={(e) => setSecret(e.target.value)}
              required
            />
          ) : (
            <textarea
              name="key"
              rows={4}
              spellCheck={false}
              value={secret}
              onChange={(e) => setSecret(e.target.value)}
              placeholder='{"did": "did:key:…", "secretKey": "…"}'
              required
            />
          )}
        </label>
        <p className="hint">
          {mode === 'token'
            ? 'The node prints its admin token at start and writes it to DATA/admin.token.'
            : 'The key signs a challenge here in the browser; it is never sent nor stored. `agentmesh keys show NAME` prints where the file is.'}
        </p>
        <ErrorBox error={error} />
        <button className="primary" type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  )
}
