import type { FactView } from '@agentmesh/sdk/browser'

/** One drawn edge: every fact joining the centre and one node by one relation, one direction. */
interface Edge {
  key: string
  other: string
  relation: string
  /** The facts behind it, best-ranked first (several sources may state it). */
  facts: FactView[]
}

const NODE_W = 150
const NODE_H = 34
const GAP_X = 170
const GAP_Y = 14

/** Groups facts into edges to (`out`) or from (`in`) the centre, in the order they came. */
function edgesOf(facts: readonly FactView[], direction: 'out' | 'in'): Edge[] {
  const edges = new Map<string, Edge>()
  for (const fact of facts) {
    const other = direction === 'out' ? fact.object : fact.subject
    const key = `${direction}\u0000${fact.relation}\u0000${other}`
    const edge = edges.get(key)
    if (edge) edge.facts.push(fact)
    else edges.set(key, { key, other, relation: fact.relation, facts: [fact] })
  }
  return [...edges.values()]
}

const clip = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text

function Node({
  name,
  x,
  y,
  centre,
  onOpen,
}: {
  name: string
  x: number
  y: number
  centre?: boolean
  onOpen: (name: string) => void
}) {
  return (
    <g
      className={`kg-node${centre ? ' centre' : ''}`}
      data-node={name}
      transform={`translate(${x},${y})`}
      role={centre ? undefined : 'link'}
      tabIndex={centre ? undefined : 0}
      onClick={centre ? undefined : () => onOpen(name)}
      onKeyDown={(e) => {
        if (!centre && (e.key === 'Enter' || e.key === ' ')) onOpen(name)
      }}
    >
      <title>{name}</title>
      <rect width={NODE_W} height={NODE_H} rx={17} />
      <text x={NODE_W / 2} y={NODE_H / 2 + 4} textAnchor="middle">
        {clip(name, 20)}
      </text>
    </g>
  )
}

/**
 * A node of the knowledge graph with its neighbours: facts pointing to it on the left, facts
 * about it on the right, each edge labelled with its relation (and how many sources state it),
 * drawn thicker the more confident its best fact. Clicking a neighbour opens it.
 */
export function FactGraph({
  centre,
  outgoing,
  incoming,
  onOpen,
}: {
  centre: string
  outgoing: readonly FactView[]
  incoming: readonly FactView[]
  onOpen: (name: string) => void
}) {
  const right = edgesOf(outgoing, 'out')
  const left = edgesOf(incoming, 'in')
  const rows = Math.max(1, right.length, left.length)
  const height = rows * (NODE_H + GAP_Y) - GAP_Y
  const width = 3 * NODE_W + 2 * GAP_X
  const rowY = (i: number, of: number) =>
    (height - (of * (NODE_H + GAP_Y) - GAP_Y)) / 2 + i * (NODE_H + GAP_Y)
  const centreX = NODE_W + GAP_X
  const centreY = (height - NODE_H) / 2
  const draw = (edge: Edge, i: number, side: 'left' | 'right') => {
    const y = rowY(i, side === 'left' ? left.length : right.length)
    const [x1, y1, x2, y2] =
      side === 'left'
        ? [NODE_W, y + NODE_H / 2, centreX, centreY + NODE_H / 2]
        : [centreX + NODE_W, centreY + NODE_H / 2, centreX + NODE_W + GAP_X, y + NODE_H / 2]
    const mid = (x1 + x2) / 2
    const best = edge.facts[0]!
    const sources = new Set(edge.facts.map((f) => f.provenance.agent)).size
    return (
      <g key={edge.key} className="kg-edge" data-relation={edge.relation} data-sources={sources}>
        <path
          d={`M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2 - 4},${y2}`}
          strokeWidth={1 + 2.5 * best.confidence}
          markerEnd="url(#kg-arrow)"
        />
        <text x={mid} y={(y1 + y2) / 2 - 5} textAnchor="middle">
          {clip(edge.relation, 22)}
          {sources > 1 ? ` ×${sources}` : ''}
        </text>
        <Node
          name={edge.other}
          x={side === 'left' ? 0 : centreX + NODE_W + GAP_X}
          y={y}
          onOpen={onOpen}
        />
      </g>
    )
  }
  return (
    <div className="kg-graph" role="img" aria-label={`Facts around ${centre}`}>
      <svg
        width="100%"
        style={{ maxWidth: width + 8 }}
        viewBox={`-4 -4 ${width + 8} ${height + 8}`}
      >
        <defs>
          <marker
            id="kg-arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerUnits="userSpaceOnUse"
            markerWidth="9"
            markerHeight="9"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" />
          </marker>
        </defs>
        {left.map((edge, i) => draw(edge, i, 'left'))}
        {right.map((edge, i) => draw(edge, i, 'right'))}
        <Node name={centre} x={centreX} y={centreY} centre onOpen={onOpen} />
      </svg>
    </div>
  )
}
