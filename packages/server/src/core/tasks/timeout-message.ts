import type { Task } from './task-types.js'

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** "300 ms", "300 and 2000 ms", "300, 300 and 2000 ms". */
function listMs(values: number[]): string {
  if (values.length === 1) return `${values[0]} ms`
  return `${values.slice(0, -1).join(', ')} and ${values.at(-1)} ms`
}

/**
 * Why a task timed out, from its attempts: how many ran, how many of them timed out and after how
 * long each (the provider's SLA within the task's deadline), e.g. "Task timed out: 3 attempts ran and
 * all timed out after 300 ms each".
 */
export function timeoutMessage(task: Task): string {
  const { attempts } = task
  if (attempts.length === 0)
    return `Task did not finish within ${task.timeoutMs} ms (no attempt ran)`
  const afterMs = attempts.flatMap((a) => {
    const timeoutMs = a.outcome === 'timeout' ? a.error?.details?.timeoutMs : undefined
    return typeof timeoutMs === 'number' ? [timeoutMs] : []
  })
  const ran = plural(attempts.length, 'attempt')
  if (afterMs.length === 0) return `Task did not finish within ${task.timeoutMs} ms after ${ran}`
  const same = afterMs.every((ms) => ms === afterMs[0])
  const after = same
    ? `after ${afterMs[0]} ms${afterMs.length > 1 ? ' each' : ''}`
    : `after ${listMs(afterMs)}`
  if (afterMs.length === attempts.length) {
    return `Task timed out: ${ran} ran and ${attempts.length === 1 ? '' : 'all '}timed out ${after}`
  }
  return `Task did not finish within ${task.timeoutMs} ms: ${ran} ran, ${afterMs.length} timed out ${after}`
}
