import { errorCatalogue, isErrorCode } from '@agentmesh/protocol'
import type { RetryPolicy } from './task-types.js'

/** The defaults: three attempts per provider, 100 ms doubling to at most 2 s. */
export const defaultRetryPolicy: RetryPolicy = {
  initialIntervalMs: 100,
  backoffCoefficient: 2,
  maximumIntervalMs: 2000,
  maximumAttempts: 3,
  nonRetryableErrorCodes: [],
}

/** The wait before attempt `n + 1`, after `n` attempts failed. */
export function backoffMs(policy: RetryPolicy, failedAttempts: number): number {
  const raw =
    policy.initialIntervalMs * policy.backoffCoefficient ** Math.max(0, failedAttempts - 1)
  return Math.min(policy.maximumIntervalMs, raw)
}

/** Whether an error code may be retried under this policy: the catalogue says so and the policy does not forbid it. */
export function isRetryable(policy: RetryPolicy, code: string): boolean {
  if (policy.nonRetryableErrorCodes.includes(code)) return false
  return isErrorCode(code) && errorCatalogue[code].retryable
}
