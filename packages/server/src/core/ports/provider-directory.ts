import type { Candidate } from '../tasks/task-types.js'

/** Finds providers for a task: discovery's ranking, online agents only, best first. */
export interface ProviderDirectory {
  candidates(query: {
    capabilityId: string
    maxPriceMicros?: bigint
    currency?: string
    agentId?: string
    excludeAgentIds?: string[]
    limit?: number
  }): Promise<Candidate[]>
  /** Whether any registered agent, online or not, offers this capability. */
  knows(capabilityId: string): Promise<boolean>
}
