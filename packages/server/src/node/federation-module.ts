import { AjvSchemaChecker } from '../adapters/schema/ajv-schema-checker.js'
import type { FederationSlot } from '../adapters/transport/federation/federation-slot.js'
import { importWorkspacePackage } from '../import-workspace-package.js'
import type { Federation, FederationHost } from './federation-host.js'
import type { NodeModule } from './lifecycle.js'

/** What the node uses of `@agentmesh/federation`. */
interface FederationPackage {
  startFederation(host: FederationHost): Promise<Federation>
}

/**
 * Federation over libp2p, loaded only when the node listens on a multiaddr: the package (and
 * libp2p with it) stays out of nodes that do not federate. Attached to the slot the router, the
 * directory and the transports share; detached before libp2p stops.
 */
export function federationModule(slot: FederationSlot, host: Omit<FederationHost, 'schemas'>) {
  let federation: Federation | undefined
  return {
    name: 'federation',
    get federation() {
      return federation
    },
    async start() {
      const pkg = await importWorkspacePackage<FederationPackage>('@agentmesh/federation', {
        feature: 'Federation (--p2p-listen)',
        command: 'agentmesh up --p2p-listen …',
      })
      federation = await pkg.startFederation({ ...host, schemas: new AjvSchemaChecker() })
      slot.attach(federation)
    },
    async stop() {
      slot.detach()
      await federation?.stop()
    },
  } satisfies NodeModule & Record<string, unknown>
}
