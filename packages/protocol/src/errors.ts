/** What the catalogue says of one code. */
export interface ErrorSpec {
  /** The HTTP status of the answer. */
  status: number
  /** Whether the same request may succeed later. */
  retryable: boolean
  /** What the code means, in one line; no two codes share a meaning. */
  description: string
  /**
   * The broad code older nodes sent for this condition: a client that matched it should match
   * this code now (and both, to talk to older nodes too).
   */
  replaces?: string
  /** No longer sent (the codes that name it in `replaces` took over): kept so clients read older nodes. */
  legacy?: true
  /** Not sent yet: kept for a condition the node may report later. */
  reserved?: true
}

/**
 * The error catalogue: every condition the network reports has one string code, one HTTP status,
 * a `retryable` flag and a one-line meaning; no two codes mean the same. Servers, the SDK and the
 * CLI all speak these codes.
 */
const catalogue = {
  INVALID_INPUT: {
    status: 400,
    retryable: false,
    description: 'A field of the request is invalid',
  },
  INVALID_JSON: { status: 400, retryable: false, description: 'The body is not valid JSON' },
  UNKNOWN_FIELD: {
    status: 400,
    retryable: false,
    description: 'The body has a field the route does not know',
  },
  INVALID_AMOUNT: {
    status: 400,
    retryable: false,
    description: 'An amount is not a positive decimal with at most 6 decimals',
  },
  INVALID_DID: {
    status: 400,
    retryable: false,
    description: 'A DID is not a base58btc Ed25519 did:key',
  },
  CURRENCY_MISMATCH: {
    status: 400,
    retryable: false,
    description: 'An amount is in a currency the node or the account does not hold',
  },
  DEPTH_EXCEEDED: {
    status: 400,
    retryable: false,
    description: "Calls on a task's behalf nest deeper than allowed",
  },
  UNAUTHENTICATED: {
    status: 401,
    retryable: false,
    description: 'The request carries no token, or the agent did not sign in',
  },
  TOKEN_INVALID: {
    status: 401,
    retryable: false,
    description: 'The token is not known to this node',
  },
  TOKEN_EXPIRED: {
    status: 401,
    retryable: false,
    description: 'The token has expired: sign in again',
  },
  NONCE_INVALID: {
    status: 401,
    retryable: false,
    description: 'The sign-in nonce is unknown, used already, or issued to another DID',
  },
  NONCE_EXPIRED: {
    status: 401,
    retryable: false,
    description: 'The sign-in nonce has expired: ask for a new challenge',
  },
  SIGNATURE_INVALID: {
    status: 401,
    retryable: false,
    description: 'A signature does not verify against its key or payload',
  },
  INSUFFICIENT_FUNDS: {
    status: 402,
    retryable: false,
    description: 'The debit account has not enough available money',
  },
  BUDGET_EXCEEDED: {
    status: 402,
    retryable: false,
    description: "The spend is over a budget (the principal's, a task's or a run's)",
  },
  SUBSCRIPTION_LAPSED: {
    status: 402,
    retryable: false,
    description: 'The subscription is not paid for this period',
  },
  FORBIDDEN: {
    status: 403,
    retryable: false,
    description: "The caller's roles or permissions do not allow this",
  },
  TEMPLATE_NOT_DEPLOYED: {
    status: 403,
    retryable: false,
    description: 'Only a principal that deployed a template (not its owner) may rate it',
  },
  BUDGET_ABOVE_ADMIN_LIMIT: {
    status: 403,
    retryable: false,
    description: 'A budget is set above the limit an admin put on it',
  },
  ADDRESS_NOT_ALLOWED: {
    status: 403,
    retryable: false,
    description: 'A URL resolves to an address the node does not call',
  },
  REGISTRATION_CLOSED: {
    status: 403,
    retryable: false,
    description: 'The node is closed to keys it does not know',
  },
  NOT_FOUND: {
    status: 404,
    retryable: false,
    description:
      'Legacy: older nodes sent it for a missing route, pipeline run, intent, offer or contract, and a feature off',
    legacy: true,
  },
  ROUTE_NOT_FOUND: {
    status: 404,
    retryable: false,
    description: 'No route answers this method and path',
    replaces: 'NOT_FOUND',
  },
  PRINCIPAL_NOT_FOUND: {
    status: 404,
    retryable: false,
    description: 'The principal does not exist',
  },
  PERMISSION_NOT_FOUND: {
    status: 404,
    retryable: false,
    description: 'The permission does not exist',
  },
  AGENT_NOT_FOUND: {
    status: 404,
    retryable: false,
    description: 'The agent does not exist, or was removed',
  },
  HOSTED_AGENT_NOT_FOUND: {
    status: 404,
    retryable: false,
    description: "No hosted agent with this id, or it is not the caller's",
  },
  TEMPLATE_NOT_FOUND: { status: 404, retryable: false, description: 'No template with this id' },
  CAPABILITY_NOT_FOUND: {
    status: 404,
    retryable: false,
    description: 'The agent has no such capability',
  },
  TASK_NOT_FOUND: {
    status: 404,
    retryable: false,
    description: "The task does not exist, or is not the caller's",
  },
  PIPELINE_RUN_NOT_FOUND: {
    status: 404,
    retryable: false,
    description: "The pipeline run does not exist, or is not the caller's",
    replaces: 'NOT_FOUND',
  },
  FL_JOB_NOT_FOUND: {
    status: 404,
    retryable: false,
    description: 'The federated-learning job does not exist, or the caller may not read it',
  },
  INTENT_NOT_FOUND: {
    status: 404,
    retryable: false,
    description: "The intent does not exist, or is not the caller's",
    replaces: 'NOT_FOUND',
  },
  OFFER_NOT_FOUND: {
    status: 404,
    retryable: false,
    description: 'The offer is not on the intent',
    replaces: 'NOT_FOUND',
  },
  CONTRACT_NOT_FOUND: {
    status: 404,
    retryable: false,
    description: "The contract does not exist, or is not the caller's",
    replaces: 'NOT_FOUND',
  },
  ACCOUNT_NOT_FOUND: {
    status: 404,
    retryable: false,
    description:
      'Reserved: the ledger account does not exist (an unknown account reads as empty today)',
    reserved: true,
  },
  TRANSFER_NOT_FOUND: {
    status: 404,
    retryable: false,
    description: 'The transfer or reservation does not exist',
  },
  AUDIT_ENTRY_NOT_FOUND: {
    status: 404,
    retryable: false,
    description: 'The audit entry does not exist, or is not in the tree asked for',
  },
  AUDIT_HEAD_NOT_FOUND: {
    status: 404,
    retryable: false,
    description: 'The node has signed no tree head yet',
  },
  CERTIFICATE_NOT_FOUND: {
    status: 404,
    retryable: false,
    description: 'No quorum certificate has this id, or the caller may not read it',
  },
  METHOD_NOT_ALLOWED: {
    status: 405,
    retryable: false,
    description: 'The route does not offer this method',
  },
  CONFLICT: {
    status: 409,
    retryable: false,
    description:
      'Legacy: older nodes sent it for each of the conflicts now named by the codes that replace it',
    legacy: true,
  },
  AGENT_EXISTS: {
    status: 409,
    retryable: false,
    description: 'The agent is registered already: PATCH its card',
    replaces: 'CONFLICT',
  },
  VERSION_CONFLICT: {
    status: 409,
    retryable: false,
    description: "The card's version is not higher than the registered one",
  },
  PERMISSION_LIMIT_REACHED: {
    status: 409,
    retryable: false,
    description: 'The principal holds as many permissions as allowed',
    replaces: 'CONFLICT',
  },
  INTENT_CLOSED: {
    status: 409,
    retryable: false,
    description: "The intent's offer window has closed",
    replaces: 'CONFLICT',
  },
  OFFER_EXISTS: {
    status: 409,
    retryable: false,
    description: 'The provider has offered on this intent already',
    replaces: 'CONFLICT',
  },
  OFFER_EXPIRED: {
    status: 409,
    retryable: false,
    description: 'The offer is past its validUntil',
    replaces: 'CONFLICT',
  },
  OFFER_ALREADY_ACCEPTED: {
    status: 409,
    retryable: false,
    description: 'The intent has an accepted offer already',
    replaces: 'CONFLICT',
  },
  CONTRACT_CANCELED: {
    status: 409,
    retryable: false,
    description: 'The contract was canceled',
    replaces: 'CONFLICT',
  },
  CONTRACT_EXPIRED: {
    status: 409,
    retryable: false,
    description: 'The contract is past its validUntil',
    replaces: 'CONFLICT',
  },
  IDEMPOTENCY_MISMATCH: {
    status: 409,
    retryable: false,
    description: 'The idempotency key was used for another request',
  },
  TRANSFER_CONFLICT: {
    status: 409,
    retryable: false,
    description: 'A transfer with this id exists with other fields',
  },
  PENDING_ALREADY_RESOLVED: {
    status: 409,
    retryable: false,
    description: 'The pending transfer was posted or voided already',
  },
  TASK_NOT_SETTLED: {
    status: 409,
    retryable: false,
    description: 'The task has no settled payment (yet) to rate or refund',
  },
  ALREADY_RATED: {
    status: 409,
    retryable: false,
    description: 'The caller has rated this task already',
  },
  ALREADY_REFUNDED: { status: 409, retryable: false, description: 'The task was refunded already' },
  PENDING_EXPIRED: {
    status: 409,
    retryable: false,
    description: "The pending transfer's timeout has passed",
  },
  AMOUNT_EXCEEDS_PENDING: {
    status: 409,
    retryable: false,
    description: 'The post is for more than the pending transfer holds',
  },
  LINKED_TRANSFER_FAILED: {
    status: 409,
    retryable: false,
    description: 'A transfer linked to this one failed',
  },
  TASK_CANCELED: { status: 409, retryable: false, description: 'The task was canceled' },
  TASK_DISPUTED: {
    status: 409,
    retryable: false,
    description: 'The validator or the quorum rejected the output',
  },
  ORACLE_NO_CONSENSUS: {
    status: 409,
    retryable: false,
    description:
      "Too few of an oracle's sources answered usably, or no answer held a weighted majority",
  },
  TASK_FINISHED: {
    status: 409,
    retryable: false,
    description: 'The task has finished and cannot change',
  },
  WITNESS_STALE: {
    status: 409,
    retryable: false,
    description: 'The tree head is smaller than one the witness cosigned for this node before',
  },
  WITNESS_CONFLICT: {
    status: 409,
    retryable: false,
    description: 'The tree head has another root at a size the witness cosigned: a forked history',
  },
  WITNESS_INCONSISTENT: {
    status: 409,
    retryable: false,
    description: 'The consistency proof does not show the head extends the last one cosigned',
  },
  WITNESS_SIZE_MISMATCH: {
    status: 409,
    retryable: false,
    description: "The request's old size is not the witness's last cosigned size (in details.size)",
  },
  CERTIFICATE_INVALID: {
    status: 400,
    retryable: false,
    description: 'A quorum certificate, its validator set or a signature on it is invalid',
  },
  CERTIFICATE_ALREADY_SIGNED: {
    status: 409,
    retryable: false,
    description: 'The validator has signed this certificate already',
  },
  FL_SECAGG_INVALID: {
    status: 400,
    retryable: false,
    description: 'A secure-aggregation message fails its checks (sender, keys, shares or size)',
  },
  FL_SECAGG_BELOW_THRESHOLD: {
    status: 409,
    retryable: false,
    description: 'Too few trainers answered a secure-aggregation round to recover its sum',
  },
  FL_JOB_FINISHED: {
    status: 409,
    retryable: false,
    description: 'The federated-learning job has ended and cannot change',
  },
  FL_ROUND_REJECTED: {
    status: 409,
    retryable: false,
    description: 'A round got no quorum certificate: too few validators accepted or signed validly',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    retryable: false,
    description: 'The body is larger than the limit',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    retryable: false,
    description: 'The body is not application/json',
  },
  SCHEMA_INVALID: {
    status: 422,
    retryable: false,
    description: 'A schema in an agent card is invalid or too deep',
  },
  HOSTED_CODE_MISMATCH: {
    status: 422,
    retryable: false,
    description: "A hosted agent's code does not define a capability its card lists",
  },
  PARAMS_MISMATCH: {
    status: 422,
    retryable: false,
    description: "A template deployment's parameters do not match the template's schema",
  },
  SCHEMA_MISMATCH: {
    status: 422,
    retryable: false,
    description: "A task's input does not match its capability's schema",
  },
  FL_UPDATE_INVALID: {
    status: 422,
    retryable: false,
    description: "A trainer's or validator's answer in a federated-learning round is malformed",
  },
  SANDBOX_CPU_LIMIT: {
    status: 422,
    retryable: false,
    description: 'Hosted code used more CPU time than its limit allows',
  },
  SANDBOX_MEMORY_LIMIT: {
    status: 422,
    retryable: false,
    description: 'Hosted code needed more memory than its limit allows',
  },
  SANDBOX_WALL_LIMIT: {
    status: 422,
    retryable: false,
    description: 'A call of hosted code outlasted its wall-time limit or was canceled',
  },
  SANDBOX_STACK_LIMIT: {
    status: 422,
    retryable: false,
    description: 'Hosted code nested calls deeper than its stack limit allows',
  },
  SANDBOX_JOB_LIMIT: {
    status: 422,
    retryable: false,
    description: 'Hosted code queued more promise jobs in one call than allowed',
  },
  SANDBOX_GUEST_ERROR: {
    status: 422,
    retryable: false,
    description: 'Hosted code threw, returned no JSON, or lacks the capability called',
  },
  RATE_LIMITED: { status: 429, retryable: true, description: 'Too many requests: slow down' },
  INTERNAL: {
    status: 500,
    retryable: false,
    description: 'A bug or an unexpected failure of the node',
  },
  TASK_OWNED_ELSEWHERE: {
    status: 409,
    retryable: false,
    description: 'Another node of the cluster owns the task now (its lease was taken over)',
  },
  SANDBOX_CRASHED: {
    status: 500,
    retryable: false,
    description: 'The sandbox worker running hosted code stopped answering and was replaced',
  },
  FEATURE_UNAVAILABLE: {
    status: 501,
    retryable: false,
    description: 'This node does not run the feature asked for',
    replaces: 'NOT_FOUND',
  },
  PROVIDER_ERROR: { status: 502, retryable: true, description: 'The provider failed the task' },
  PROVIDER_DISCONNECTED: {
    status: 502,
    retryable: true,
    description: 'The provider is not connected, or disconnected mid-task',
  },
  FEDERATION_CREDIT_LIMIT: {
    status: 402,
    retryable: false,
    description: "A federation peer's clearing balance would pass the credit limit set for it",
  },
  FEDERATION_PEER_REFUSED: {
    status: 403,
    retryable: false,
    description: 'A federation peer is not allowed here (allowlist, demoted past the threshold)',
  },
  FEDERATION_REPLAY: {
    status: 409,
    retryable: false,
    description: 'A federation task message was seen before or is outside its time window',
  },
  FEDERATION_RECEIPT_INVALID: {
    status: 502,
    retryable: true,
    description: 'A federation peer answered with a receipt that does not verify or does not match',
  },
  FEDERATION_PEER_UNREACHABLE: {
    status: 502,
    retryable: true,
    description: 'A federation peer could not be reached or broke off the stream',
  },
  FEDERATION_STATEMENT_MISMATCH: {
    status: 409,
    retryable: false,
    description: "A clearing statement's net balance differs from this node's own ledger",
  },
  FEDERATION_DISABLED: {
    status: 404,
    retryable: false,
    description: 'This node does not federate (it was started without --p2p-listen)',
  },
  RESPONSE_TOO_LARGE: {
    status: 502,
    retryable: false,
    description: 'A response the node fetched is larger than the limit',
  },
  INVALID_OUTPUT: {
    status: 502,
    retryable: false,
    description: "The provider's answer does not match the capability (output or units)",
  },
  PROVIDER_BUSY: {
    status: 503,
    retryable: true,
    description: 'The provider is at its concurrency limit',
  },
  UNAVAILABLE: {
    status: 503,
    retryable: true,
    description: 'The node or its store is not reachable or is stopping: retry shortly',
  },
  NO_PROVIDER: { status: 503, retryable: true, description: 'No online provider fits the call' },
  NO_VALIDATOR: { status: 503, retryable: true, description: 'No eligible validator is online' },
  FL_NOT_ENOUGH_TRAINERS: {
    status: 503,
    retryable: true,
    description: 'Fewer trainers than a federated-learning job needs are online',
  },
  TIMEOUT: { status: 504, retryable: true, description: 'A deadline passed before the answer' },
  INPUT_TIMEOUT: {
    status: 504,
    retryable: false,
    description: "Nobody answered the agent's request for input before the input timeout",
  },
  NOT_WAITING_FOR_INPUT: {
    status: 409,
    retryable: false,
    description: 'The task is not waiting for input (it never asked, or was answered or ended)',
  },
  FACT_SIGNER_MISMATCH: {
    status: 403,
    retryable: false,
    description: 'A fact names another agent than the caller, or a task the agent did not work on',
  },
  KNOWLEDGE_LIMIT_REACHED: {
    status: 409,
    retryable: false,
    description: 'The agent holds as many facts as the node allows',
  },
} as const satisfies Record<string, ErrorSpec>

/** One code of the catalogue. */
export type ErrorCode = keyof typeof catalogue

/** The catalogue, by code. */
export const errorCatalogue: Readonly<Record<ErrorCode, ErrorSpec>> = catalogue

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
