import type { FlJobState } from '@agentmesh/protocol'
import type { FlJob, FlRound, FlStoredModel } from './fl-types.js'

/** Federated-learning jobs, their rounds and their models (content-addressed). */
export interface FlStore {
  insertJob(job: FlJob): Promise<void>
  saveJob(job: FlJob): Promise<void>
  getJob(id: string): Promise<FlJob | undefined>
  /** Newest first; `owner` narrows to one owner's. */
  listJobs(query: { owner?: string; state?: FlJobState; limit: number }): Promise<FlJob[]>
  /** Stores a round, replacing what was stored of it. */
  saveRound(round: FlRound): Promise<void>
  /** A job's rounds in order. */
  rounds(job: string): Promise<FlRound[]>
  /** Stores a model under its hash; a model stored before is left as it is. */
  putModel(model: FlStoredModel, atMs: number): Promise<void>
  getModel(hash: string): Promise<FlStoredModel | undefined>
}
