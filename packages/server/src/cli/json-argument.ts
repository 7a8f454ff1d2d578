import { CliError } from './cli-error.js'

/** Parses a JSON command-line argument, or exits 2 naming the flag. */
export function parseJsonArgument(text: string | undefined, flag: string): unknown {
  if (text === undefined) return undefined
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new CliError(`${flag} is not valid JSON: ${(error as Error).message}`, 2)
  }
}
