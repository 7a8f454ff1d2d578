import type { WireError } from '@agentmesh/protocol'
import type { PipelineDefinition } from './pipeline-definition.js'

export type StepState = 'pending' | 'running' | 'completed' | 'failed' | 'skipped' | 'canceled'
/** The states of a run; the last two are final. */
export const runStates = ['running', 'completed', 'failed'] as const
export type RunState = (typeof runStates)[number]

export interface StepRun {
  state: StepState
  taskId: string | null
  output: unknown
  error: WireError | null
  startedAtMs: number | null
  endedAtMs: number | null
}

/** A run of a pipeline definition. */
export interface PipelineRun {
  id: string
  requester: string
  definition: PipelineDefinition
  input: unknown
  state: RunState
  steps: Record<string, StepRun>
  spentMicros: bigint
  currency: string
  createdAtMs: number
  updatedAtMs: number
}

/** A query for pipeline runs; `cursor` is the id of the last run of the previous page. */
export interface PipelineRunQuery {
  requester?: string
  state?: RunState
  limit: number
  cursor?: string
}

export interface PipelineStore {
  insert(run: PipelineRun): Promise<void>
  save(run: PipelineRun): Promise<void>
  get(id: string): Promise<PipelineRun | undefined>
  /** Runs newest first (ids sort by creation), at most `limit`, those before `cursor`. */
  list(query: PipelineRunQuery): Promise<PipelineRun[]>
}
