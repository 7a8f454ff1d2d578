import { describe, expect, it } from 'vitest'
import { clusterView, recommendation } from '../../../src/adapters/cluster/cluster-view.js'

const node = (id: string, inFlight: number, capacity: number) => ({
  id,
  did: `did:key:${id}`,
  url: `http://${id}`,
  startedAtMs: 0,
  lastSeenMs: 1000,
  state: 'up' as const,
  agents: [],
  inFlight,
  capacity,
  gone: false,
})

describe('the scaling recommendation with a load forecast', () => {
  it('scales out ahead of a rise, and in only when the forecast is low too', () => {
    expect(recommendation(0.5)).toBe('steady')
    expect(recommendation(0.5, 0.95)).toBe('scale_out')
    expect(recommendation(0.9, 0.5)).toBe('scale_out')
    expect(recommendation(0.2)).toBe('scale_in')
    expect(recommendation(0.2, 0.5)).toBe('steady')
    expect(recommendation(0.2, 0.1)).toBe('scale_in')
  })

  it('shows the forecast in the view and follows it', () => {
    const leases = { leases: [], byOwner: new Map<string, number>() }
    const nodes = [node('a', 2, 10), node('b', 3, 10)]
    const calm = clusterView('a', nodes, leases)
    expect(calm).toMatchObject({ load: 0.25, recommendation: 'scale_in' })
    expect(calm.forecast).toBeUndefined()
    const forecast = { load: 0.9, horizonMs: 120_000, trendPerMinute: 0.33 }
    const rising = clusterView('a', nodes, leases, forecast)
    expect(rising).toMatchObject({ load: 0.25, recommendation: 'scale_out', forecast })
  })
})
