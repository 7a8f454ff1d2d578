/** Whether this machine stores numbers little-endian (the column's order: no conversion). */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1

/** An embedding as the `embedding` column stores it: float32 components, little-endian. */
export function embeddingBytes(vector: Float32Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(Float32Array.from(vector).buffer)
  const bytes = Buffer.alloc(vector.length * 4)
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i]!, i * 4)
  return bytes
}

/** The embedding an `embedding` column holds; null for none (or bytes that are no float32s). */
export function embeddingOf(bytes: Uint8Array | null | undefined): Float32Array | null {
  if (!bytes || bytes.length === 0 || bytes.length % 4 !== 0) return null
  // A copy: the driver's buffer may sit at any offset of a pooled one.
  if (LITTLE_ENDIAN) return new Float32Array(Uint8Array.from(bytes).buffer)
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
  const vector = new Float32Array(bytes.length / 4)
  for (let i = 0; i < vector.length; i++) vector[i] = view.readFloatLE(i * 4)
  return vector
}
