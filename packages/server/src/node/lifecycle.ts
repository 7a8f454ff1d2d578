import type { Logger } from '../core/ports/logger.js'

/**
 * A long-lived part of the node (libp2p's `Startable`): `start()` brings it up, `stop()` leaves
 * nothing of it running. Both are optional: a module may only start, or only clean up.
 */
export interface NodeModule {
  readonly name: string
  start?(): void | Promise<void>
  stop?(): void | Promise<void>
}

/**
 * The node's modules, started one after another and stopped in reverse order. A module that fails
 * to start is not stopped (it cleans up after itself); the ones started before it are, by `stop()`.
 */
export class Lifecycle {
  readonly #logger: Logger
  readonly #started: NodeModule[] = []

  constructor(logger: Logger) {
    this.#logger = logger
  }

  /** Starts `module` and keeps it to stop later; answers it, for its fields. */
  async start<M extends NodeModule>(module: M): Promise<M> {
    await module.start?.()
    this.#started.push(module)
    return module
  }

  /**
   * Stops the started modules, last started first. Every module is stopped even when one fails;
   * the first failure is rethrown at the end.
   */
  async stop(): Promise<void> {
    let failure: { error: unknown } | undefined
    for (let module = this.#started.pop(); module; module = this.#started.pop()) {
      try {
        await module.stop?.()
      } catch (error) {
        this.#logger.error({ err: error, module: module.name }, `stopping ${module.name} failed`)
        failure ??= { error }
      }
    }
    if (failure) throw failure.error
  }

  /** Runs `build`; if it throws, stops whatever it started, then rethrows its error. */
  async build<T>(build: () => Promise<T>): Promise<T> {
    try {
      return await build()
    } catch (error) {
      await this.stop().catch(() => {})
      throw error
    }
  }
}
