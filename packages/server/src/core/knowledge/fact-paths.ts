import type { PathHop } from '@agentmesh/protocol'
import type { FactRecord } from './knowledge-store.js'

/** What a path search asks, and the limits it keeps to. */
export interface PathSearch {
  from: string
  to: string
  /** Longest path, in facts. */
  maxHops: number
  /** Most paths answered. */
  maxPaths: number
  /** Most distinct nodes the search may reach. */
  maxNodes: number
  /** Most facts the search may read. */
  maxEdges: number
}

/** The shortest paths found, the nodes reached and whether a limit cut the search short. */
export interface PathResult {
  paths: PathHop[][]
  visited: number
  truncated: boolean
}

/** Most ways into one node kept: enough for several paths, bounded for a hub. */
const MAX_PARENTS = 8
/** Most subjects one read asks for. */
const SUBJECTS_PER_READ = 500

function hopOf(record: FactRecord): PathHop {
  const { subject, relation, object, confidence, agent } = record.assertion
  return { factId: record.id, subject, relation, object, confidence, agent }
}

/**
 * Breadth-first search along facts, subject to object, level by level: every way into a node at
 * its first level is kept (up to `MAX_PARENTS`), so once `to` is reached the paths through the
 * kept ways are all shortest. Between two nodes by one relation only the most confident fact
 * counts (`edgesFrom` answers the most confident first). Bounded by hops, nodes and facts read.
 */
export async function findPaths(
  search: PathSearch,
  edgesFrom: (subjects: string[], limit: number) => Promise<FactRecord[]>,
): Promise<PathResult> {
  const { from, to } = search
  if (from === to) return { paths: [[]], visited: 1, truncated: false }
  const depth = new Map<string, number>([[from, 0]])
  const parents = new Map<string, PathHop[]>()
  let frontier = [from]
  let edgesRead = 0
  let truncated = false
  for (let level = 1; level <= search.maxHops && frontier.length > 0; level++) {
    const next: string[] = []
    const seen = new Set<string>()
    for (let i = 0; i < frontier.length && !truncated; i += SUBJECTS_PER_READ) {
      const budget = search.maxEdges - edgesRead
      const records = await edgesFrom(frontier.slice(i, i + SUBJECTS_PER_READ), budget + 1)
      if (records.length > budget) truncated = true
      edgesRead += Math.min(records.length, budget)
      for (const record of records.slice(0, budget)) {
        const hop = hopOf(record)
        const edge = JSON.stringify([hop.subject, hop.relation, hop.object])
        if (seen.has(edge)) continue
        seen.add(edge)
        const known = depth.get(hop.object)
        if (known === undefined) {
          if (depth.size >= search.maxNodes) {
            truncated = true
            continue
          }
          depth.set(hop.object, level)
          parents.set(hop.object, [hop])
          next.push(hop.object)
        } else if (known === level) {
          const ways = parents.get(hop.object)!
          if (ways.length < MAX_PARENTS) ways.push(hop)
        }
      }
    }
    if (depth.has(to)) break
    frontier = next
  }
  return { paths: walkBack(to, parents, from, search.maxPaths), visited: depth.size, truncated }
}

/** Up to `max` paths from `from` to `to`, read backwards through the kept ways in. */
function walkBack(
  to: string,
  parents: ReadonlyMap<string, PathHop[]>,
  from: string,
  max: number,
): PathHop[][] {
  const paths: PathHop[][] = []
  const walk = (node: string, tail: PathHop[]) => {
    if (paths.length >= max) return
    if (node === from) {
      paths.push(tail)
      return
    }
    for (const hop of parents.get(node) ?? []) walk(hop.subject, [hop, ...tail])
  }
  if (parents.has(to)) walk(to, [])
  return paths
}
