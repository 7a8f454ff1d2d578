/* The files `agentmesh agent init` writes: a plain ESM project, runnable without a build step. */

/** What the templates are filled with. */
export interface AgentTemplateValues {
  /** The package and agent name: lower-case letters, digits and dashes. */
  name: string
  /** The capability the agent serves, e.g. `my-agent.count-words`. */
  capabilityId: string
  /** The `@agentmesh/sdk` dependency: a version range, or `file:` a checkout's packages/sdk. */
  sdkSpec: string
}

const packageJson = (v: AgentTemplateValues): string =>
  `${JSON.stringify(
    {
      name: v.name,
      version: '0.1.0',
      private: true,
      description: 'An agentmesh agent',
      type: 'module',
      engines: { node: '>=20.19.0' },
      scripts: { start: 'node main.js', test: 'node --test' },
      dependencies: { '@agentmesh/sdk': v.sdkSpec },
    },
    null,
    2,
  )}\n`

const agentJs = (v: AgentTemplateValues): string => `import { defineAgent } from '@agentmesh/sdk'

/** The one capability: counts the words of a text, for a tenth of a cent a call. */
export const countWords = {
  id: '${v.capabilityId}',
  description: 'Counts the words of a text',
  tags: ['text'],
  input: {
    type: 'object',
    properties: { text: { type: 'string', maxLength: 100000 } },
    required: ['text'],
    additionalProperties: false,
  },
  output: {
    type: 'object',
    properties: { words: { type: 'integer', minimum: 0 } },
    required: ['words'],
  },
  pricing: { model: 'per_call', amount: '0.001', currency: 'USD' },
  sla: { timeoutMs: 2000, p95LatencyMs: 100 },
  // ctx.signal aborts on cancel or deadline; ctx.progress(0.5) reports progress;
  // ctx.call('other.capability', input) calls another agent on this task's behalf.
  handler: async ({ text }, _ctx) => ({ words: text.split(/\\s+/).filter(Boolean).length }),
}

export const agent = defineAgent({
  name: '${v.name}',
  description: 'Counts words (scaffolded by agentmesh agent init)',
  concurrency: 4,
  capabilities: [countWords],
})
`

const mainJs = `import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { generateKey, loadKey, saveKey } from '@agentmesh/sdk'
import { agent } from './agent.js'

// The node to join, and the agent's identity: a key file readable by its owner only (0600).
const url = process.env.AGENTMESH_URL ?? 'http://127.0.0.1:7420'
const keyFile = process.env.AGENTMESH_KEY_FILE ?? fileURLToPath(new URL('agent-key.json', import.meta.url))
if (!existsSync(keyFile)) saveKey(keyFile, generateKey())
const key = loadKey(keyFile)

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    void agent.close().then(() => console.log('agent stopped'))
  })
}

const capabilities = agent.definition.capabilities.map((c) => c.id).join(', ')
try {
  await agent.connect(url, {
    key,
    onError: (error) => console.error(\`agent: \${error.message}\`),
    onReady: () => console.log(\`agent \${key.did} serving \${capabilities} on \${url}\`),
  })
} catch (error) {
  // Reconnects come by themselves once joined; the first join says why it failed, and stops.
  console.error(\`agent: cannot join \${url}: \${error.message} (is a node running there?)\`)
  process.exitCode = 1
}
`

const testJs = (v: AgentTemplateValues): string => `import assert from 'node:assert/strict'
import { test } from 'node:test'
import { agent, countWords } from './agent.js'

const ctx = { signal: new AbortController().signal, progress() {} }

test('counts the words of a text', async () => {
  assert.deepEqual(await countWords.handler({ text: ' two  words ' }, ctx), { words: 2 })
  assert.deepEqual(await countWords.handler({ text: '' }, ctx), { words: 0 })
})

test('the agent card carries the capability, without its handler', () => {
  const card = agent.card('did:key:z6MkExample')
  assert.equal(card.capabilities[0].id, '${v.capabilityId}')
  assert.equal(card.capabilities[0].handler, undefined)
})
`

const readme = (v: AgentTemplateValues): string => `# ${v.name}

An agentmesh agent serving one capability,
\`${v.capabilityId}\` (counts the words of a text, 0.001 USD a call).

\`\`\`sh
npm install
npm test                       # the handler, without a node
npm start                      # joins the node at AGENTMESH_URL (default http://127.0.0.1:7420)
\`\`\`

Its identity is \`agent-key.json\` (mode 0600, made by \`agentmesh agent init\` or at the first
start; \`AGENTMESH_KEY_FILE\` names another). Keep it out of version control: a lost key is a lost
identity, with its earnings and reputation. Call it from another shell, where the agentmesh CLI
is (\`npx agentmesh\` in the agentmesh checkout):

\`\`\`sh
agentmesh call ${v.capabilityId} --input '{"text":"hello mesh"}' --max-price 0.01
\`\`\`

Edit \`agent.js\` to serve your own capabilities: each has JSON Schemas for its input and output
(the node checks both), a price and an SLA.
`

/** The project's files, by path relative to its directory. */
export function agentTemplate(values: AgentTemplateValues): Record<string, string> {
  return {
    'package.json': packageJson(values),
    'agent.js': agentJs(values),
    'main.js': mainJs,
    'agent.test.js': testJs(values),
    'README.md': readme(values),
    '.gitignore': 'node_modules\nagent-key.json\n',
  }
}
