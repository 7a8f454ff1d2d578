// Current libp2p releases call Promise.withResolvers, which Node 20 lacks: core-js adds it first.
import 'core-js/actual/promise/with-resolvers.js'
import { noise } from '@chainsafe/libp2p-noise'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'

/** Starts libp2p for a node: TCP, Noise, Yamux, identify, ping, gossipsub and Kademlia. */
export async function createPeerNode(options: {
  privateKey: PrivateKey
  listen: string[]
  /** Refuses connections from a peer (the allowlist, peers disconnected for cause). */
  refuse: (peer: PeerId) => boolean
}) {
  return createLibp2p({
    privateKey: options.privateKey,
    addresses: { listen: options.listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: {
      denyDialPeer: (peer) => options.refuse(peer),
      denyInboundEncryptedConnection: (peer) => options.refuse(peer),
      denyOutboundEncryptedConnection: (peer) => options.refuse(peer),
    },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }),
      // Loopback and private addresses stay: operators' nodes often peer on private networks.
      dht: kadDHT({
        protocol: '/agentmesh/kad/1.0.0',
        clientMode: false,
        peerInfoMapper: passthroughMapper,
      }),
    },
  })
}

/** A started libp2p node of a federation. */
export type PeerNode = Awaited<ReturnType<typeof createPeerNode>>
