import { useEffect, useState } from 'react'

/** A location inside the dashboard: `#/agents/ID?q=text` → path parts and query. */
export interface Route {
  parts: string[]
  query: URLSearchParams
}

function parse(hash: string): Route {
  const text = hash.replace(/^#\/?/, '')
  const [path = '', search = ''] = text.split('?', 2)
  return {
    parts: path
      .split('/')
      .filter((p) => p !== '')
      .map((p) => decodeURIComponent(p)),
    query: new URLSearchParams(search),
  }
}

/** The href of a dashboard location. */
export function href(parts: string[], query: Record<string, string | undefined> = {}): string {
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) if (value) search.set(name, value)
  const text = search.toString()
  return `#/${parts.map(encodeURIComponent).join('/')}${text ? `?${text}` : ''}`
}

export function navigate(parts: string[], query: Record<string, string | undefined> = {}): void {
  window.location.hash = href(parts, query)
}

/** Hash routing: the static server needs no fallback, and a reload keeps the page. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(window.location.hash))
  useEffect(() => {
    const onChange = () => setRoute(parse(window.location.hash))
    window.addEventListener('hashchange', onChange)
    return () => window.removeEventListener('hashchange', onChange)
  }, [])
  return route
}
