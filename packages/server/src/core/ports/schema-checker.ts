/** A problem with a JSON Schema or with a value against one: a JSON pointer and a message. */
export interface SchemaProblem {
  path: string
  message: string
}

/** JSON Schema (draft 2020-12) checks the core needs; Ajv implements them at the edge. */
export interface SchemaChecker {
  /** Answers the first reason `schema` does not compile, or undefined when it does. */
  compileProblem(schema: unknown): SchemaProblem | undefined
  /** Answers the first reason `value` does not match `schema` (a trusted, static schema). */
  validationProblem(schema: object, value: unknown): SchemaProblem | undefined
}
