import { MeshError, toHex } from '@agentmesh/protocol'
import { sha256 } from '@noble/hashes/sha2'
import { base64 } from '@scure/base'

/** One tensor of a model's flat parameter vector: its name and shape, in vector order. */
export interface ParamTensor {
  name: string
  shape: number[]
}

/** How a flat parameter vector splits into named tensors, in order. */
export type ParamManifest = ParamTensor[]

/** How many numbers a manifest describes. */
export function manifestSize(manifest: ParamManifest): number {
  return manifest.reduce((sum, tensor) => sum + tensor.shape.reduce((p, d) => p * d, 1), 0)
}

/** A parameter vector's bytes: little-endian float32, whatever the platform. */
function paramBytes(params: Float32Array): Uint8Array {
  const bytes = new Uint8Array(params.length * 4)
  const view = new DataView(bytes.buffer)
  for (let i = 0; i < params.length; i++) view.setFloat32(i * 4, params[i]!, true)
  return bytes
}

/** Encodes a parameter vector for transport: base64 of its little-endian float32 bytes. */
export function encodeParams(params: Float32Array): string {
  return base64.encode(paramBytes(params))
}

/**
 * Decodes a vector `encodeParams` made. Refuses (`INVALID_INPUT`) text that is not base64, a length
 * other than `expectedLength` (when given) and any number that is not finite, so a trainer cannot
 * slip a NaN or an infinity into an aggregate.
 */
export function decodeParams(text: string, expectedLength?: number): Float32Array {
  let bytes: Uint8Array
  try {
    bytes = base64.decode(text)
  } catch (cause) {
    throw new MeshError('INVALID_INPUT', 'Parameters are not base64', { cause })
  }
  if (bytes.length % 4 !== 0) {
    throw new MeshError(
      'INVALID_INPUT',
      `Parameters have ${bytes.length} bytes, not a multiple of 4`,
    )
  }
  const length = bytes.length / 4
  if (expectedLength !== undefined && length !== expectedLength) {
    throw new MeshError('INVALID_INPUT', `Parameters have ${length} numbers, not ${expectedLength}`)
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const params = new Float32Array(length)
  for (let i = 0; i < length; i++) {
    const value = view.getFloat32(i * 4, true)
    if (!Number.isFinite(value)) {
      throw new MeshError('INVALID_INPUT', `Parameter ${i} is not a finite number`)
    }
    params[i] = value
  }
  return params
}

/** The SHA-256 of a parameter vector's little-endian float32 bytes, as lowercase hex. */
export function hashParams(params: Float32Array): string {
  return toHex(sha256(paramBytes(params)))
}
