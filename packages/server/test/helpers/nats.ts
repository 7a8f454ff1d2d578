import { connect } from '@nats-io/transport-node'
import { skipUnlessCi } from './local-services.js'

/** Where the NATS tests connect (the machine's server, JetStream on). */
export const natsUrl = process.env.AGENTMESH_TEST_NATS_URL ?? 'nats://127.0.0.1:4222'

/**
 * Checks once that NATS answers. Answers a one-line reason to skip when it does not; under
 * CI=true a missing NATS is an error, never a skip.
 */
export async function natsSkipReason(): Promise<string | undefined> {
  try {
    const nc = await connect({ servers: natsUrl, timeout: 2000, reconnect: false })
    await nc.close()
    return undefined
  } catch (error) {
    const reason = `NATS at ${natsUrl} is not reachable (${(error as Error).message})`
    return skipUnlessCi(reason, 'it')
  }
}
