import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely'
import type { Database } from './database.js'

const SLOT = Symbol('prepared slot')

export type Param<V> = <K extends keyof V & string>(name: K) => V[K]
export type ItemParam<T> = <K extends keyof T & string>(index: number, name: K) => T[K]

/** Compiles `query` once; answers how to make its parameters from the values of a run. */
function compile<V, R>(
  query: (slot: (read: (values: V) => unknown) => never) => Compilable<R>,
): { compiled: CompiledQuery<R>; parameters: (values: V) => unknown[] } {
  const compiled = query((read) => ({ [SLOT]: read }) as never).compile()
  const reads = compiled.parameters.map((value): ((values: V) => unknown) =>
    typeof value === 'object' && value !== null && SLOT in value
      ? (value as { [SLOT]: (values: V) => unknown })[SLOT]
      : () => value,
  )
  return { compiled, parameters: (values) => reads.map((read) => read(values)) }
}

/**
 * A query Kysely builds and compiles once, then runs with new values. Kysely builds and compiles
 * every query anew, which costs more than SQLite takes to run a small statement; the task path
 * runs a handful of the same statements per task. `build` writes the query with `param(name)`
 * where a value goes; values written in place stay as they are.
 */
export class Prepared<V extends object, R> {
  readonly #build: (param: Param<V>) => Compilable<R>
  #query: ReturnType<typeof compile<V, R>> | undefined

  constructor(build: (param: Param<V>) => Compilable<R>) {
    this.#build = build
  }

  /** Runs on the database the query was built with, or on a transaction of it. */
  run(db: Kysely<Database>, values: V): Promise<QueryResult<R>> {
    this.#query ??= compile<V, R>((slot) => this.#build((name) => slot((values) => values[name])))
    return db.executeQuery<R>({
      ...this.#query.compiled,
      parameters: this.#query.parameters(values),
    })
  }

  async first(db: Kysely<Database>, values: V): Promise<R | undefined> {
    return (await this.run(db, values)).rows[0]
  }
}

/**
 * A prepared query over a list of items (a multi-row insert, an `in (…)` list): one compiled
 * statement per list length up to `max`; longer lists run in chunks of `max`.
 */
export class PreparedList<T extends object, R> {
  readonly #build: (size: number, item: ItemParam<T>) => Compilable<R>
  readonly #max: number
  readonly #bySize = new Map<number, ReturnType<typeof compile<T[], R>>>()

  constructor(max: number, build: (size: number, item: ItemParam<T>) => Compilable<R>) {
    this.#max = max
    this.#build = build
  }

  /** Runs every chunk in turn on `db` (a transaction, for all or nothing); answers all rows. */
  async run(db: Kysely<Database>, items: T[]): Promise<R[]> {
    const rows: R[] = []
    for (let at = 0; at < items.length; at += this.#max) {
      const chunk = items.slice(at, at + this.#max)
      let query = this.#bySize.get(chunk.length)
      if (!query) {
        query = compile<T[], R>((slot) =>
          this.#build(chunk.length, (index, name) => slot((values) => values[index]![name])),
        )
        this.#bySize.set(chunk.length, query)
      }
      const result = await db.executeQuery<R>({
        ...query.compiled,
        parameters: query.parameters(chunk),
      })
      rows.push(...result.rows)
    }
    return rows
  }
}
