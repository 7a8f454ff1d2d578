import { randomUUID } from 'node:crypto'
import type {
  ListTaskPushNotificationConfigsResponse,
  TaskPushNotificationConfig,
} from '@a2a-js/sdk'
import { TaskNotFoundError } from '@a2a-js/sdk/errors'
import { MeshError } from '@agentmesh/protocol'
import type { PushNotifier } from '../../adapters/http/push-notifier.js'
import type { PushConfig, PushConfigStore } from '../../core/ports/push-config-store.js'
import type { Task } from '../../core/tasks/task-types.js'

/** What the push config methods need: the notifier (set) and the stored configs (read, delete). */
export interface PushDeps {
  push: PushNotifier
  pushConfigs: PushConfigStore
}

function toA2A(config: PushConfig): TaskPushNotificationConfig {
  return {
    tenant: '',
    id: config.id,
    taskId: config.taskId,
    url: config.url,
    token: config.token ?? '',
    authentication: undefined,
  }
}

/**
 * A2A's push notification config on a task of the caller's: the node POSTs each state change to
 * `url`, with `token` in `X-A2A-Notification-Token` and, keyed by the token, an HMAC signature
 * (see README). The URL must be one the node may call (no private address unless allowed).
 */
export async function setPushConfig(
  deps: PushDeps,
  task: Task,
  owner: string,
  params: Pick<TaskPushNotificationConfig, 'id' | 'url' | 'token'>,
): Promise<TaskPushNotificationConfig> {
  if (!params.url) throw new MeshError('INVALID_INPUT', 'A push config needs a url')
  if (params.url.length > 2048 || params.id.length > 200 || params.token.length > 256) {
    throw new MeshError('INVALID_INPUT', 'url, id or token of the push config is too long')
  }
  const token = params.token || undefined
  const stored = await deps.push.set(task, {
    id: params.id || randomUUID(),
    owner,
    url: params.url,
    ...(token ? { token, secret: token } : {}),
  })
  return toA2A(stored)
}

export async function getPushConfig(
  deps: PushDeps,
  taskId: string,
  id: string,
): Promise<TaskPushNotificationConfig> {
  const config = await deps.pushConfigs.get(taskId, id)
  if (!config) throw new TaskNotFoundError(`Task "${taskId}" has no push config "${id}"`)
  return toA2A(config)
}

export async function listPushConfigs(
  deps: PushDeps,
  taskId: string,
): Promise<ListTaskPushNotificationConfigsResponse> {
  const configs = await deps.pushConfigs.list(taskId)
  return { configs: configs.map(toA2A), nextPageToken: '' }
}

export async function deletePushConfig(deps: PushDeps, taskId: string, id: string): Promise<void> {
  if (!(await deps.pushConfigs.delete(taskId, id)))
    throw new TaskNotFoundError(`Task "${taskId}" has no push config "${id}"`)
}
