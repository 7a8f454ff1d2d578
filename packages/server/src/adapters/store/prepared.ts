import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely'
import type { Database } from './database.js'

const NAME = Symbol('parameter name')

export type Param<V> = <K extends keyof V & string>(name: K) => V[K]

/**
 * A query Kysely builds and compiles once, then runs with new values. Kysely builds and compiles
 * every query anew, which costs more than SQLite takes to run a small statement; the task path
 * runs a handful of the same statements per task. `build` writes the query with `param(name)`
 * where a value goes; values written in place stay as they are.
 */
export class Prepared<V extends object, R> {
  readonly #build: (param: Param<V>) => Compilable<R>
  #compiled: CompiledQuery<R> | undefined
  /** Per compiled parameter: the name of the value to pass, or the fixed value itself. */
  #slots: { name?: keyof V; value?: unknown }[] = []

  constructor(build: (param: Param<V>) => Compilable<R>) {
    this.#build = build
  }

  /** Runs on the database the query was built with, or on a transaction of it. */
  run(db: Kysely<Database>, values: V): Promise<QueryResult<R>> {
    const compiled = (this.#compiled ??= this.#compile())
    const parameters = this.#slots.map((slot) =>
      slot.name === undefined ? slot.value : values[slot.name],
    )
    return db.executeQuery<R>({ ...compiled, parameters })
  }

  async first(db: Kysely<Database>, values: V): Promise<R | undefined> {
    return (await this.run(db, values)).rows[0]
  }

  #compile(): CompiledQuery<R> {
    const marker = (name: string) => ({ [NAME]: name }) as never
    const compiled = this.#build(marker).compile()
    this.#slots = compiled.parameters.map((value) =>
      typeof value === 'object' && value !== null && NAME in value
        ? { name: (value as { [NAME]: keyof V })[NAME] }
        : { value },
    )
    return compiled
  }
}
