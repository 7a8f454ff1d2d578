/**
 * The other nodes of a cluster, as task owners: a task running on another node is canceled there,
 * by the node that holds its lease. Embedded nodes have none.
 */
export interface TaskOwners {
  /** Asks the node owning the task to cancel it; true once it did (the task is final then). */
  cancel(taskId: string): Promise<boolean>
}
