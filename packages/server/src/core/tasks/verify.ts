import { canonicalize, MeshError } from '@agentmesh/protocol'
import type { Clock } from '../ports/clock.js'
import type { Escrow } from '../ports/escrow.js'
import type { ProviderDirectory } from '../ports/provider-directory.js'
import type { TaskTransport } from '../ports/task-transport.js'
import { chooseValidator, type TaskPolicy } from './task-admission.js'
import type { SettlementPolicy } from '../ledger/pricing.js'
import type { OracleReputation } from '../oracles/oracle-reputation.js'
import { settleOracle } from './oracle-verify.js'
import { nodeStopping, type AttemptResult } from './task-attempt.js'
import type { Payment, TaskRunner } from './task-runner.js'
import { callPrice } from './task-settlement.js'
import { reservedMicros, type Candidate, type Task } from './task-types.js'

interface VerifyDeps {
  escrow: Escrow
  directory: ProviderDirectory
  transport: TaskTransport
  clock: Clock
  policy?: TaskPolicy
  settlementPolicy?: SettlementPolicy
  /** Weighs oracle sources and records their deviations; none: every source weighs the same. */
  oracles?: OracleReputation
}

/**
 * Runs a task under its verify policy. Quorum: the task runs on `n` providers at once, and the
 * output that `agree` of them return (canonical-JSON equal) wins; each agreeing provider is paid its
 * price, the others nothing; fewer than `agree` alike → `disputed`, nobody paid. Oracle: the task
 * runs on `n` sources at once and their answers are aggregated (see `settleOracle`). Validator: the
 * task runs as usual, then a validator capability must answer `{ accept: true }` before it completes.
 */
export async function runVerified(
  runner: TaskRunner,
  deps: VerifyDeps,
  task: Task,
  candidates: Candidate[],
  signal: AbortSignal,
): Promise<Task> {
  const verify = task.verify
  if (!verify) return runner.run(task, candidates, signal)
  if (verify.mode === 'validator') {
    return runner.run(task, candidates, signal, (candidate, output) =>
      askValidator(deps, task, verify.capability, candidate, output, signal),
    )
  }
  const chosen = candidates.slice(0, verify.n)
  if (chosen.length < verify.n) {
    return runner.finish(
      task,
      'failed',
      null,
      new MeshError(
        'NO_PROVIDER',
        `${verify.mode === 'oracle' ? 'An oracle' : 'Quorum'} needs ${verify.n} providers, ${chosen.length} online`,
      ),
    )
  }
  const results = await Promise.all(
    chosen.map((candidate) => runner.attempt(task, candidate, signal)),
  )
  if (signal.reason === nodeStopping) return task
  if (signal.aborted)
    return runner.finish(
      task,
      'canceled',
      null,
      new MeshError('TASK_CANCELED', 'Task was canceled'),
    )
  await runner.transition(task, 'verifying')
  if (verify.mode === 'oracle') return settleOracle(runner, deps, task, verify, chosen, results)
  const span = runner.spans.start(task, 'task.verify', { 'agentmesh.verify.mode': 'quorum' })
  const groups = new Map<
    string,
    { output: unknown; members: { candidate: Candidate; units: number | undefined }[] }
  >()
  results.forEach((result: AttemptResult, i) => {
    if (!result.ok) return
    const key = canonicalize(result.output)
    const group = groups.get(key) ?? { output: result.output, members: [] }
    group.members.push({ candidate: chosen[i]!, units: result.units })
    groups.set(key, group)
  })
  const best = [...groups.values()].sort((a, b) => b.members.length - a.members.length)[0]
  span.setAttributes({ 'agentmesh.verify.agreeing': best?.members.length ?? 0 })
  span.end()
  if (!best || best.members.length < verify.agree) {
    return runner.finish(
      task,
      'disputed',
      null,
      new MeshError(
        'TASK_DISPUTED',
        `Only ${best?.members.length ?? 0} of ${verify.n} providers agreed; ${verify.agree} needed`,
      ),
    )
  }
  // Each agreeing provider is paid its price; together capped by the one reservation.
  let remaining = reservedMicros(task)
  const payments: Payment[] = []
  try {
    for (const { candidate, units } of best.members) {
      const price = callPrice(task, candidate, units, remaining, deps.settlementPolicy)
      remaining -= price
      payments.push({ payee: candidate.agentId, priceMicros: price })
    }
  } catch (error) {
    return runner.finish(task, 'failed', null, error as MeshError)
  }
  task.output = best.output
  task.providerId = best.members[0]!.candidate.agentId
  return runner.finish(task, 'completed', payments)
}

async function askValidator(
  deps: VerifyDeps,
  task: Task,
  capability: string,
  provider: Candidate,
  output: unknown,
  signal: AbortSignal,
): Promise<boolean> {
  const validator = await chooseValidator(deps, capability, provider.agentId)
  const answer = await deps.transport.dispatch(
    validator.agentId,
    {
      taskId: task.id,
      attempt: 0,
      capabilityId: capability,
      input: { capability: task.capabilityId, input: task.input, output },
      deadlineAtMs: Math.min(
        task.deadlineAtMs,
        deps.clock.now() + validator.capability.sla.timeoutMs,
      ),
      depth: task.depth + 1,
      budgetMicros: 0n,
      currency: task.currency,
    },
    { signal, onEvent: () => {} },
  )
  return (answer.output as { accept?: unknown } | null)?.accept === true
}
