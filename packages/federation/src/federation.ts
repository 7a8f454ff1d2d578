import { MeshError, type FederationView } from '@agentmesh/protocol'
import type { PeerId } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { Federation, FederationHost } from 'agentmesh/internal'
import { verifyAnnouncement } from './announcement.js'
import { ANNOUNCE_PROTOCOL, ANNOUNCE_TOPIC, Announcer } from './announcer.js'
import { capabilityCid } from './capability-cid.js'
import { Clearing } from './clearing.js'
import { ClearingStatements, STATEMENT_PROTOCOL } from './clearing-statements.js'
import { FederatedIndex } from './federated-index.js'
import { createPeerNode } from './libp2p-node.js'
import { PeerBook } from './peer-book.js'
import { didOfPeer, libp2pKey, peerIdOfDid } from './peer-identity.js'
import { PeerTransport } from './peer-transport.js'
import { RemoteDirectory } from './remote-directory.js'
import { requestPeer, serveProtocol } from './request-response.js'
import { TASK_PROTOCOL } from './task-messages.js'
import { TaskServer } from './task-server.js'
import { WitnessTransport } from './witness-transport.js'

const MAX_REFUSALS = 20

/**
 * Starts a node's federation: libp2p with its own key, the announcement loop (gossipsub and DHT),
 * the federated index, the task and clearing stream protocols, and trust in peers.
 */
export async function startFederation(host: FederationHost): Promise<Federation> {
  const { config, logger, clock } = host
  const peers = new PeerBook(config)
  const didOf = (peer: PeerId): string | undefined => {
    try {
      return didOfPeer(peer)
    } catch {
      return undefined
    }
  }
  const refuse = (peer: PeerId) => {
    const did = didOf(peer)
    return did === undefined || !peers.allowed(did)
  }
  const libp2p = await createPeerNode({
    privateKey: await libp2pKey(host.key),
    listen: config.listen,
    refuse,
  })
  const index = new FederatedIndex()
  const clearing = new Clearing(host.ledger, config, host.key.did)
  const announcer = new Announcer(host)
  const refusals: NonNullable<FederationView['refusals']> = []
  const refused = (peer: string, error: unknown) => {
    const e = error instanceof MeshError ? error : new MeshError('INTERNAL', String(error))
    logger.warn({ peer, code: e.code, err: e.message }, 'federation refused a message')
    refusals.unshift({
      peer,
      code: e.code,
      message: e.message,
      at: new Date(clock.now()).toISOString(),
    })
    refusals.length = Math.min(refusals.length, MAX_REFUSALS)
  }
  const addrs = () => libp2p.getMultiaddrs().map(String)
  let current = (await announcer.next(addrs())).jws
  const accept = (jws: unknown, from: PeerId): boolean => {
    const did = didOf(from)
    if (did === undefined || !peers.allowed(did))
      throw new MeshError('FEDERATION_PEER_REFUSED', `Peer "${from.toString()}" is not allowed`)
    const verified = verifyAnnouncement(jws as string, did, {
      schemas: host.schemas,
      nowMs: clock.now(),
      maxBytes: config.maxMessageBytes,
    })
    const news = index.put(did, from.toString(), verified, clock.now())
    if (news && libp2p.getConnections(from).length === 0) {
      const multiaddrs = verified.announcement.addrs.flatMap((a) => {
        try {
          return [multiaddr(a)]
        } catch {
          return []
        }
      })
      void libp2p.peerStore
        .merge(from, { multiaddrs })
        .then(() => libp2p.dial(from, { signal: AbortSignal.timeout(5000) }))
        .catch(() => {})
    }
    return news
  }
  const disconnect = (peerDid: string) => {
    index.remove(peerDid)
    logger.warn({ peer: peerDid }, 'federation peer disconnected for cause')
    for (const connection of libp2p.getConnections()) {
      if (didOf(connection.remotePeer) === peerDid) void connection.close().catch(() => {})
    }
  }
  const lookups = new Map<string, Promise<void>>()
  const lookup = (capabilityId: string): Promise<void> => {
    if (!config.dht) return Promise.resolve()
    let running = lookups.get(capabilityId)
    if (!running) {
      running = findProviders(capabilityId).finally(() => lookups.delete(capabilityId))
      lookups.set(capabilityId, running)
    }
    return running
  }
  /** Asks a provider for its current announcement and keeps it; answers whether it was kept. */
  const fetchAnnouncement = async (provider: PeerId, signal: AbortSignal): Promise<boolean> => {
    try {
      const jws = await requestPeer(
        libp2p,
        provider,
        ANNOUNCE_PROTOCOL,
        {},
        {
          signal,
          maxBytes: config.maxMessageBytes,
        },
      )
      accept(jws, provider)
      return true
    } catch (error) {
      const unreachable = error instanceof MeshError && error.code === 'FEDERATION_PEER_UNREACHABLE'
      if (!signal.aborted && !unreachable) refused(provider.toString(), error)
      return false
    }
  }
  /** Providers the DHT named per capability: asked again first, before a new DHT walk. */
  const providersOf = new Map<string, PeerId[]>()
  const findProviders = async (capabilityId: string): Promise<void> => {
    const signal = AbortSignal.timeout(5000)
    const fresh = () => index.offers(clock.now(), capabilityId).length > 0
    for (const provider of providersOf.get(capabilityId) ?? []) {
      if (!refuse(provider) && (await fetchAnnouncement(provider, signal)) && fresh()) return
    }
    const found: PeerId[] = []
    try {
      for await (const provider of libp2p.contentRouting.findProviders(
        await capabilityCid(capabilityId),
        { signal },
      )) {
        if (provider.id.equals(libp2p.peerId) || refuse(provider.id)) continue
        if (provider.multiaddrs.length > 0)
          await libp2p.peerStore.merge(provider.id, { multiaddrs: provider.multiaddrs })
        if (await fetchAnnouncement(provider.id, signal)) found.push(provider.id)
        if (found.length >= 3 || fresh()) break
      }
    } catch (error) {
      if (!signal.aborted) logger.debug({ err: error, capabilityId }, 'DHT lookup failed')
    }
    if (providersOf.size >= 1024) providersOf.clear()
    if (found.length > 0) providersOf.set(capabilityId, found)
  }
  const directory = new RemoteDirectory({ index, peers, now: () => clock.now(), lookup })
  const statements = new ClearingStatements({ host, libp2p, clearing, peers, index })
  const taskServer = new TaskServer(host, peers, clearing)
  const onError = (error: unknown) => logger.error({ err: error }, 'federation handler failed')
  await serveProtocol(
    libp2p,
    TASK_PROTOCOL,
    config.maxMessageBytes,
    (body, remote, stream) => {
      const did = didOfPeer(remote)
      return taskServer.handle(body, did, stream).catch((error: unknown) => {
        refused(did, error)
        throw error
      })
    },
    onError,
  )
  await serveProtocol(libp2p, ANNOUNCE_PROTOCOL, 1024, () => Promise.resolve(current), onError)
  await serveProtocol(
    libp2p,
    STATEMENT_PROTOCOL,
    64 * 1024,
    (body, remote) => statements.countersign(body, didOfPeer(remote)),
    onError,
  )
  const witness = new WitnessTransport(libp2p, peers)
  await witness.serve(onError)
  const pubsub = libp2p.services.pubsub
  if (config.gossip) {
    pubsub.subscribe(ANNOUNCE_TOPIC)
    pubsub.addEventListener('message', (event) => {
      const message = event.detail
      if (message.topic !== ANNOUNCE_TOPIC || message.type !== 'signed') return
      try {
        accept(new TextDecoder().decode(message.data), message.from)
      } catch (error) {
        refused(message.from.toString(), error)
      }
    })
  }
  const transport = new PeerTransport({
    host,
    libp2p,
    peers,
    clearing,
    offer: (peerDid, capabilityId) =>
      index.offers(clock.now(), capabilityId).find((o) => o.peerDid === peerDid),
    disconnect,
  })
  let ticks = 0
  const tick = async () => {
    const next = await announcer.next(addrs())
    current = next.jws
    index.prune(clock.now())
    if (config.gossip)
      await pubsub.publish(ANNOUNCE_TOPIC, new TextEncoder().encode(current)).catch(() => {})
    if (config.dht && (next.changed || ticks % 12 === 0)) {
      for (const id of next.capabilityIds) {
        void capabilityCid(id)
          .then((cid) =>
            libp2p.contentRouting.provide(cid, { signal: AbortSignal.timeout(10_000) }),
          )
          .catch((error: unknown) =>
            logger.debug({ err: error, capabilityId: id }, 'DHT provide failed'),
          )
      }
    }
    ticks += 1
    for (const connection of libp2p.getConnections()) {
      const did = didOf(connection.remotePeer)
      if (did === undefined) continue
      void libp2p.services.ping
        .ping(connection.remotePeer, { signal: AbortSignal.timeout(2000) })
        .then(
          (ms) => peers.latency(did, ms),
          () => {},
        )
    }
    if (libp2p.getConnections().length === 0) await dialBootstrap()
  }
  const dialBootstrap = async () => {
    await Promise.all(
      config.bootstrap.map((addr) =>
        libp2p
          .dial(multiaddr(addr), { signal: AbortSignal.timeout(5000) })
          .catch((error: unknown) =>
            logger.warn({ err: error, addr }, 'bootstrap peer did not answer'),
          ),
      ),
    )
  }
  await dialBootstrap()
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  const loop = () => {
    timer = setTimeout(() => {
      void tick()
        .catch((error: unknown) => logger.warn({ err: error }, 'announcing failed'))
        .finally(() => {
          if (!stopped) loop()
        })
    }, config.announceIntervalMs)
  }
  void tick().finally(loop)
  const peerIdString = libp2p.peerId.toString()
  return {
    peerId: peerIdString,
    multiaddrs: () => libp2p.getMultiaddrs().map(String),
    search: (input) => directory.search(input),
    directory,
    peerOf: (agentId) => index.peerIdOf(agentId),
    transport,
    statement: (peerDid) => statements.draw(peerDid),
    requestWitness: (peer, request) =>
      witness.request(peer.startsWith('did:') ? peerIdOfDid(peer) : peer, request),
    handleWitness: (handler) => witness.handle(handler),
    async view(): Promise<FederationView> {
      const connected = new Set(libp2p.getConnections().map((c) => didOf(c.remotePeer)))
      const dids = new Set([
        ...peers.known(),
        ...index.offers(clock.now()).map((o) => o.peerDid),
        ...connected,
      ])
      dids.delete(undefined)
      const list = await Promise.all(
        [...dids].map(async (did) => statements.peerView(did!, connected.has(did))),
      )
      return {
        did: host.key.did,
        peerId: peerIdString,
        multiaddrs: libp2p.getMultiaddrs().map(String),
        mode: config.mode,
        gossip: config.gossip,
        dht: config.dht,
        zones: { ...config.zones },
        peers: list,
        refusals: [...refusals],
      }
    },
    async stop() {
      stopped = true
      clearTimeout(timer)
      await libp2p.stop()
    },
  }
}
