import {
  canonicalBytes,
  MeshError,
  sha256,
  signJws,
  toHex,
  verifyJws,
  type KeyPair,
} from '@agentmesh/protocol'

/** The stream protocol that carries a task to a peer and its result and receipt back. */
export const TASK_PROTOCOL = '/agentmesh/task/1'

/** A task as one node sends it to another (signed by the sender). */
export interface TaskMessage {
  v: 1
  /** Unique per attempt: a second message with the same id is a replay. */
  id: string
  taskId: string
  from: string
  to: string
  capabilityId: string
  /** The agent whose announced offer was chosen; the peer may pick another of its own. */
  agentId?: string
  input: unknown
  /** The most the sender pays, decimal string in `currency`. */
  maxPrice: string
  currency: string
  deadlineAtMs: number
  sentAtMs: number
}

/** What a peer signs for a task it ran: hashes of input and output, price and times. */
export interface Receipt {
  v: 1
  requestId: string
  taskId: string
  /** The task on the issuing node. */
  remoteTaskId: string
  issuer: string
  recipient: string
  capabilityId: string
  agentId: string
  inputHash: string
  outputHash: string
  price: string
  currency: string
  startedAtMs: number
  endedAtMs: number
}

/** The answer to a task message. */
export interface TaskAnswer {
  output: unknown
  receipt: string
}

/** SHA-256 (hex) of a value's canonical JSON: what receipts name instead of the data. */
export const valueHash = (value: unknown): string => toHex(sha256(canonicalBytes(value ?? null)))

export const signTaskMessage = (message: TaskMessage, key: KeyPair): string => signJws(message, key)

export const signReceipt = (receipt: Receipt, key: KeyPair): string => signJws(receipt, key)

/** Reads a task message sent by `senderDid` to `ownDid`; throws SIGNATURE_INVALID or INVALID_INPUT. */
export function readTaskMessage(jws: unknown, senderDid: string, ownDid: string): TaskMessage {
  if (typeof jws !== 'string') throw new MeshError('INVALID_INPUT', 'Task message is not a JWS')
  const { payload } = verifyJws<TaskMessage>(jws, senderDid)
  const ok =
    payload?.v === 1 &&
    typeof payload.id === 'string' &&
    payload.id.length <= 256 &&
    typeof payload.taskId === 'string' &&
    payload.from === senderDid &&
    typeof payload.capabilityId === 'string' &&
    (payload.agentId === undefined || typeof payload.agentId === 'string') &&
    typeof payload.maxPrice === 'string' &&
    typeof payload.currency === 'string' &&
    Number.isSafeInteger(payload.deadlineAtMs) &&
    Number.isSafeInteger(payload.sentAtMs)
  if (!ok) throw new MeshError('INVALID_INPUT', `Task message from "${senderDid}" is malformed`)
  if (payload.to !== ownDid) {
    throw new MeshError(
      'INVALID_INPUT',
      `Task message is for "${String(payload.to)}", not this node`,
    )
  }
  return payload
}

/**
 * Checks a peer's answer against what was sent: the receipt signed by the peer the stream reached,
 * for this request, these input and output hashes, at most the price. Throws
 * FEDERATION_RECEIPT_INVALID saying what does not match.
 */
export function checkReceipt(
  answer: TaskAnswer,
  sent: TaskMessage,
  peerDid: string,
): { receipt: Receipt; jws: string } {
  const bad = (why: string, cause?: unknown) =>
    new MeshError('FEDERATION_RECEIPT_INVALID', `Receipt from "${peerDid}" ${why}`, { cause })
  let receipt: Receipt
  try {
    receipt = verifyJws<Receipt>(answer.receipt, peerDid).payload
  } catch (cause) {
    throw bad('does not verify against its key', cause)
  }
  if (receipt.requestId !== sent.id || receipt.taskId !== sent.taskId)
    throw bad('names another task')
  if (receipt.issuer !== peerDid || receipt.recipient !== sent.from) throw bad('names other nodes')
  if (receipt.inputHash !== valueHash(sent.input)) throw bad('names another input')
  if (receipt.outputHash !== valueHash(answer.output)) throw bad('names another output')
  if (receipt.currency !== sent.currency) throw bad('is in another currency')
  return { receipt, jws: answer.receipt }
}
