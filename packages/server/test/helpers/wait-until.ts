/**
 * Waits until `condition` holds, asking again every `everyMs`; fails after `timeoutMs`. For
 * conditions with no event to wait on (a readiness probe, another process's state).
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  { timeoutMs = 15_000, everyMs = 50, what = 'condition' } = {},
): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}
