import type { ClusterView } from '@agentmesh/protocol'

/** The recommendation's words, with the thresholds it follows. */
const ADVICE: Record<ClusterView['recommendation'], string> = {
  scale_out: 'scale out (load above 0.80)',
  scale_in: 'scale in (load below 0.30)',
  steady: 'steady (load between 0.30 and 0.80)',
}

const BAR_WIDTH = 10

/** A load as a bar of `BAR_WIDTH` cells and a percentage; past 100 % the bar is full. */
export function loadBar(load: number): string {
  const safe = Number.isFinite(load) && load > 0 ? load : 0
  const filled = Math.min(BAR_WIDTH, Math.round(safe * BAR_WIDTH))
  return `${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)} ${Math.round(safe * 100)}%`
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  )
}

/**
 * `agentmesh cluster status` as text: one row per node (the one that answered marked `*`), the
 * cluster's load and recommendation, then the leases of unfinished tasks. Pure, so a test can
 * render any cluster without running one.
 */
export function renderClusterStatus(view: ClusterView): string {
  const nodes = table([
    ['NODE', 'URL', 'STATE', 'AGENTS', 'IN-FLIGHT', 'CAPACITY', 'LOAD', 'LEASES'],
    ...view.nodes.map((node) => [
      `${node.id === view.nodeId ? '*' : ' '}${node.id}`,
      node.url,
      node.state,
      String(node.agents.length),
      String(node.inFlight),
      String(node.capacity),
      loadBar(node.load),
      String(node.leases),
    ]),
  ])
  const up = view.nodes.filter((node) => node.state === 'up').length
  const lines = [
    ...nodes,
    '',
    `cluster load ${loadBar(view.load)} over ${up} of ${view.nodes.length} nodes up: ${ADVICE[view.recommendation]}`,
    ...(view.forecast
      ? [
          `forecast in ${Math.round(view.forecast.horizonMs / 1000)} s: ${loadBar(view.forecast.load)} (trend ${view.forecast.trendPerMinute >= 0 ? '+' : ''}${view.forecast.trendPerMinute.toFixed(2)} per minute)`,
        ]
      : []),
  ]
  if (view.leases.length === 0) return [...lines, 'no unfinished task holds a lease'].join('\n')
  return [
    ...lines,
    '',
    `leases (first ${view.leases.length} by expiry):`,
    ...table([
      ['TASK', 'OWNER', 'EPOCH', 'EXPIRES'],
      ...view.leases.map((l) => [l.taskId, l.ownerId, String(l.epoch), l.expiresAt]),
    ]).map((line) => `  ${line}`),
  ].join('\n')
}
