/** Serializes a document for a TEXT column, keeping bigints exact as `{"$bigint": "…"}`. */
export function toDocument(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? { $bigint: v.toString() } : v,
  )
}

/** Reads what `toDocument` wrote. */
export function fromDocument<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && '$bigint' in v
      ? BigInt((v as { $bigint: string }).$bigint)
      : v,
  ) as T
}

/** Whether a database error is a unique-constraint violation (PostgreSQL or SQLite). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string }
  return (
    e.code === '23505' ||
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint/.test(e.message ?? '')
  )
}
