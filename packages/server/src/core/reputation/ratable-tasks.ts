/** A task as rating needs to see it. */
export interface RatableTask {
  /** Who submitted (and paid for) the task: the only principal who may rate it. */
  requester: string
  /** The agent that carried it out, which the rating is about. */
  agentId: string
  capabilityId: string
  /** True once the task's payment has been settled (posted); only then may it be rated. */
  settled: boolean
  /** What the requester paid, in micro-units; weighs the rating. */
  paidMicros: bigint
  currency: string
}

/**
 * Where reputation looks tasks up before accepting a rating. The task flow implements it; until
 * it does, tests drive it directly.
 */
export interface RatableTasks {
  get(taskId: string): Promise<RatableTask | undefined>
}
