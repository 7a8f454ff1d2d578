/** Where the bar draws: stderr, or anything with `write` and `isTTY` (tests). */
export interface ProgressSink {
  write(text: string): unknown
  isTTY?: boolean
}

/**
 * A progress bar for the benchmark command, drawn on stderr so the table on stdout stays clean.
 * On a terminal it redraws one line; elsewhere (CI logs, pipes) it prints a line per new step.
 */
export class ProgressBar {
  readonly #sink: ProgressSink
  readonly #steps: number
  readonly #width: number
  #lastLabel = ''
  #drawn = false

  constructor(sink: ProgressSink, steps: number, width = 28) {
    this.#sink = sink
    this.#steps = Math.max(1, steps)
    this.#width = width
  }

  /** Shows step `step` (0-based) `fraction` done, named `label`. */
  update(step: number, fraction: number, label: string): void {
    const done = Math.min(1, Math.max(0, (step + Math.min(1, Math.max(0, fraction))) / this.#steps))
    if (this.#sink.isTTY) {
      const filled = Math.round(done * this.#width)
      const bar = `${'█'.repeat(filled)}${'░'.repeat(this.#width - filled)}`
      const percent = `${Math.floor(done * 100)}`.padStart(3)
      this.#sink.write(`\r\x1b[2K${bar} ${percent}%  [${step + 1}/${this.#steps}] ${label}`)
      this.#drawn = true
    } else if (label !== this.#lastLabel) {
      this.#sink.write(`[${step + 1}/${this.#steps}] ${label}\n`)
    }
    this.#lastLabel = label
  }

  /** Clears the bar's line (on a terminal) so what follows starts clean. */
  finish(): void {
    if (this.#drawn) this.#sink.write('\r\x1b[2K')
    this.#drawn = false
  }
}
