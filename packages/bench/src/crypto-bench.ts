import { canonicalize, generateKeyPair, utf8 } from '@agentmesh/protocol'
import * as pureJs from '@agentmesh/protocol/crypto/browser'
import * as nodeCrypto from '@agentmesh/protocol/crypto/node'
import { against, opsPerSecond, type BenchFigure } from './measure.js'

const sampleCard = {
  did: 'did:key:z6MkqtqVxfcAVkiRCR75jcYixCCBGrkuWAVgKDsCUNi3Kjyp',
  name: 'sentiment',
  description: 'Scores the sentiment of English text',
  version: 3,
  capabilities: [
    {
      id: 'text.sentiment',
      description: 'Scores text from -1 to 1',
      tags: ['nlp', 'text'],
      input: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
      output: { type: 'object', properties: { score: { type: 'number' } }, required: ['score'] },
      pricing: { model: 'per_call', amount: '0.001', currency: 'USD' },
      sla: { timeoutMs: 2000, p95LatencyMs: 200 },
    },
  ],
}

/** Ed25519 sign and verify with node:crypto against pure JavaScript, and canonical JSON. */
export function cryptoBench(durationMs: number): BenchFigure[] {
  const key = generateKeyPair()
  const message = utf8(canonicalize(sampleCard))
  const signature = nodeCrypto.ed25519Sign(message, key.secretKey)
  const figure = (name: string, fn: () => unknown): BenchFigure => ({
    suite: 'crypto',
    name,
    opsPerSec: opsPerSecond(fn, durationMs),
  })
  const signJs = figure('ed25519 sign (pure JS, noble)', () =>
    pureJs.ed25519Sign(message, key.secretKey),
  )
  const signNode = figure('ed25519 sign (node:crypto)', () =>
    nodeCrypto.ed25519Sign(message, key.secretKey),
  )
  const verifyJs = figure('ed25519 verify (pure JS, noble)', () =>
    pureJs.ed25519Verify(signature, message, key.publicKey),
  )
  const verifyNode = figure('ed25519 verify (node:crypto)', () =>
    nodeCrypto.ed25519Verify(signature, message, key.publicKey),
  )
  const stringify = figure('JSON.stringify (agent card)', () => JSON.stringify(sampleCard))
  const canonical = figure('canonicalize RFC 8785 (agent card)', () => canonicalize(sampleCard))
  return [
    signJs,
    against(signNode, signJs),
    verifyJs,
    against(verifyNode, verifyJs),
    stringify,
    against(canonical, stringify),
  ]
}
