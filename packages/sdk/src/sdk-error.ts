/**
 * An error raised by the SDK itself, before or instead of an answer from a node: the node could
 * not be reached, a key file is unreadable, options are wrong. Errors the node reports are
 * `MeshError`s with a catalogue code.
 */
export class SdkError extends Error {
  override readonly name = 'SdkError'
  readonly code: 'NETWORK' | 'KEY_FILE' | 'BAD_OPTIONS' | 'BAD_RESPONSE'

  constructor(code: SdkError['code'], message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
  }
}
