import { deepStrictEqual as sameAs } from 'node:assert/strict'
import { describe, it } from 'vitest'
import type { PresenceEntry, PresenceStore } from '../../../src/core/ports/presence-store.js'

/** One promise of the `PresenceStore` port. */
export interface PresenceStoreCheck {
  name: string
  run(open: () => PresenceStore): void | Promise<void>
}

const entry = (over: Partial<PresenceEntry> = {}): PresenceEntry => ({
  lastSeenMs: 1000,
  connections: 1,
  inFlight: 0,
  announcedOnline: true,
  ...over,
})

export const presenceStoreChecks: PresenceStoreCheck[] = [
  {
    name: 'answers what was set, and nothing for an agent never set',
    run(open) {
      const store = open()
      store.set('a', entry({ inFlight: 2 }))
      sameAs(store.get('a'), entry({ inFlight: 2 }))
      sameAs(store.get('b'), undefined)
    },
  },
  {
    name: 'keeps a change only once it is set',
    run(open) {
      const store = open()
      const written = entry()
      store.set('a', written)
      written.connections = 5
      const read = store.get('a')!
      read.inFlight = 9
      sameAs(store.get('a'), entry())
    },
  },
  {
    name: 'replaces an entry on set',
    run(open) {
      const store = open()
      store.set('a', entry())
      store.set('a', entry({ connections: 0, lastSeenMs: null, announcedOnline: false }))
      sameAs(store.get('a'), entry({ connections: 0, lastSeenMs: null, announcedOnline: false }))
    },
  },
  {
    name: 'forgets a deleted entry',
    run(open) {
      const store = open()
      store.set('a', entry())
      store.set('b', entry())
      store.delete('a')
      store.delete('never-set')
      sameAs(store.get('a'), undefined)
      sameAs(
        [...store.entries()].map(([id]) => id),
        ['b'],
      )
    },
  },
  {
    name: 'lists every entry, and may be changed while listing',
    run(open) {
      const store = open()
      for (const id of ['a', 'b', 'c']) store.set(id, entry())
      for (const [id] of store.entries()) if (id !== 'b') store.delete(id)
      sameAs(
        [...store.entries()].map(([id, e]) => [id, e]),
        [['b', entry()]],
      )
    },
  },
]

/** Runs every check on stores from `open`, each on a fresh store. */
export function presenceStoreContract(name: string, open: () => PresenceStore): void {
  describe(`PresenceStore contract: ${name}`, () => {
    for (const check of presenceStoreChecks) it(check.name, () => check.run(open))
  })
}
