/** One line a hosted agent logged. */
export interface LogLine {
  atMs: number
  level: 'info' | 'warn' | 'error'
  message: string
}

/** Where hosted agents' log lines are kept, the newest few per agent. */
export interface HostedLogStore {
  /** Appends the lines, then keeps only the newest `keep` of each agent they name. */
  append(lines: (LogLine & { agentId: string })[], keep: number): Promise<void>
  /** The agent's newest `limit` lines, oldest first. */
  lines(agentId: string, limit: number): Promise<LogLine[]>
  /** Drops every line of the agent. */
  forget(agentId: string): Promise<void>
}
