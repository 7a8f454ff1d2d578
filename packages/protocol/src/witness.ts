import type { AuditTreeHead } from './audit.js'
import { MeshError } from './errors.js'
import { signJws, verifyJws } from './jws.js'
import type { KeyPair } from './identity.js'

/**
 * What a node sends a witness to have its newest tree head cosigned (the transparency-log witness
 * model): the head the node signed, the size of the last head of this node the witness cosigned
 * (0 for none) and the RFC 9162 consistency proof from that size to the head's, so the witness can
 * check the new history extends the one it vouched for before vouching again.
 */
export interface CosignRequest {
  head: AuditTreeHead
  /** The size of the last head of `head.signer` this witness cosigned; 0 for none. */
  oldSize: number
  /** RFC 9162 consistency proof from `oldSize` to `head.size`, hex hashes. */
  proof: string[]
}

/**
 * A witness's statement that it saw the tree head `(size, root)` of `origin` and that it extends
 * every head of `origin` the witness cosigned before. `signature` is a compact JWS by `witness`
 * over the canonical JSON of the other fields plus `type: "agentmesh/cosignature/v1"`.
 */
export interface Cosignature {
  witness: string
  origin: string
  size: number
  root: string
  /** When the witness cosigned, ISO 8601. */
  time: string
  signature: string
}

/** A signed tree head with the cosignatures its node collected for it (`GET /v1/audit/head`). */
export interface CosignedTreeHead extends AuditTreeHead {
  cosignatures: Cosignature[]
}

/** Keeps a cosignature's JWS from ever being read as another kind of signed statement. */
export const COSIGNATURE_TYPE = 'agentmesh/cosignature/v1'

type CosignedFields = Omit<Cosignature, 'signature' | 'witness'>

/** Cosigns `(origin, size, root)` at `time` with the witness's key. */
export function signCosignature(fields: CosignedFields, key: KeyPair): Cosignature {
  const { origin, size, root, time } = fields
  const statement = { type: COSIGNATURE_TYPE, witness: key.did, origin, size, root, time }
  return { witness: key.did, origin, size, root, time, signature: signJws(statement, key) }
}

/**
 * Verifies a cosignature: signed by its `witness`, over exactly its fields, and (when `head` is
 * given) for that head's origin, size and root. Throws `SIGNATURE_INVALID` naming what is wrong.
 */
export function verifyCosignature(
  cosignature: Cosignature,
  head?: Pick<AuditTreeHead, 'signer' | 'size' | 'root'>,
): void {
  const { payload } = verifyJws<Record<string, unknown>>(cosignature.signature, cosignature.witness)
  const { witness, origin, size, root, time } = cosignature
  const expected = { type: COSIGNATURE_TYPE, witness, origin, size, root, time }
  for (const [field, value] of Object.entries(expected)) {
    if (payload[field] !== value) {
      throw new MeshError(
        'SIGNATURE_INVALID',
        `Cosignature field "${field}" is not what was signed`,
      )
    }
  }
  if (head && (head.signer !== origin || head.size !== size || head.root !== root)) {
    throw new MeshError(
      'SIGNATURE_INVALID',
      `Cosignature by "${witness}" is for another head (size ${size}) than the one given`,
    )
  }
}

/**
 * Verifies a tree head's own signature: a JWS by `head.signer` over `{size, root, time}` whose
 * fields are the head's. Throws `SIGNATURE_INVALID` otherwise.
 */
export function verifyTreeHead(head: AuditTreeHead): void {
  const { payload } = verifyJws<Record<string, unknown>>(head.signature, head.signer)
  if (payload.size !== head.size || payload.root !== head.root || payload.time !== head.time) {
    throw new MeshError('SIGNATURE_INVALID', 'The tree head differs from what its signature covers')
  }
  if (Object.keys(payload).length !== 3) {
    throw new MeshError('SIGNATURE_INVALID', 'The tree head signature covers other fields')
  }
}

const hex = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const
const treeSize = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const

/**
 * The JSON Schema of a cosign request (`CosignRequest`), with limits: what a witness checks before
 * it reads one, whether it came over HTTP (`POST /v1/audit/cosign`) or from a federation peer.
 */
export const cosignRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['head', 'oldSize', 'proof'],
  properties: {
    head: {
      type: 'object',
      additionalProperties: false,
      required: ['size', 'root', 'time', 'signer', 'signature'],
      properties: {
        size: treeSize,
        root: hex,
        time: { type: 'string', maxLength: 64 },
        signer: { type: 'string', minLength: 1, maxLength: 256 },
        signature: { type: 'string', minLength: 1, maxLength: 4096 },
      },
    },
    oldSize: treeSize,
    proof: { type: 'array', maxItems: 128, items: hex },
  },
} as const
