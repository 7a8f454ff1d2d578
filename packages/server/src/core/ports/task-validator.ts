/**
 * Checks task inputs and outputs against a capability's schemas (JSON Schema 2020-12, already
 * compile-checked at registration).
 */
export interface TaskValidator {
  /** Throws 422 SCHEMA_MISMATCH naming the first failing path. */
  validate(schema: object, value: unknown, what: 'input' | 'output'): void
}
