import { canonicalBytes, sha256, toHex, type FactView } from '@agentmesh/protocol'
import type { FactRecord } from './knowledge-store.js'

/**
 * A fact's id: the same for every assertion of one triple by one agent (a newer one replaces the
 * older), different for another agent's (conflicting facts coexist with their sources).
 */
export function factId(fact: {
  agent: string
  subject: string
  relation: string
  object: string
}): string {
  const { agent, subject, relation, object } = fact
  return `fact_${toHex(sha256(canonicalBytes([agent, subject, relation, object]))).slice(0, 32)}`
}

/**
 * Ranks facts by their agent's reputation (highest first), then confidence, then the newest
 * assertion, then id (so that equal facts keep one order).
 */
export function rankFacts(
  records: readonly FactRecord[],
  reputation: ReadonlyMap<string, number>,
): FactRecord[] {
  const score = (r: FactRecord) => reputation.get(r.assertion.agent) ?? 0
  return [...records].sort(
    (a, b) =>
      score(b) - score(a) ||
      b.assertion.confidence - a.assertion.confidence ||
      b.assertedAtMs - a.assertedAtMs ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  )
}

/** The wire form of a fact, with its agent's reputation score. */
export function factView(record: FactRecord, reputation: number): FactView {
  const { assertion, usage } = record
  const judged = usage.completed + usage.failed
  return {
    id: record.id,
    subject: assertion.subject,
    relation: assertion.relation,
    object: assertion.object,
    confidence: assertion.confidence,
    provenance: {
      agent: assertion.agent,
      taskId: assertion.taskId ?? null,
      assertedAt: new Date(record.assertedAtMs).toISOString(),
      signature: assertion.signature,
      reputation,
    },
    usage: {
      reads: usage.reads,
      tasks: usage.tasks,
      completed: usage.completed,
      failed: usage.failed,
      effectiveness: judged > 0 ? usage.completed / judged : null,
      ratings: {
        count: usage.ratingCount,
        average: usage.ratingCount > 0 ? usage.ratingSum / usage.ratingCount : null,
      },
    },
  }
}
