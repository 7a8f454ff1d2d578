/** Errors of `pg` carry PostgreSQL's SQLSTATE as `code`; socket errors Node's `E…` codes. */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code
  return typeof code === 'string' ? code : ''
}

/** Whether `error` is a unique-constraint (or primary-key) violation: SQLSTATE 23505. */
export function isUniqueViolation(error: unknown): boolean {
  return codeOf(error) === '23505'
}

/** Unique violation, serialization failure, deadlock: the transaction lost a race with another. */
const RETRYABLE = new Set(['23505', '40001', '40P01'])

/** Whether the transaction that threw `error` lost a race and may simply be run again. */
export function isRetryable(error: unknown): boolean {
  return RETRYABLE.has(codeOf(error))
}

/** Socket errors, and PostgreSQL's connection-exception (08…) and shutdown (57P0…) classes. */
export function isUnavailable(error: unknown): boolean {
  const code = codeOf(error)
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(code) ||
    /^(08|57P0)/.test(code) ||
    (error as Error | undefined)?.message === 'Connection terminated unexpectedly'
  )
}
