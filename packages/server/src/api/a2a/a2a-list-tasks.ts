import { TaskState, type ListTasksRequest, type ListTasksResponse } from '@a2a-js/sdk'
import { MeshError } from '@agentmesh/protocol'
import type { Caller } from '../../core/auth/caller.js'
import type { TaskService } from '../../core/tasks/task-service.js'
import type { TaskQuery } from '../../core/tasks/task-store.js'
import type { Task } from '../../core/tasks/task-types.js'
import { toA2ATask } from './a2a-mapping.js'
import { wholeAtLeast } from './a2a-request-check.js'

/** The largest page ListTasks serves, and the page it serves when none is asked for. */
export const MAX_PAGE = 100
const DEFAULT_PAGE = 50
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/

/** The mesh states an A2A state stands for (one A2A state may be several of ours). */
const MESH_STATES: Partial<Record<TaskState, string[]>> = {
  [TaskState.TASK_STATE_SUBMITTED]: ['pending'],
  [TaskState.TASK_STATE_WORKING]: ['assigned', 'running', 'retrying', 'verifying'],
  [TaskState.TASK_STATE_INPUT_REQUIRED]: ['input_required'],
  [TaskState.TASK_STATE_COMPLETED]: ['completed'],
  [TaskState.TASK_STATE_FAILED]: ['failed', 'timed_out', 'disputed'],
  [TaskState.TASK_STATE_CANCELED]: ['canceled'],
  [TaskState.TASK_STATE_REJECTED]: [],
  [TaskState.TASK_STATE_AUTH_REQUIRED]: [],
}

const invalid = (message: string) => new MeshError('INVALID_INPUT', message)

/** A page token: the id of the last task of the page, wrapped so that a made-up one is refused. */
function encodeToken(id: string): string {
  return Buffer.from(JSON.stringify({ after: id })).toString('base64url')
}

function decodeToken(token: string): string {
  try {
    const after = (
      JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown }
    ).after
    if (typeof after === 'string' && after.length > 0 && after.length <= 200) return after
  } catch {
    // refused below
  }
  throw invalid(`Page token "${token.slice(0, 50)}" is not one this node gave`)
}

/** The store query a ListTasks request stands for; every invalid parameter is -32602. */
function queryOf(params: ListTasksRequest, agent: string | undefined): Omit<TaskQuery, 'limit'> {
  if (params.contextId.length > 200) throw invalid('contextId is longer than 200')
  const states =
    params.status === TaskState.TASK_STATE_UNSPECIFIED ? undefined : MESH_STATES[params.status]
  if (params.status !== TaskState.TASK_STATE_UNSPECIFIED && !states) {
    throw invalid('status is not an A2A task state')
  }
  let updatedFromMs: number | undefined
  const after = params.statusTimestampAfter
  if (after !== undefined && after !== '') {
    updatedFromMs = ISO_TIME.test(after) ? Date.parse(after) : Number.NaN
    if (!Number.isFinite(updatedFromMs))
      throw invalid('statusTimestampAfter is not an ISO 8601 time')
  }
  return {
    ...(params.contextId ? { contextId: params.contextId } : {}),
    ...(states ? { states } : {}),
    ...(updatedFromMs === undefined ? {} : { updatedFromMs }),
    ...(agent === undefined ? {} : { agent }),
  }
}

/**
 * ListTasks as A2A 1.0 defines it, over the caller's tasks (of one agent, on its endpoint):
 * filters by context, state and status time, newest first; `totalSize` counts every page,
 * `nextPageToken` is empty on the last; artifacts only when asked for.
 */
export async function listTasks(
  tasks: TaskService,
  caller: Caller,
  agent: string | undefined,
  params: ListTasksRequest,
  visible: (task: Task) => boolean,
): Promise<ListTasksResponse> {
  const size: unknown = params.pageSize ?? DEFAULT_PAGE
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_PAGE) {
    throw invalid(`pageSize must be a whole number from 1 to ${MAX_PAGE}`)
  }
  if (!wholeAtLeast(params.historyLength, 0)) {
    throw invalid('historyLength must be a whole number of at least 0')
  }
  const query = queryOf(params, agent)
  let cursor: string | undefined
  if (params.pageToken) {
    cursor = decodeToken(params.pageToken)
    const anchor = await tasks.get(caller, cursor).catch(() => undefined)
    if (!anchor || !visible(anchor)) throw invalid('The page token names no task of yours')
  }
  const [page, totalSize] = await Promise.all([
    tasks.list(caller, { ...query, limit: size + 1, ...(cursor ? { cursor } : {}) }),
    tasks.count(caller, query),
  ])
  const items = page.slice(0, size)
  const last = items.at(-1)
  const shape = {
    includeArtifacts: params.includeArtifacts === true,
    ...(params.historyLength === undefined ? {} : { historyLength: params.historyLength }),
  }
  return {
    tasks: items.map((task) => toA2ATask(task, shape)),
    nextPageToken: page.length > size && last ? encodeToken(last.id) : '',
    pageSize: items.length,
    totalSize,
  }
}
