import { describe, expect, it } from 'vitest'
import { ProgressBar } from '../src/progress-bar.js'

function sink(isTTY: boolean) {
  const writes: string[] = []
  return { writes, isTTY, write: (text: string) => writes.push(text) }
}

describe('ProgressBar', () => {
  it('redraws one line on a terminal with the share done across all steps', () => {
    const out = sink(true)
    const bar = new ProgressBar(out, 4, 8)
    bar.update(1, 0.5, 'tasks')
    expect(out.writes.at(-1)).toBe('\r\x1b[2K███░░░░░  37%  [2/4] tasks')
    bar.update(3, 1, 'soak')
    expect(out.writes.at(-1)).toContain('████████ 100%')
    bar.finish()
    expect(out.writes.at(-1)).toBe('\r\x1b[2K')
  })

  it('prints a line per step elsewhere, so logs stay readable', () => {
    const out = sink(false)
    const bar = new ProgressBar(out, 2)
    bar.update(0, 0, 'crypto')
    bar.update(0, 0.5, 'crypto')
    bar.update(1, 0, 'soak')
    bar.finish()
    expect(out.writes).toEqual(['[1/2] crypto\n', '[2/2] soak\n'])
  })
})
