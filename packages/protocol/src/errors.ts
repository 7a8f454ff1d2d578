/**
 * The error catalogue: every condition the network reports has one string code, one HTTP status
 * and a `retryable` flag. Servers, the SDK and the CLI all speak these codes.
 */
export const errorCatalogue = {
  INVALID_INPUT: { status: 400, retryable: false },
  INVALID_JSON: { status: 400, retryable: false },
  UNKNOWN_FIELD: { status: 400, retryable: false },
  INVALID_AMOUNT: { status: 400, retryable: false },
  INVALID_DID: { status: 400, retryable: false },
  CURRENCY_MISMATCH: { status: 400, retryable: false },
  UNAUTHENTICATED: { status: 401, retryable: false },
  TOKEN_INVALID: { status: 401, retryable: false },
  TOKEN_EXPIRED: { status: 401, retryable: false },
  NONCE_INVALID: { status: 401, retryable: false },
  NONCE_EXPIRED: { status: 401, retryable: false },
  SIGNATURE_INVALID: { status: 401, retryable: false },
  INSUFFICIENT_FUNDS: { status: 402, retryable: false },
  BUDGET_EXCEEDED: { status: 402, retryable: false },
  SUBSCRIPTION_LAPSED: { status: 402, retryable: false },
  FORBIDDEN: { status: 403, retryable: false },
  BUDGET_ABOVE_ADMIN_LIMIT: { status: 403, retryable: false },
  ADDRESS_NOT_ALLOWED: { status: 403, retryable: false },
  REGISTRATION_CLOSED: { status: 403, retryable: false },
  NOT_FOUND: { status: 404, retryable: false },
  PRINCIPAL_NOT_FOUND: { status: 404, retryable: false },
  PERMISSION_NOT_FOUND: { status: 404, retryable: false },
  AGENT_NOT_FOUND: { status: 404, retryable: false },
  CAPABILITY_NOT_FOUND: { status: 404, retryable: false },
  TASK_NOT_FOUND: { status: 404, retryable: false },
  ACCOUNT_NOT_FOUND: { status: 404, retryable: false },
  TRANSFER_NOT_FOUND: { status: 404, retryable: false },
  AUDIT_ENTRY_NOT_FOUND: { status: 404, retryable: false },
  AUDIT_HEAD_NOT_FOUND: { status: 404, retryable: false },
  METHOD_NOT_ALLOWED: { status: 405, retryable: false },
  CONFLICT: { status: 409, retryable: false },
  IDEMPOTENCY_MISMATCH: { status: 409, retryable: false },
  VERSION_CONFLICT: { status: 409, retryable: false },
  TRANSFER_CONFLICT: { status: 409, retryable: false },
  PENDING_ALREADY_RESOLVED: { status: 409, retryable: false },
  TASK_NOT_SETTLED: { status: 409, retryable: false },
  ALREADY_RATED: { status: 409, retryable: false },
  ALREADY_REFUNDED: { status: 409, retryable: false },
  PENDING_EXPIRED: { status: 409, retryable: false },
  AMOUNT_EXCEEDS_PENDING: { status: 409, retryable: false },
  LINKED_TRANSFER_FAILED: { status: 409, retryable: false },
  PAYLOAD_TOO_LARGE: { status: 413, retryable: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retryable: false },
  SCHEMA_INVALID: { status: 422, retryable: false },
  SCHEMA_MISMATCH: { status: 422, retryable: false },
  DEPTH_EXCEEDED: { status: 400, retryable: false },
  TASK_CANCELED: { status: 409, retryable: false },
  TASK_DISPUTED: { status: 409, retryable: false },
  TASK_FINISHED: { status: 409, retryable: false },
  RATE_LIMITED: { status: 429, retryable: true },
  INTERNAL: { status: 500, retryable: true },
  PROVIDER_ERROR: { status: 502, retryable: true },
  PROVIDER_DISCONNECTED: { status: 502, retryable: true },
  RESPONSE_TOO_LARGE: { status: 502, retryable: false },
  INVALID_OUTPUT: { status: 502, retryable: false },
  PROVIDER_BUSY: { status: 503, retryable: true },
  UNAVAILABLE: { status: 503, retryable: true },
  NO_PROVIDER: { status: 503, retryable: true },
  NO_VALIDATOR: { status: 503, retryable: true },
  TIMEOUT: { status: 504, retryable: true },
} as const satisfies Record<string, { status: number; retryable: boolean }>

/** One code of the catalogue. */
export type ErrorCode = keyof typeof errorCatalogue

/** An error as it travels on the wire: `{"error": WireError}`. */
export interface WireError {
  code: ErrorCode
  message: string
  retryable: boolean
  details?: Record<string, unknown>
}

/** Tells whether a string is a code of the catalogue. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(errorCatalogue, code)
}

/**
 * An error the network reports, carrying a catalogue code. Thrown by the node's core and rebuilt by
 * the SDK from a wire error.
 */
export class MeshError extends Error {
  override readonly name = 'MeshError'
  readonly code: ErrorCode
  readonly status: number
  readonly retryable: boolean
  readonly details: Record<string, unknown> | undefined

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.status = errorCatalogue[code].status
    this.retryable = errorCatalogue[code].retryable
    this.details = options.details
  }

  /** The error's wire form. */
  toWire(): WireError {
    const wire: WireError = { code: this.code, message: this.message, retryable: this.retryable }
    if (this.details !== undefined) wire.details = this.details
    return wire
  }

  /** Rebuilds an error from its wire form; an unknown code becomes `INTERNAL`. */
  static fromWire(wire: unknown, fallbackMessage = 'Request failed'): MeshError {
    const w = (wire ?? {}) as Partial<WireError>
    const code = isErrorCode(w.code) ? w.code : 'INTERNAL'
    const message = typeof w.message === 'string' ? w.message : fallbackMessage
    return new MeshError(code, message, w.details === undefined ? {} : { details: w.details })
  }
}
