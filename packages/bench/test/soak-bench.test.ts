import { describe, expect, it } from 'vitest'
import { runSoak, soakFigures } from '../src/soak-bench.js'

describe('the soak, short form', () => {
  // The long form is `agentmesh bench --only soak` (60 s); this one keeps the suite quick.
  it('keeps errors within budget and the heap bounded, and leaves the ledger and audit log verifying', async () => {
    const fractions: number[] = []
    const report = await runSoak({
      durationMs: 3000,
      ratePerSec: 20,
      agents: 20,
      clients: 50,
      errorBudget: 0.001,
      heapGrowthBudgetMb: 64,
      onProgress: (fraction) => fractions.push(fraction),
    })
    expect(report.failures).toEqual([])
    expect(report).toMatchObject({ sent: 60, completed: 60, errors: 0 })
    expect(report.ledgerOk).toBe(true)
    expect(report.auditOk).toBe(true)
    // Every task leaves audit entries (submitted, dispatched, settled…), plus sign-ins.
    expect(report.auditEntries).toBeGreaterThan(60)
    expect(fractions.at(-1)).toBe(1)
    const [first, last] = soakFigures(report)
    expect(last?.baseline).toBe(first?.name)
  }, 60_000)
})
