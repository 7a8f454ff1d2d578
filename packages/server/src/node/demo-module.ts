import { join } from 'node:path'
import { parseAmount } from '@agentmesh/protocol'
import type { Logger } from '../core/ports/logger.js'
import type { LedgerService } from '../core/ledger/ledger-service.js'
import type { AuthService } from '../core/auth/auth-service.js'
import { accountId } from '../core/ledger/types.js'
import { importDemo, type RunningDemo } from '../demo-package.js'
import type { NodeConfig } from '../node-config.js'
import type { NodeModule } from './lifecycle.js'

/**
 * The demo on a listening node, its credit coming out of the node's own (seeded) account. Loaded
 * only with --demo, as its libraries take a moment to load; a demo that fails to start is logged,
 * and the node runs on without it. Stopping it first: no new demo tasks, its agents disconnect.
 */
export function demoModule(
  config: NodeConfig,
  deps: { url: string; logger: Logger; ledger: LedgerService; nodeDid: string; auth: AuthService },
) {
  const { url, logger, ledger, nodeDid, auth } = deps
  const module = {
    name: 'demo',
    demo: undefined as RunningDemo | undefined,
    async start(): Promise<void> {
      if (!config.demo) return
      try {
        const { startDemo } = await importDemo()
        module.demo = await startDemo(
          {
            url,
            logger,
            fund: async (did, amount, id) => {
              await ledger.transfer(
                {
                  kind: 'posted',
                  id,
                  debitAccount: accountId(nodeDid, 'USD'),
                  creditAccount: accountId(did, 'USD'),
                  amountMicros: parseAmount(amount),
                  code: 'transfer',
                },
                nodeDid,
              )
            },
            // The demo's validators approve its federated-learning rounds.
            makeValidator: async (did) => {
              await auth.setRoles(did, ['agent', 'validator'], nodeDid)
            },
          },
          {
            traffic: config.demoTraffic,
            keysDir: config.dataDir ? join(config.dataDir, 'demo') : undefined,
          },
        )
      } catch (error) {
        logger.error({ err: error }, 'starting the demo failed')
      }
    },
    async stop(): Promise<void> {
      await module.demo?.stop()
    },
  } satisfies NodeModule & Record<string, unknown>
  return module
}
