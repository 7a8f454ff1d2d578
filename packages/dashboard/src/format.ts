import type { Money } from '@agentmesh/protocol'

/** `did:key:z6MkabcdEFG…xyz` → `z6Mkab…xyz`, for tables; the full id goes in the title. */
export function shortId(id: string | null | undefined, keep = 6): string {
  if (!id) return '—'
  const bare = id.replace(/^did:key:/, '')
  return bare.length <= keep * 2 + 1 ? bare : `${bare.slice(0, keep)}…${bare.slice(-4)}`
}

/** A number and its noun, in the singular for one: "1 task", "2 tasks", "1 entry", "3 entries". */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`
}

export const money = (m: Money | undefined | null): string =>
  m ? `${m.amount} ${m.currency}` : '—'

export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—'
  if (value < 10 && !Number.isInteger(value)) return `${value.toFixed(1)} ms`
  if (value < 1000) return `${Math.round(value)} ms`
  return `${(value / 1000).toFixed(value < 10_000 ? 2 : 1)} s`
}

export const percent = (value: number | null | undefined, digits = 1): string =>
  value === null || value === undefined ? '—' : `${(value * 100).toFixed(digits)}%`

export function time(iso: string | null | undefined): string {
  if (!iso) return '—'
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString()
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString()
}

/** The message of anything thrown. */
export const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)

/** The catalogue code of a MeshError (or undefined). */
export const codeOf = (error: unknown): string | undefined =>
  (error as { code?: unknown } | undefined)?.code as string | undefined
