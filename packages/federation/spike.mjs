import 'core-js/actual/promise/with-resolvers.js'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@libp2p/yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { gossipsub } from '@libp2p/gossipsub'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { lpStream } from '@libp2p/utils'
import { randomBytes } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'

async function make(bootstrap) {
  const privateKey = await generateKeyPairFromSeed('Ed25519', randomBytes(32))
  const node = await createLibp2p({
    privateKey,
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, emitSelf: false }),
      dht: kadDHT({
        protocol: '/agentmesh/kad/1.0.0',
        clientMode: false,
        peerInfoMapper: passthroughMapper,
      }),
    },
  })
  return node
}
const t0 = Date.now()
const a = await make(),
  b = await make(),
  c = await make()
console.log('started', Date.now() - t0, a.peerId.toString(), a.getMultiaddrs().map(String))
await b.dial(a.getMultiaddrs()[0])
await c.dial(a.getMultiaddrs()[0])
console.log('dialed', Date.now() - t0)
c.handle('/x/1', async (stream) => {
  const lp = lpStream(stream, { maxDataLength: 1000 })
  const msg = await lp.read()
  await lp.write(new TextEncoder().encode('echo:' + new TextDecoder().decode(msg.subarray())))
  await stream.close()
})
a.services.pubsub.subscribe('t')
c.services.pubsub.subscribe('t')
a.services.pubsub.addEventListener('message', (e) =>
  console.log('A got', new TextDecoder().decode(e.detail.data), Date.now() - t0),
)
const cid = CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode('cap')))
await new Promise((r) => setTimeout(r, 1500))
await c.services.pubsub.publish('t', new TextEncoder().encode('hello'))
try {
  for await (const ev of c.contentRouting.provide(cid)) {
  }
} catch (e) {
  console.log('provide err', e.message)
}
await c.contentRouting.provide(cid)
console.log('provided', Date.now() - t0)
for await (const p of a.contentRouting.findProviders(cid, { signal: AbortSignal.timeout(5000) })) {
  console.log('provider', p.id.toString() === c.peerId.toString(), p.multiaddrs.map(String))
  break
}
const s = await a.dialProtocol(c.peerId, '/x/1')
const lp = lpStream(s)
await lp.write(new TextEncoder().encode('hi'))
console.log(new TextDecoder().decode((await lp.read()).subarray()))
console.log('rtt', await a.services.ping.ping(c.peerId))
await Promise.all([a.stop(), b.stop(), c.stop()])
console.log('stopped', Date.now() - t0)
