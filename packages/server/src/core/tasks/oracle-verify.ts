import { canonicalize, MeshError } from '@agentmesh/protocol'
import type { SettlementPolicy } from '../ledger/pricing.js'
import { aggregate, readAnswer, type OraclePolicy } from '../oracles/oracle-aggregate.js'
import type { OracleReputation } from '../oracles/oracle-reputation.js'
import type { AttemptResult } from './task-attempt.js'
import type { Payment, TaskRunner } from './task-runner.js'
import { callPrice } from './task-settlement.js'
import { reservedMicros, type Candidate, type OracleResult, type Task } from './task-types.js'

/** A source's weight when the node keeps no oracle reputation: all weigh the same. */
const EVEN_WEIGHT = 0.5

/**
 * Ends an oracle task once its `chosen` sources answered (`results`, in the same order): reads
 * each answer, weighs it by the source's oracle reputation, aggregates (weighted median or
 * majority), pays each source within tolerance its price out of the task's one reservation (the
 * others nothing), records every source that answered in its oracle reputation, and completes with
 * the output of the heaviest source that gave the answer. Too few usable answers, or no majority,
 * dispute the task (`ORACLE_NO_CONSENSUS`), nobody paid and nothing recorded.
 */
export async function settleOracle(
  runner: TaskRunner,
  deps: { oracles?: OracleReputation; settlementPolicy?: SettlementPolicy },
  task: Task,
  policy: OraclePolicy,
  chosen: Candidate[],
  results: AttemptResult[],
): Promise<Task> {
  const span = runner.spans.start(task, 'task.verify', { 'agentmesh.verify.mode': 'oracle' })
  const ids = chosen.map((c) => c.agentId)
  const weights = deps.oracles
    ? await deps.oracles.weights(ids, task.capabilityId)
    : new Map<string, number>()
  const answers = results.map((result, i) => ({
    value: result.ok ? readAnswer(policy, result.output) : undefined,
    weight: weights.get(ids[i]!) ?? EVEN_WEIGHT,
  }))
  const outcome = aggregate(policy, answers)
  const sources: OracleResult['sources'] = ids.map((agentId, i) => ({
    agentId,
    answer: answers[i]!.value ?? null,
    weight: answers[i]!.weight,
    deviation: outcome.ok ? outcome.deviations[i]! : null,
    withinTolerance: outcome.ok && outcome.within[i]!,
    paidMicros: 0n,
  }))
  task.oracle = { answer: outcome.ok ? outcome.answer : null, sources }
  span.setAttributes({ 'agentmesh.verify.within': sources.filter((s) => s.withinTolerance).length })
  span.end()
  if (!outcome.ok) {
    return runner.finish(
      task,
      'disputed',
      null,
      new MeshError('ORACLE_NO_CONSENSUS', outcome.reason),
    )
  }
  let remaining = reservedMicros(task)
  const payments: Payment[] = []
  try {
    for (const [i, result] of results.entries()) {
      if (!result.ok || !sources[i]!.withinTolerance) continue
      const price = callPrice(task, chosen[i]!, result.units, remaining, deps.settlementPolicy)
      remaining -= price
      sources[i]!.paidMicros = price
      payments.push({ payee: ids[i]!, priceMicros: price })
    }
  } catch (error) {
    return runner.finish(task, 'failed', null, error as MeshError)
  }
  const key = canonicalize(outcome.answer)
  let best = -1
  for (const [i, a] of answers.entries()) {
    if (a.value === undefined || canonicalize(a.value) !== key) continue
    if (best < 0 || a.weight > answers[best]!.weight) best = i
  }
  task.output = (results[best] as { output: unknown }).output
  task.providerId = ids[best]!
  await deps.oracles?.record(
    task.id,
    task.capabilityId,
    sources.filter((_, i) => results[i]!.ok),
  )
  return runner.finish(task, 'completed', payments)
}
