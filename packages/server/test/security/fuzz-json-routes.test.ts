/**
 * Fuzzes every JSON route the OpenAPI document lists with fast-check bodies — schema-shaped,
 * schema-shaped with an unknown field, and garbage — as an ordinary client and as nobody.
 * Proves: no answer is a 5xx, the node keeps serving, and a refused request writes nothing (every
 * table's content is the same before and after it; the only exceptions are by design: a refused
 * sign-in consumes its nonce, and a refusal may be recorded in the audit log as "denied").
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import Database from 'better-sqlite3'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { get, startTestNode, type ApiBody } from '../helpers/test-node.js'
import { bodyFor, type JsonSchema } from './schema-arbitrary.js'

const RUNS_PER_ROUTE = Number(process.env.AGENTMESH_FUZZ_RUNS ?? 25)

interface Route {
  method: string
  path: string
  schema: JsonSchema | undefined
}

describe('fuzzing every JSON route', () => {
  let dir: string
  let node: RunningNode
  let client: Mesh
  let db: Database.Database
  let routes: Route[]
  let openapi: ApiBody

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentmesh-fuzz-'))
    node = await startTestNode({
      dataDir: dir,
      store: { kind: 'sqlite', filename: join(dir, 'agentmesh.db') },
      // No background writes while the fuzzer compares tables: heads are signed on demand only.
      auditHeadEveryEntries: 1e9,
      auditHeadEveryMs: 1e9,
    })
    client = await Mesh.connect(node.url, { key: generateKeyPair(), roles: ['client', 'agent'] })
    db = new Database(join(dir, 'agentmesh.db'), { readonly: true })
    openapi = (await get(`${node.url}/openapi.json`)).body
    routes = []
    for (const [path, operations] of Object.entries(
      openapi.paths as Record<string, Record<string, ApiBody>>,
    )) {
      for (const [method, operation] of Object.entries(operations)) {
        if (!['post', 'put', 'patch', 'delete'].includes(method)) continue
        const schema = operation.requestBody?.content?.['application/json']?.schema
        routes.push({ method: method.toUpperCase(), path, schema })
      }
    }
  })
  afterAll(async () => {
    db.close()
    await client.close()
    await node.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const tables = () =>
    (
      db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]
    ).map((t) => t.name)

  /** Each table's content, hashed; the audit log as its rows, to tell what was appended. */
  function snapshot(): { hashes: Map<string, string>; auditSize: number } {
    const hashes = new Map<string, string>()
    for (const table of tables()) {
      const rows = db.prepare(`select * from "${table}"`).raw().all()
      const text = JSON.stringify(rows, (_k, v: unknown) =>
        Buffer.isBuffer(v) ? v.toString('hex') : typeof v === 'bigint' ? String(v) : v,
      )
      hashes.set(table, createHash('sha256').update(text).digest('hex'))
    }
    const { n } = db.prepare('select count(*) as n from audit_entries').get() as { n: number }
    return { hashes, auditSize: n }
  }

  function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
    return [...after.keys()].filter((table) => before.get(table) !== after.get(table))
  }

  const resolve = (ref: string): JsonSchema | undefined => {
    const name = ref.split('/').at(-1) ?? ''
    return openapi.components?.schemas?.[name] as JsonSchema | undefined
  }

  const segment = fc.oneof(
    fc.string({ minLength: 1, maxLength: 30 }),
    fc.constantFrom('t_none', 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', '..'),
  )

  it('lists the JSON routes it fuzzes', () => {
    expect(routes.length).toBeGreaterThan(15)
    expect(routes.map((r) => `${r.method} ${r.path}`)).toContain('POST /v1/tasks')
  })

  it('never answers 5xx and never writes for a refused request', async () => {
    const seen = new Map<number, number>()
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(
          bodyFor(route.schema, resolve),
          fc.array(segment, { minLength: 4, maxLength: 4 }),
          // Three requests in four signed in, to reach past authentication.
          fc.integer({ min: 0, max: 3 }).map((n) => n > 0),
          async (body, params, signedIn) => {
            let i = 0
            const path = route.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(params[i++]!))
            const before = snapshot()
            const response = await fetch(`${node.url}${path}`, {
              method: route.method,
              headers: {
                'content-type': 'application/json',
                ...(signedIn ? { authorization: `Bearer ${client.token}` } : {}),
              },
              body,
            })
            const text = await response.text()
            seen.set(response.status, (seen.get(response.status) ?? 0) + 1)
            expect(response.status, `${route.method} ${path} ${body} → ${text}`).toBeLessThan(500)
            if (response.status < 400) {
              // A revoked session (POST /v1/auth/revoke) is replaced, so the fuzzing goes on signed in.
              if (route.path === '/v1/auth/revoke') {
                await client.close()
                client = await Mesh.connect(node.url, {
                  key: generateKeyPair(),
                  roles: ['client', 'agent'],
                })
              }
              // Accepted work finishes before the next comparison.
              const id = text.startsWith('{') ? (JSON.parse(text) as { id?: string }).id : undefined
              if (id && route.path === '/v1/pipelines/runs') {
                await node.context.pipelines.waitFor(id, 10_000)
              }
              return
            }
            const after = snapshot()
            let changed = changedTables(before.hashes, after.hashes)
            // By design a refused sign-in consumes its nonce, and refusals may be audited as
            // "denied" (a security log); nothing else may change.
            if (route.path === '/v1/auth/token') changed = changed.filter((t) => t !== 'nonces')
            const appended = db
              .prepare('select result from audit_entries order by seq limit -1 offset ?')
              .all(before.auditSize) as { result: string }[]
            if (appended.every((entry) => entry.result === 'denied')) {
              changed = changed.filter((t) => !['audit_entries', 'audit_tail'].includes(t))
            }
            expect(changed, `${route.method} ${path} ${body} → ${response.status} ${text}`).toEqual(
              [],
            )
          },
        ),
        { numRuns: RUNS_PER_ROUTE },
      )
    }
    // The node is alive and its ledger consistent after the barrage.
    expect((await get(`${node.url}/healthz`)).status).toBe(200)
    expect((await node.ledger.verify()).ok).toBe(true)
    // Most signed-in requests got past authentication to validation and the handlers.
    expect((seen.get(401) ?? 0) / [...seen.values()].reduce((a, b) => a + b)).toBeLessThan(0.7)
  }, 120_000)
})
