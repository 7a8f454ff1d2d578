import { useEffect, useRef, useState, type RefObject } from 'react'

/** One line of a chart. */
export interface ChartLine {
  label: string
  /** A CSS colour class suffix: `a`, `b`, `c`. */
  tone: 'a' | 'b' | 'c'
  values: (number | null)[]
}

/** Until the chart is measured: its width in CSS pixels. */
const DEFAULT_WIDTH = 480
const H = 150
const PAD = { left: 44, right: 8, top: 10, bottom: 20 }

function niceMax(max: number): number {
  if (max <= 0) return 1
  const power = 10 ** Math.floor(Math.log10(max))
  const step = [1, 2, 2.5, 5, 10].find((s) => s * power >= max) ?? 10
  return step * power
}

/** The width of an element in CSS pixels, kept up to date as it resizes. */
function useWidth(ref: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(DEFAULT_WIDTH)
  useEffect(() => {
    const element = ref.current
    if (!element) return
    const observer = new ResizeObserver(([entry]) => {
      const measured = Math.round(entry?.contentRect.width ?? 0)
      if (measured > 0) setWidth(measured)
    })
    observer.observe(element)
    return () => observer.disconnect()
  }, [ref])
  return width
}

/**
 * A small SVG line chart of a few series over the same x points (the last minute, second by
 * second). Drawn by hand: no chart library in the bundle. It is drawn at the width it is shown
 * at, one unit a pixel and never scaled (not even in the frame before a resize is measured), so
 * its labels keep their size on a phone and on a wide screen.
 */
export function LineChart({
  lines,
  format,
  caption,
  from,
  to = 'now',
}: {
  lines: ChartLine[]
  format: (value: number) => string
  caption: string
  /** Labels of the x axis's ends (default: seconds ago, and now). */
  from?: string
  to?: string
}) {
  const figure = useRef<HTMLElement>(null)
  const W = useWidth(figure)
  const count = Math.max(1, ...lines.map((l) => l.values.length))
  const max = niceMax(Math.max(0, ...lines.flatMap((l) => l.values.filter((v) => v !== null))))
  const x = (i: number) => PAD.left + (i * (W - PAD.left - PAD.right)) / Math.max(1, count - 1)
  const y = (v: number) => PAD.top + (1 - v / max) * (H - PAD.top - PAD.bottom)
  const path = (values: (number | null)[]) => {
    let d = ''
    let pen = false
    values.forEach((v, i) => {
      if (v === null) {
        pen = false
        return
      }
      d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`
      pen = true
    })
    return d
  }
  return (
    <figure className="chart" ref={figure}>
      <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={caption}>
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line
              className="grid"
              x1={PAD.left}
              x2={W - PAD.right}
              y1={y(max * f)}
              y2={y(max * f)}
            />
            <text className="axis" x={PAD.left - 4} y={y(max * f) + 4} textAnchor="end">
              {format(max * f)}
            </text>
          </g>
        ))}
        <text className="axis" x={PAD.left} y={H - 4}>
          {from ?? `−${count}s`}
        </text>
        <text className="axis" x={W - PAD.right} y={H - 4} textAnchor="end">
          {to}
        </text>
        {lines.map((line) => (
          <g key={line.label} className={`line tone-${line.tone}`}>
            <path d={path(line.values)} />
            {line.values.map((v, i) =>
              // A point between gaps has no segment: draw it as a dot.
              v !== null &&
              (line.values[i - 1] ?? null) === null &&
              (line.values[i + 1] ?? null) === null ? (
                <circle key={i} cx={x(i)} cy={y(v)} r={2.5} />
              ) : null,
            )}
          </g>
        ))}
      </svg>
      <figcaption>
        {caption}
        {lines.length > 1
          ? lines.map((line) => (
              <span key={line.label} className={`legend tone-${line.tone}`}>
                {line.label}
              </span>
            ))
          : null}
      </figcaption>
    </figure>
  )
}
