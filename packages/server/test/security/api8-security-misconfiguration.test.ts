/**
 * OWASP API8:2023 Security Misconfiguration: what a node shows by default. `/metrics` (agent
 * DIDs, ledger volume by code, failed sign-ins) is kept to a metrics token and admins when the
 * operator sets one or closes the node; every answer carries the browser-facing security headers;
 * a route refuses a body it would ignore.
 */
import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { get, post, startTestNode } from '../helpers/test-node.js'

const metricsToken = 'scrape-me-0123456789abcdef'

/** `/metrics` with an optional bearer token: its status and whether it is Prometheus text. */
async function scrape(url: string, token?: string): Promise<{ status: number; text: string }> {
  const response = await fetch(
    `${url}/metrics`,
    token ? { headers: { authorization: `Bearer ${token}` } } : {},
  )
  return { status: response.status, text: await response.text() }
}

describe('API8 security misconfiguration', () => {
  let open: RunningNode
  let withToken: RunningNode
  let closed: RunningNode

  beforeAll(async () => {
    open = await startTestNode({ dashboard: true })
    withToken = await startTestNode({ metricsToken })
    closed = await startTestNode({ closed: true })
  })
  afterAll(async () => {
    await Promise.all([open.stop(), withToken.stop(), closed.stop()])
  })

  it('serves /metrics publicly on an open node without a metrics token (the documented default)', async () => {
    const metrics = await scrape(open.url)
    expect(metrics.status).toBe(200)
    expect(metrics.text).toMatch(/^# HELP /m)
  })

  it('keeps /metrics to the metrics token and admins once a token is set', async () => {
    const client = await Mesh.connect(withToken.url, { key: generateKeyPair() })
    try {
      expect((await scrape(withToken.url)).status).toBe(401)
      expect((await scrape(withToken.url, `${metricsToken}x`)).status).toBe(401)
      const asClient = await scrape(withToken.url, client.token)
      expect(asClient.status).toBe(403)
      expect(asClient.text).not.toMatch(/agentmesh_/)
      expect((await scrape(withToken.url, metricsToken)).text).toMatch(/agentmesh_ledger_volume/)
      expect((await scrape(withToken.url, withToken.adminToken)).status).toBe(200)
    } finally {
      await client.close()
    }
  })

  it('keeps /metrics to admins on a closed node by default', async () => {
    const anonymous = await scrape(closed.url)
    expect(anonymous.status).toBe(401)
    expect(JSON.parse(anonymous.text)).toMatchObject({ error: { code: 'UNAUTHENTICATED' } })
    expect((await scrape(closed.url, closed.adminToken)).status).toBe(200)
  })

  it('serves the dashboard and the API with a CSP, no framing, no sniffing and no referrer', async () => {
    for (const path of ['/', '/docs', '/v1/info', '/healthz']) {
      const response = await fetch(`${open.url}${path}`)
      expect(response.status, path).toBe(200)
      const csp = response.headers.get('content-security-policy') ?? ''
      expect(csp, path).toMatch(/(^|;)script-src 'self'(;|$)/)
      expect(csp, path).toMatch(/frame-ancestors 'none'/)
      expect(csp, path).not.toMatch(/unsafe-eval|upgrade-insecure-requests/)
      expect(response.headers.get('x-frame-options'), path).toBe('DENY')
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff')
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer')
    }
    // The built dashboard runs no inline script, so the CSP needs no 'unsafe-inline' for scripts.
    const index = await (await fetch(`${open.url}/`)).text()
    expect(index).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/)
  })

  it('refuses a body on POST /v1/auth/revoke, and the token stays valid', async () => {
    const mesh = await Mesh.connect(open.url, { key: generateKeyPair() })
    const auth = { authorization: `Bearer ${mesh.token}` }
    const withBody = await post(`${open.url}/v1/auth/revoke`, { token: 'amt_other' }, auth)
    expect(withBody).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT' } } })
    expect((await get(`${open.url}/v1/auth/whoami`, mesh.token)).status).toBe(200)
    const bare = await fetch(`${open.url}/v1/auth/revoke`, { method: 'POST', headers: auth })
    expect(bare.status).toBe(204)
    expect((await get(`${open.url}/v1/auth/whoami`, mesh.token)).status).toBe(401)
    await mesh.close()
  })
})
