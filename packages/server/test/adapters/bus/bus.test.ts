import { describe, expect, it } from 'vitest'
import { MemoryBus } from '../../../src/adapters/bus/memory-bus.js'
import { busChecks, busContract } from './bus-contract.js'
import { FlawedBus, type BusFlaw } from './flawed-bus.js'

busContract('in-process', () => Promise.resolve(new MemoryBus()))

// The reference the flawed buses are measured against: unflawed, it passes everything.
busContract('flawed bus without a flaw', () => Promise.resolve(new FlawedBus()))

const check = (name: string) => {
  const found = busChecks.find((c) => c.name.startsWith(name))
  if (!found) throw new Error(`No bus check named "${name}"`)
  return found
}

describe('the Bus contract catches broken implementations', () => {
  const cases: [BusFlaw, string][] = [
    ['delivers-after-unsubscribe', 'stops delivering once unsubscribed'],
    ['ignores-unsubscribe', 'stops delivering once unsubscribed'],
    ['delivers-synchronously', 'never runs a handler inside the publish call'],
    ['matches-prefixes', 'keeps topics apart'],
    ['reorders', 'delivers in the order'],
    ['stops-at-a-throw', 'keeps delivering to the others'],
    ['keeps-subscriptions-after-stop', 'leaves nothing subscribed'],
  ]
  for (const [flaw, name] of cases) {
    it(`fails a bus that ${flaw.replaceAll('-', ' ')}`, async () => {
      await expect(check(name).run(() => Promise.resolve(new FlawedBus(flaw)))).rejects.toThrow()
    })
  }
})
