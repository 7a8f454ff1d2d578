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
