/** A failure the CLI reports in one line; `usage` errors exit 2, the rest exit 1. */
export class CliError extends Error {
  override readonly name = 'CliError'
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message)
  }
}
