import type { HostedPlacement } from '../ports/hosted-placement.js'
import type { HostedStore } from './hosted-store.js'

/** An embedded node's placement: it serves every started hosted agent itself, however many. */
export function localPlacement(store: HostedStore): HostedPlacement {
  return {
    claim: () => Promise.resolve(true),
    async claimUnserved() {
      const agents = await store.all()
      return agents.filter((a) => a.state === 'started').map((a) => a.id)
    },
    release: () => Promise.resolve(),
  }
}
