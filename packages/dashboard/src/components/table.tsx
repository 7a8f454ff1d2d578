import type { Key, ReactNode, TdHTMLAttributes } from 'react'
import { ErrorBox } from './ui.js'

/** `data-*` marks on a row or cell, which tests and styles find it by. */
type DataAttributes = Partial<Record<`data-${string}`, string | number>>

/** One column: its header and what each row shows in it. */
export interface Column<T> {
  /** The header's text, also the column's key. */
  head: string
  /** Hover text on the header. */
  headTitle?: string
  /** Classes on the header and on every cell of the column (`hide-narrow`). */
  className?: string
  /** Classes on the cells only (`num`). */
  cellClass?: string
  cell: (row: T) => ReactNode
  /** Attributes of one row's cell: hover text, a class that depends on the row. */
  cellProps?: (row: T) => TdHTMLAttributes<HTMLTableCellElement> & DataAttributes
}

const classes = (...names: (string | undefined)[]): string | undefined =>
  names.filter(Boolean).join(' ') || undefined

/**
 * A table of rows under a header row, in a wrapper that scrolls sideways. With `mark`, each row
 * carries its key as `data-MARK` (`rowProps` adds more). `rows` is undefined while loading (an
 * empty body); an empty list shows `empty` above the table or, with `emptyHidesTable`, in its
 * place. `error`, when given, comes first.
 */
export function Table<T>({
  columns,
  rows,
  rowKey,
  mark,
  rowProps,
  testId,
  className,
  error,
  empty,
  emptyHidesTable = false,
}: {
  columns: readonly Column<T>[]
  rows: readonly T[] | undefined
  rowKey: (row: T) => Key
  mark?: string
  rowProps?: (row: T) => DataAttributes
  testId?: string
  className?: string
  error?: unknown
  empty?: ReactNode
  emptyHidesTable?: boolean
}) {
  const isEmpty = rows?.length === 0
  return (
    <>
      <ErrorBox error={error} />
      {isEmpty && empty ? <p className="muted">{empty}</p> : null}
      {isEmpty && emptyHidesTable ? null : (
        <div className="table-wrap">
          <table className={classes('table', className)} data-testid={testId}>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c.head} className={c.className} title={c.headTitle}>
                    {c.head}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows?.map((row) => (
                <tr
                  key={rowKey(row)}
                  {...(mark ? { [`data-${mark}`]: String(rowKey(row)) } : {})}
                  {...rowProps?.(row)}
                >
                  {columns.map((c) => {
                    const props = c.cellProps?.(row)
                    return (
                      <td
                        key={c.head}
                        {...props}
                        className={classes(c.className, c.cellClass, props?.className)}
                      >
                        {c.cell(row)}
                      </td>
                    )
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  )
}
