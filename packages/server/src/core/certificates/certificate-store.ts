import type { CertificateSignature, QuorumCertificate } from '@agentmesh/protocol'

/** A certificate the node collects signatures for. */
export interface CertificateRecord {
  id: string
  createdBy: string
  createdAtMs: number
  /** Signatures in the order they arrived. */
  certificate: QuorumCertificate
}

/** Certificates and their signatures; a signature, once stored, is never changed. */
export interface CertificateStore {
  /** Stores a new certificate (its signatures, if any, too). */
  insert(record: CertificateRecord): Promise<void>
  get(id: string): Promise<CertificateRecord | undefined>
  /** Adds a signer's signature; false when that signer has one on it already. */
  addSignature(id: string, signature: CertificateSignature, atMs: number): Promise<boolean>
}
