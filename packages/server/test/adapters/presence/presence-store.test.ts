import { describe, expect, it } from 'vitest'
import { MemoryPresenceStore } from '../../../src/adapters/presence/memory-presence-store.js'
import type { PresenceEntry, PresenceStore } from '../../../src/core/ports/presence-store.js'
import { presenceStoreChecks, presenceStoreContract } from './presence-store-contract.js'

presenceStoreContract('in memory', () => new MemoryPresenceStore())

type Flaw = 'shares-entries' | 'ignores-delete' | 'keeps-the-first-set'

/** A presence store with one deliberate flaw. */
class FlawedPresenceStore implements PresenceStore {
  readonly #entries = new Map<string, PresenceEntry>()
  constructor(readonly flaw: Flaw) {}
  get(agentId: string) {
    const found = this.#entries.get(agentId)
    return this.flaw === 'shares-entries' ? found : found && { ...found }
  }
  set(agentId: string, entry: PresenceEntry) {
    if (this.flaw === 'keeps-the-first-set' && this.#entries.has(agentId)) return
    this.#entries.set(agentId, this.flaw === 'shares-entries' ? entry : { ...entry })
  }
  delete(agentId: string) {
    if (this.flaw !== 'ignores-delete') this.#entries.delete(agentId)
  }
  entries() {
    return [...this.#entries].map(([id, e]): [string, PresenceEntry] => [id, { ...e }])
  }
}

describe('the PresenceStore contract catches broken implementations', () => {
  const cases: [Flaw, string][] = [
    ['shares-entries', 'keeps a change only once it is set'],
    ['ignores-delete', 'forgets a deleted entry'],
    ['keeps-the-first-set', 'replaces an entry on set'],
  ]
  for (const [flaw, name] of cases) {
    it(`fails a store that ${flaw.replaceAll('-', ' ')}`, async () => {
      const check = presenceStoreChecks.find((c) => c.name === name)!
      await expect((async () => check.run(() => new FlawedPresenceStore(flaw)))()).rejects.toThrow()
    })
  }
})
