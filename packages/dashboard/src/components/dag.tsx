/** What the DAG needs of a step. */
export interface DagStep {
  id: string
  capability: string
  needs: string[]
  state: string
}

const NODE_W = 168
const NODE_H = 48
const GAP_X = 56
const GAP_Y = 18

/** Each step's column: 0 for a step that needs nothing, else one past its deepest need. */
export function levels(steps: readonly DagStep[]): Map<string, number> {
  const byId = new Map(steps.map((s) => [s.id, s]))
  const level = new Map<string, number>()
  const visit = (id: string, seen: Set<string>): number => {
    const known = level.get(id)
    if (known !== undefined) return known
    if (seen.has(id)) return 0 // a cycle: the node rejects these; draw it flat
    seen.add(id)
    const step = byId.get(id)
    const value = step?.needs.length
      ? 1 + Math.max(...step.needs.map((need) => visit(need, seen)))
      : 0
    level.set(id, value)
    return value
  }
  for (const step of steps) visit(step.id, new Set())
  return level
}

/** A pipeline's steps as a graph, left to right, each box coloured by its state. */
export function Dag({ steps }: { steps: readonly DagStep[] }) {
  const level = levels(steps)
  const columns: DagStep[][] = []
  for (const step of steps) (columns[level.get(step.id) ?? 0] ??= []).push(step)
  const position = new Map<string, { x: number; y: number }>()
  columns.forEach((column, c) =>
    column.forEach((step, r) =>
      position.set(step.id, { x: c * (NODE_W + GAP_X), y: r * (NODE_H + GAP_Y) }),
    ),
  )
  const width = columns.length * (NODE_W + GAP_X) - GAP_X
  const height = Math.max(...columns.map((c) => c.length)) * (NODE_H + GAP_Y) - GAP_Y
  return (
    <div className="dag" role="img" aria-label="Pipeline steps">
      <svg width={width + 4} height={height + 4} viewBox={`-2 -2 ${width + 4} ${height + 4}`}>
        {steps.flatMap((step) =>
          step.needs.map((need) => {
            const from = position.get(need)
            const to = position.get(step.id)
            if (!from || !to) return null
            const x1 = from.x + NODE_W
            const y1 = from.y + NODE_H / 2
            const x2 = to.x
            const y2 = to.y + NODE_H / 2
            const mid = (x1 + x2) / 2
            return (
              <path
                key={`${need}->${step.id}`}
                className="edge"
                d={`M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`}
              />
            )
          }),
        )}
        {steps.map((step) => {
          const at = position.get(step.id)!
          return (
            <g
              key={step.id}
              className={`node state-${step.state}`}
              data-step={step.id}
              data-state={step.state}
              transform={`translate(${at.x},${at.y})`}
            >
              <rect width={NODE_W} height={NODE_H} rx={8} />
              <text x={10} y={19} className="node-title">
                {step.id}
              </text>
              <text x={10} y={36} className="node-sub">
                {step.capability.length > 18 ? `${step.capability.slice(0, 17)}…` : step.capability}
                {' · '}
                {step.state}
              </text>
            </g>
          )
        })}
      </svg>
    </div>
  )
}
