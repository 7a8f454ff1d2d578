import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { sample, scrape } from '../helpers/prometheus.js'
import { startTestNode } from '../helpers/test-node.js'

describe('money in /metrics', () => {
  let node: RunningNode
  let alice: Mesh
  let aliceDid: string

  beforeAll(async () => {
    node = await startTestNode({ grant: { amount: '10', currency: 'USD' } })
    const key = generateKeyPair()
    aliceDid = key.did
    alice = await Mesh.connect(node.url, { key })
  })
  afterAll(async () => {
    await alice?.close()
    await node?.stop()
  })

  it('sums the ledger volume exactly: the decimal amounts, not a float sum', async () => {
    const bob = `${generateKeyPair().did}:USD`
    // As floats these sum to 0.7998000000000002.
    for (const [i, amount] of ['0.1', '0.2', ...Array<string>(7).fill('0.0714')].entries()) {
      await alice.transfer({
        id: `m-${i}`,
        debitAccount: `${aliceDid}:USD`,
        creditAccount: bob,
        amount: { amount, currency: 'USD' },
      })
    }
    const volume = sample(await scrape(node.url), 'agentmesh_ledger_volume_total', {
      currency: 'USD',
      code: 'transfer',
    })
    expect(volume?.value).toBe('0.7998')
  })
})
