import type { BenchFigure } from './measure.js'

const fmt = (n: number | undefined, digits = 0): string =>
  n === undefined || Number.isNaN(n)
    ? ''
    : n.toLocaleString('en-US', { maximumFractionDigits: digits })

/** The benchmark table as text: one row a figure, with its ratio to the baseline. */
export function formatTable(figures: BenchFigure[]): string {
  const rows = [
    ['suite', 'benchmark', 'ops/s', 'p50 ms', 'p99 ms', 'ratio', 'baseline'],
    ...figures.map((f) => [
      f.suite,
      f.name,
      fmt(f.opsPerSec),
      fmt(f.p50Ms, 2),
      fmt(f.p99Ms, 2),
      f.ratio === undefined ? '' : `${f.ratio.toFixed(2)}x`,
      f.baseline ?? '',
    ]),
  ]
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i >= 2 && i <= 5 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join('  '),
    )
    .join('\n')
}
