import Database from 'better-sqlite3'
import { generateKeyPair } from '@agentmesh/protocol'
import { defineAgent, Mesh } from '@agentmesh/sdk'
import { resolveNodeConfig, startNode } from '/work/main/packages/server/dist/node.js'
const counts = new Map()
let counting = false
const orig = Database.prototype.prepare
{ const st = Object.getPrototypeOf(new Database(':memory:').prepare('select 1'))
for (const m of ['run', 'all', 'get']) { const o = st[m]; st[m] = function (...a) { if (counting) counts.set(this.source, (counts.get(this.source) ?? 0) + 1); return o.apply(this, a) } } }
const config = resolveNodeConfig({ memory: true, port: 0, dashboard: false, logLevel: 'error', grant: '1000000 USD' }, {})
const node = await startNode({ ...config, prettyLogs: false })
const { fork } = await import('node:child_process')
const child = fork('/work/main/packages/server/dist/bench/echo-agent-process.js', [node.url, 'bench.echo'])
await new Promise(r => child.once('message', r))
const agent = { close: async () => { child.send('close'); await new Promise(r => child.once('exit', r)) } }
const client = await Mesh.connect(node.url, { key: generateKeyPair() })
const call = async () => { const r = await fetch(`${node.url}/v1/tasks?wait=10000`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${client.token}` }, body: JSON.stringify({ capability: 'bench.echo', input: { text: 'hello' }, maxPrice: { amount: '0.01', currency: 'USD' } }) }); const t = await r.json(); if (t.state !== 'completed') throw new Error(t.state) }
for (let i = 0; i < 20; i++) await call()
const { closedLoop } = await import('/work/main/packages/server/dist/bench/load.js')
const { Session } = await import('node:inspector/promises')
const session = new Session(); session.connect()
await session.post('Profiler.enable'); await session.post('Profiler.start')
counting = true
const r = await closedLoop(call, 16, 3000)
const N = r.opsPerSec * 3
counting = false
console.log(r)
const { profile } = await session.post('Profiler.stop')
;(await import('node:fs')).writeFileSync('/tmp/prof/loop.cpuprofile', JSON.stringify(profile))
await new Promise(r => setTimeout(r, 500))
let total = 0
for (const [sql, c] of [...counts].sort((a, b) => b[1] - a[1])) { total += c; console.log((c / N).toFixed(2), sql.slice(0, 150)) }
console.log('per task', total / N)
await client.close(); await agent.close(); await node.stop()
