import type { QuorumCertificate } from './quorum-certificate.js'

/**
 * A quorum certificate as a node serves it (`GET /v1/certificates/:id`): the certificate itself
 * (what `agentmesh verify-certificate` checks), who asked for it and whether it has its quorum.
 */
export interface CertificateView {
  id: string
  createdBy: string
  createdAt: string
  /** Whether at least 2f+1 of the validators have signed. */
  certified: boolean
  /** Signatures still needed for the quorum; 0 once certified. */
  missing: number
  certificate: QuorumCertificate
}
