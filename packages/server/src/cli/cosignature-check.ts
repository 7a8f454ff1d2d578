import { verifyCosignature, type CosignedTreeHead } from '@agentmesh/protocol'

/** What the cosignatures of a head show: the distinct witnesses that cosigned it, or what is wrong. */
export type CosignatureVerdict = { ok: true; witnesses: string[] } | { ok: false; reason: string }

/**
 * Checks every cosignature a node serves with its head (each must verify for exactly that head)
 * and that at least `minimum` distinct witnesses cosigned it.
 */
export function checkCosignatures(head: CosignedTreeHead, minimum: number): CosignatureVerdict {
  const witnesses = new Set<string>()
  for (const cosignature of head.cosignatures ?? []) {
    try {
      verifyCosignature(cosignature, head)
    } catch (error) {
      return {
        ok: false,
        reason: `the cosignature of "${String(cosignature.witness)}" is bad: ${(error as Error).message}`,
      }
    }
    witnesses.add(cosignature.witness)
  }
  if (witnesses.size < minimum) {
    return {
      ok: false,
      reason: `the tree head has ${witnesses.size} witness cosignatures; ${minimum} required`,
    }
  }
  return { ok: true, witnesses: [...witnesses] }
}
