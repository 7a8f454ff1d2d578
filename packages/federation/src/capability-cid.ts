import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'

/** The DHT key under which nodes provide a capability id. */
export async function capabilityCid(capabilityId: string): Promise<CID> {
  const digest = await sha256.digest(
    new TextEncoder().encode(`agentmesh/capability/${capabilityId}`),
  )
  return CID.createV1(raw.code, digest)
}
