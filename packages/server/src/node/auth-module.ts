import { systemRandom } from '../adapters/system/system-random.js'
import type { AuditLog } from '../core/audit/audit-log.js'
import { AuthService } from '../core/auth/auth-service.js'
import { PermissionService } from '../core/auth/permission-service.js'
import { registrationGrant, type Mint } from '../core/ledger/grants.js'
import { ReputationService } from '../core/reputation/reputation-service.js'
import { defaultScoring } from '../core/reputation/score.js'
import { ratableTasks } from '../core/tasks/ratable-tasks.js'
import type { Observability } from '../observability.js'
import type { NodeBase } from './base.js'
import { adminToken } from './identity.js'
import type { NodeModule } from './lifecycle.js'

/**
 * Principals, sign-in, permissions and reputation. Starting makes sure the node is an admin
 * principal, finds or issues the admin token, and, with `demo`, seeds the node's own account.
 */
export function authModule(
  base: NodeBase,
  deps: {
    audit: AuditLog
    observability: Observability
    mint: Mint
    /** Closes the sockets of an agent whose principal was removed. */
    closeAgent: (did: string, reason: string) => void
  },
) {
  const { config, store, clock, key, bus } = base
  const { audit, mint } = deps
  const { cacheMs } = config
  const permissions = new PermissionService({
    permissions: store.permissions,
    principals: store.principals,
    clock,
    random: systemRandom,
    audit,
    bus,
    cacheMs,
  })
  const auth = new AuthService(
    {
      store,
      clock,
      random: systemRandom,
      audit: deps.observability.observe(audit),
      onRegistered: registrationGrant(mint, config.grant),
      // A removed principal (on any node): no permissions cached, no agent socket left open.
      onRemoved: (did) => {
        permissions.forget(did)
        deps.closeAgent(did, 'principal removed')
      },
      bus,
    },
    {
      nodeDid: key.did,
      closed: config.closed,
      nonceTtlMs: config.nonceTtlMs,
      sessionTtlMs: config.sessionTtlMs,
      cacheMs,
    },
  )
  const reputation = new ReputationService(
    { store: store.reputation, clock, audit, tasks: ratableTasks(store.tasks), bus, cacheMs },
    { ...defaultScoring, halfLifeMs: config.reputationHalfLifeMs },
  )
  const module = {
    name: 'auth',
    auth,
    permissions,
    reputation,
    admin: { token: '', file: undefined as string | undefined },
    async start() {
      await auth.ensurePrincipal(key.did, ['admin'])
      module.admin = await adminToken(auth, key.did, config.dataDir)
      if (config.demo) await mint(`demo-seed:${key.did}:USD`, key.did, '1000', 'USD')
    },
  } satisfies NodeModule & Record<string, unknown>
  return module
}
