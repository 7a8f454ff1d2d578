import { useCallback, useEffect, useRef, useState } from 'react'

/** What an asynchronous read has come to. */
export interface Loaded<T> {
  data: T | undefined
  error: Error | undefined
  loading: boolean
  reload: () => void
}

/**
 * Runs `load` when `deps` change and, with `intervalMs`, again every so often while the page is
 * open (live figures). A slow answer never overwrites a newer one.
 */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
  intervalMs?: number,
): Loaded<T> {
  const [state, setState] = useState<{
    data?: T | undefined
    error?: Error | undefined
    loading: boolean
  }>({
    loading: true,
  })
  const [tick, setTick] = useState(0)
  const latest = useRef(0)
  const loadRef = useRef(load)
  loadRef.current = load
  useEffect(() => {
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const run = async () => {
      const call = ++latest.current
      try {
        const data = await loadRef.current()
        if (!stopped && call === latest.current) setState({ data, loading: false })
      } catch (error) {
        if (!stopped && call === latest.current) {
          setState((previous) => ({ ...previous, error: error as Error, loading: false }))
        }
      }
      if (!stopped && intervalMs) timer = setTimeout(() => void run(), intervalMs)
    }
    setState((previous) => ({ ...previous, loading: true, error: undefined }))
    void run()
    return () => {
      stopped = true
      clearTimeout(timer)
    }
  }, [...deps, tick, intervalMs])
  const reload = useCallback(() => setTick((t) => t + 1), [])
  return { data: state.data, error: state.error, loading: state.loading, reload }
}

/**
 * Follows a server-sent event stream while the component is mounted: `follow` gets an abort
 * signal and returns the stream's async iterator; `onEvent` sees each event.
 */
export function useStream<E>(
  follow: (signal: AbortSignal) => AsyncIterable<E> | undefined,
  onEvent: (event: E) => void,
  deps: readonly unknown[],
): { live: boolean; error: Error | undefined } {
  const [live, setLive] = useState(false)
  const [error, setError] = useState<Error>()
  const onEventRef = useRef(onEvent)
  onEventRef.current = onEvent
  useEffect(() => {
    const controller = new AbortController()
    const stream = follow(controller.signal)
    if (!stream) return
    setLive(true)
    setError(undefined)
    void (async () => {
      try {
        for await (const event of stream) onEventRef.current(event)
      } catch (caught) {
        if (!controller.signal.aborted) setError(caught as Error)
      } finally {
        if (!controller.signal.aborted) setLive(false)
      }
    })()
    return () => controller.abort()
  }, deps)
  return { live, error }
}

/**
 * One action at a time from a form or button: `run` clears the last error, marks the action busy
 * until it settles and keeps what it throws.
 */
export function useAction(): {
  busy: boolean
  error: unknown
  run: (action: () => Promise<void>) => Promise<void>
} {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>()
  const run = async (action: () => Promise<void>) => {
    setError(undefined)
    setBusy(true)
    try {
      await action()
    } catch (caught) {
      setError(caught)
    } finally {
      setBusy(false)
    }
  }
  return { busy, error, run }
}
