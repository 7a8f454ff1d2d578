/**
 * Where a task's state changes are POSTed: an A2A push notification config, or the `webhook` of
 * `POST /v1/tasks`. `secret` keys the HMAC signature of each delivery; `token` is echoed in
 * `X-A2A-Notification-Token` (A2A's own check).
 */
export interface PushConfig {
  /** The config's id, unique within its task. */
  id: string
  taskId: string
  /** The principal that subscribed (the task's requester). */
  owner: string
  url: string
  token?: string
  secret?: string
  createdAtMs: number
}

/** Push configs as stored, by task. */
export interface PushConfigStore {
  /** Inserts or replaces the config `(taskId, id)`. */
  put(config: PushConfig): Promise<void>
  get(taskId: string, id: string): Promise<PushConfig | undefined>
  /** A task's configs, oldest first. */
  list(taskId: string): Promise<PushConfig[]>
  /** Answers whether there was such a config. */
  delete(taskId: string, id: string): Promise<boolean>
}
