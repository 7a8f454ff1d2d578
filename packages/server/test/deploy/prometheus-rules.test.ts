import { readFileSync } from 'node:fs'
import { parser } from '@prometheus-io/lezer-promql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import type { AlertRule } from '../../src/core/alerts/alert-evaluator.js'
import type { RunningNode } from '../../src/node.js'
import { scrape } from '../helpers/prometheus.js'
import { startTestNode } from '../helpers/test-node.js'

interface RuleFile {
  groups: { name: string; rules: { alert: string; expr: string; for?: string }[] }[]
}

const file = new URL('../../../../deploy/prometheus/agentmesh-rules.yml', import.meta.url)
const nodeRules: AlertRule[] = [
  'TaskErrorRateHigh',
  'AgentUnresponsive',
  'BudgetExceeded',
  'VerificationFailed',
  'AgentAnomalous',
]

/** Parses a PromQL expression; answers the metric names it selects, or throws at a syntax error. */
function selectedMetrics(expr: string): string[] {
  const names: string[] = []
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) throw new Error(`PromQL syntax error at ${node.from} in: ${expr}`)
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector')
        names.push(expr.slice(node.from, node.to))
    },
  })
  return names
}

describe('deploy/prometheus/agentmesh-rules.yml', () => {
  let node: RunningNode
  beforeAll(async () => {
    node = await startTestNode()
  })
  afterAll(() => node.stop())

  it('holds the node’s five alert rules, in valid PromQL over metrics that /metrics exposes', async () => {
    const rules = (parse(readFileSync(file, 'utf8')) as RuleFile).groups.flatMap((g) => g.rules)
    expect(rules.map((r) => r.alert).sort()).toEqual([...nodeRules].sort())
    const exposed = await scrape(node.url)
    for (const rule of rules) {
      const metrics = selectedMetrics(rule.expr)
      expect(metrics.length, rule.alert).toBeGreaterThan(0)
      for (const metric of metrics) expect([...exposed.keys()], rule.alert).toContain(metric)
    }
  })

  it('rejects PromQL that does not parse, so the check above means something', () => {
    expect(() => selectedMetrics('increase(agentmesh_budget_exceeded_total[5m) > 0')).toThrow(
      /syntax error/,
    )
  })
})
