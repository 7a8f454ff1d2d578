/** At most this many words of a query count; the rest are ignored. */
export const MAX_QUERY_WORDS = 16

const MAX_WORD_LENGTH = 64

/**
 * Splits text into the words the full-text index knows: lower-case runs of letters and digits.
 * The index and the queries use this same function, so `text.sentiment` is found by `sentiment`
 * on SQLite and PostgreSQL alike.
 */
export function searchWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0)
    .map((word) => word.slice(0, MAX_WORD_LENGTH))
}

/** The distinct words of a query, at most `MAX_QUERY_WORDS`. */
export function queryTerms(query: string | undefined): string[] {
  return [...new Set(searchWords(query ?? ''))].slice(0, MAX_QUERY_WORDS)
}
