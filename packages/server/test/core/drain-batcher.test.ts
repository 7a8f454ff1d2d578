import { describe, expect, it } from 'vitest'
import { DrainBatcher } from '../../src/core/drain-batcher.js'
import { RecentCache } from '../../src/core/recent-cache.js'

describe('DrainBatcher', () => {
  it('runs the first call at once and the calls made meanwhile together, each answered its own', async () => {
    const runs: number[][] = []
    const call = new DrainBatcher(3).wrap(async (items: number[]) => {
      runs.push(items)
      await Promise.resolve()
      return items.map((n) => n * 10)
    })
    const answers = await Promise.all([call([1]), call([2]), call([3, 4]), call([5])])
    expect(answers).toEqual([[10], [20], [30, 40], [50]])
    // At most three items a run; a call's items are never split across runs.
    expect(runs).toEqual([[1], [2, 3, 4], [5]])
  })

  it('rejects every call of a failed run, and runs on after it', async () => {
    let fail = true
    const call = new DrainBatcher().wrap(async (items: string[]) => {
      await Promise.resolve()
      if (fail && items.includes('b')) throw new Error('run failed')
      return items
    })
    const first = call(['a'])
    const failed = [call(['b']), call(['c'])]
    expect(await first).toEqual(['a'])
    for (const f of failed) await expect(f).rejects.toThrow('run failed')
    fail = false
    expect(await call(['d'])).toEqual(['d'])
  })
})

describe('RecentCache', () => {
  it('keeps a value for ttl, not after, and not when the clock went back', () => {
    const cache = new RecentCache<string, number>(1000, 10)
    cache.set('a', 1, 5000)
    expect(cache.get('a', 5999)).toBe(1)
    expect(cache.get('a', 6000)).toBeUndefined()
    expect(cache.get('a', 4999)).toBeUndefined()
  })

  it('deletes by key or by value, and starts afresh past its size', () => {
    const cache = new RecentCache<string, number>(1000, 2)
    cache.set('a', 1, 0)
    cache.set('b', 2, 0)
    cache.set('b', 3, 0) // replacing a key does not count as growing
    expect(cache.get('a', 0)).toBe(1)
    cache.set('c', 4, 0)
    expect([cache.get('a', 0), cache.get('b', 0), cache.get('c', 0)]).toEqual([
      undefined,
      undefined,
      4,
    ])
    cache.set('d', 5, 0)
    cache.deleteWhere((v) => v === 5)
    cache.delete('c')
    expect([cache.get('c', 0), cache.get('d', 0)]).toEqual([undefined, undefined])
  })
})
