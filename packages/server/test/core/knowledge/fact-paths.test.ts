import { describe, expect, it } from 'vitest'
import { findPaths, type PathSearch } from '../../../src/core/knowledge/fact-paths.js'
import type { FactRecord } from '../../../src/core/knowledge/knowledge-store.js'

const usage = { reads: 0, tasks: 0, completed: 0, failed: 0, ratingCount: 0, ratingSum: 0 }

/** A graph of `s>o` edges (confidence 1 unless `s>o@0.5`), read as the store answers it. */
function graph(edges: string[]) {
  const records: FactRecord[] = edges.map((edge, i) => {
    const [pair = '', confidence = '1'] = edge.split('@')
    const [subject = '', object = ''] = pair.split('>')
    return {
      id: `fact_${String(i).padStart(3, '0')}`,
      assertedAtMs: 0,
      usage,
      assertion: {
        subject,
        relation: 'r',
        object,
        confidence: Number(confidence),
        agent: 'did:key:a',
        signature: 's',
      },
    }
  })
  const reads: string[][] = []
  const edgesFrom = (subjects: string[], limit: number) => {
    reads.push(subjects)
    const matching = records
      .filter((r) => subjects.includes(r.assertion.subject))
      .sort((a, b) => b.assertion.confidence - a.assertion.confidence || a.id.localeCompare(b.id))
    return Promise.resolve(matching.slice(0, limit))
  }
  return { edgesFrom, reads }
}

const search = (from: string, to: string, limits: Partial<PathSearch> = {}): PathSearch => ({
  from,
  to,
  maxHops: 4,
  maxPaths: 10,
  maxNodes: 100,
  maxEdges: 100,
  ...limits,
})

const text = (paths: { subject: string; object: string }[][]) =>
  paths.map((p) => [p[0]!.subject, ...p.map((h) => h.object)].join(''))

describe('path search along facts', () => {
  it('answers every shortest path, and none longer', async () => {
    const { edgesFrom } = graph(['a>b', 'a>c', 'b>d', 'c>d', 'a>e', 'e>f', 'f>d', 'd>a'])
    const result = await findPaths(search('a', 'd'), edgesFrom)
    expect(text(result.paths).sort()).toEqual(['abd', 'acd'])
    expect(result).toMatchObject({ truncated: false })
  })

  it('stops at maxHops and reads no level past it', async () => {
    const { edgesFrom, reads } = graph(['a>b', 'b>c', 'c>d'])
    expect((await findPaths(search('a', 'd', { maxHops: 2 }), edgesFrom)).paths).toEqual([])
    expect(reads).toEqual([['a'], ['b']])
    expect(text((await findPaths(search('a', 'd', { maxHops: 3 }), edgesFrom)).paths)).toEqual([
      'abcd',
    ])
  })

  it('answers a path of no hops from a node to itself, and none to an unknown node', async () => {
    const { edgesFrom } = graph(['a>b'])
    expect((await findPaths(search('a', 'a'), edgesFrom)).paths).toEqual([[]])
    expect(await findPaths(search('a', 'z'), edgesFrom)).toEqual({
      paths: [],
      visited: 2,
      truncated: false,
    })
  })

  it('keeps to maxPaths, maxNodes and maxEdges, saying when a limit cut it short', async () => {
    const fan = ['s>m1', 's>m2', 's>m3', 'm1>t', 'm2>t', 'm3>t']
    const { edgesFrom } = graph(fan)
    expect((await findPaths(search('s', 't', { maxPaths: 2 }), edgesFrom)).paths).toHaveLength(2)
    const nodes = await findPaths(search('s', 't', { maxNodes: 3 }), edgesFrom)
    // s, m1 and m2 fill the three nodes: t is never reached.
    expect(nodes).toEqual({ paths: [], visited: 3, truncated: true })
    const edges = await findPaths(search('s', 't', { maxEdges: 4 }), edgesFrom)
    expect(edges).toMatchObject({ truncated: true })
    expect(text(edges.paths)).toEqual(['sm1t'])
  })

  it('follows the most confident of the facts joining two nodes by one relation', async () => {
    const { edgesFrom } = graph(['a>b@0.4', 'a>b@0.9', 'b>c'])
    const [path] = (await findPaths(search('a', 'c'), edgesFrom)).paths
    expect(path!.map((h) => h.confidence)).toEqual([0.9, 1])
  })
})
