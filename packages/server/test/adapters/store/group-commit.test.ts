import { describe, expect, it } from 'vitest'
import { GroupCommit } from '../../../src/adapters/store/group-commit.js'

describe('group commit', () => {
  it('runs calls that arrive within the window as one batch and answers each with its own results', async () => {
    const runs: number[][] = []
    const submit = new GroupCommit({ windowMs: 5 }).wrap((items: number[]) => {
      runs.push(items)
      return Promise.resolve(items.map((n) => n * 10))
    })
    const answers = await Promise.all([submit([1, 2]), submit([3]), submit([4, 5, 6])])
    expect(answers).toEqual([[10, 20], [30], [40, 50, 60]])
    expect(runs).toEqual([[1, 2, 3, 4, 5, 6]])
  })

  it('collects what arrives during a run into the next one, and splits at the size limit', async () => {
    const runs: number[][] = []
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => (release = resolve))
    let started: () => void = () => {}
    const running = new Promise<void>((resolve) => (started = resolve))
    const submit = new GroupCommit({ windowMs: 0, maxItems: 2 }).wrap(async (items: number[]) => {
      runs.push(items)
      if (runs.length === 1) {
        started()
        await gate
      }
      return items
    })
    const first = submit([1])
    await running
    const later = [submit([2]), submit([3]), submit([4])]
    release()
    expect(await Promise.all([first, ...later])).toEqual([[1], [2], [3], [4]])
    expect(runs).toEqual([[1], [2, 3], [4]])
  })

  it('rejects every caller of a failed run', async () => {
    const submit = new GroupCommit({ windowMs: 1 }).wrap((): Promise<number[]> =>
      Promise.reject(new Error('database down')),
    )
    const results = await Promise.allSettled([submit([1]), submit([2])])
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected'])
  })
})
