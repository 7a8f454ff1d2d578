import { randomBytes } from 'node:crypto'
import { afterAll, describe } from 'vitest'
import { NatsBus } from '../../../src/adapters/bus/nats/nats-bus.js'
import { connectNats, type NatsLink } from '../../../src/adapters/bus/nats/nats-connection.js'
import { natsSkipReason, natsUrl } from '../../helpers/nats.js'
import { busContract } from './bus-contract.js'

const skip = await natsSkipReason()

describe.skipIf(skip !== undefined)(`NATS bus${skip ? ` (skipped: ${skip})` : ''}`, () => {
  // Each bus a check opens is a connection of its own to the same server, as nodes are.
  const links: NatsLink[] = []
  const prefix = `t${randomBytes(4).toString('hex')}`
  afterAll(async () => {
    await Promise.all(links.map((l) => l.close()))
  })
  busContract('NATS', async () => {
    const link = await connectNats(natsUrl, 'bus-contract')
    links.push(link)
    return new NatsBus(link.nc, prefix)
  })
})
