import { describe, expect, it } from 'vitest'
import { HoltForecast } from '../../../src/core/anomalies/holt-forecast.js'

const MIN = 60_000

describe('HoltForecast', () => {
  it('forecasts nothing before two samples, then follows a straight line exactly', () => {
    const holt = new HoltForecast()
    expect(holt.forecast(MIN)).toBeUndefined()
    holt.observe(0.2, 0)
    expect(holt.forecast(MIN)).toBeUndefined()
    for (let i = 1; i <= 10; i++) holt.observe(0.2 + 0.05 * i, i * 10_000)
    const ahead = holt.forecast(2 * MIN)!
    // 0.7 now, rising 0.05 every 10 s: 1.3 two minutes on.
    expect(ahead.value).toBeCloseTo(1.3, 6)
    expect(ahead.trendPerMs * MIN).toBeCloseTo(0.3, 6)
  })

  it('settles on a flat load, damps noise, and never forecasts below zero', () => {
    const flat = new HoltForecast()
    for (let i = 0; i < 60; i++) flat.observe(0.5 + (i % 2 === 0 ? 0.05 : -0.05), i * 5000)
    expect(flat.forecast(2 * MIN)!.value).toBeGreaterThan(0.3)
    expect(flat.forecast(2 * MIN)!.value).toBeLessThan(0.7)
    const falling = new HoltForecast()
    for (let i = 0; i < 10; i++) falling.observe(1 - 0.1 * i, i * 5000)
    expect(falling.forecast(10 * MIN)!.value).toBe(0)
  })

  it('ignores samples that do not move time forward', () => {
    const holt = new HoltForecast()
    holt.observe(0.1, 1000)
    holt.observe(0.9, 1000)
    holt.observe(0.2, 500)
    expect(holt.forecast(MIN)).toBeUndefined()
  })
})
