import type { HostedAgent, HostedUsage } from './hosted-types.js'

/**
 * Where hosted agents keep their code (content-addressed by SHA-256, stored once per hash) and
 * their records.
 */
export interface HostedStore {
  /** Stores code under its hash; a hash stored already is left as it is. */
  putCode(hash: string, code: string, atMs: number): Promise<void>
  code(hash: string): Promise<string | undefined>
  /** Inserts or replaces a hosted agent. */
  put(agent: HostedAgent): Promise<void>
  get(id: string): Promise<HostedAgent | undefined>
  /** Every hosted agent, in id order. */
  all(): Promise<HostedAgent[]>
  delete(id: string): Promise<void>
  /** Adds one call's usage to an agent's totals (one conditional update, no read-modify-write race). */
  addUsage(id: string, usage: HostedUsage): Promise<void>
}
