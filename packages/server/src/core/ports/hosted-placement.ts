/**
 * Which node serves each started hosted agent. An embedded node serves every one; in a cluster
 * exactly one node does, the one holding the agent's lease: the others route its tasks to that
 * node, as to an agent connected there.
 */
export interface HostedPlacement {
  /** Takes the agent for this node unless another node's claim on it stands; whether it did. */
  claim(agentId: string): Promise<boolean>
  /**
   * Takes started agents no node serves (at start, and after a node died or drained), at most
   * `limit` at once in a cluster; answers their ids.
   */
  claimUnserved(limit: number): Promise<string[]>
  /** Lets go of the agent (stopped or deleted), wherever it is served. */
  release(agentId: string): Promise<void>
}
