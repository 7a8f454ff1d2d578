import { canonicalBytes } from './canonical-json.js'
import { fromBase64url, toBase64url } from './encoding.js'
import { MeshError } from './errors.js'
import { isDid, signBytes, verifyBytes, type KeyPair } from './identity.js'

/** One validator's Ed25519 signature (base64url) over a certificate's statement. */
export interface CertificateSignature {
  signer: string
  signature: string
}

/**
 * A decision that must hold across operators, with proof that a Byzantine quorum agreed: `n`
 * named validators (`n ≥ 3f+1`, tolerating `f` faulty ones) and the signatures of at least
 * `2f+1` of them over the canonical JSON of `{type, decision, validators, f}`. Checkable offline
 * by anyone who knows the validators' did:keys.
 */
export interface QuorumCertificate {
  decision: unknown
  validators: string[]
  f: number
  signatures: CertificateSignature[]
}

/** The outcome of checking a certificate: how many signed of how many needed, or why not. */
export type CertificateVerdict =
  { ok: true; signers: number; threshold: number; n: number } | { ok: false; reason: string }

/** Separates a certificate statement from any other signed bytes. */
export const CERTIFICATE_TYPE = 'agentmesh/quorum-certificate/v1'

/** Most validators one certificate names. */
export const MAX_VALIDATORS = 256

/** The signatures a set tolerating `f` faults needs: `2f+1`. */
export const quorumThreshold = (f: number): number => 2 * f + 1

/** What the validators sign: the canonical JSON of `{type, decision, validators, f}`. */
export function certificateStatement(
  certificate: Pick<QuorumCertificate, 'decision' | 'validators' | 'f'>,
): Uint8Array {
  const { decision, validators, f } = certificate
  return canonicalBytes({ type: CERTIFICATE_TYPE, decision, validators, f })
}

/** Why a validator set cannot carry a certificate for `f` faults, or undefined when it can. */
function setProblem(validators: unknown, f: unknown): string | undefined {
  if (!Number.isSafeInteger(f) || (f as number) < 0)
    return `f "${String(f)}" is not a whole number ≥ 0`
  if (!Array.isArray(validators)) return 'the validators are not a list'
  if (validators.length > MAX_VALIDATORS) return `more than ${MAX_VALIDATORS} validators`
  const min = 3 * (f as number) + 1
  if (validators.length < min) {
    return `${validators.length} validators cannot tolerate f=${String(f)}: n ≥ 3f+1 = ${min} needed`
  }
  const bad = (validators as unknown[]).find((did) => !isDid(did))
  if (bad !== undefined) return `validator ${JSON.stringify(bad)} is not an Ed25519 did:key`
  if (new Set(validators).size !== validators.length) return 'a validator is named twice'
  return undefined
}

/** Starts a certificate for `decision` with no signatures; throws `CERTIFICATE_INVALID` for a bad set. */
export function createCertificate(
  decision: unknown,
  validators: string[],
  f: number,
): QuorumCertificate {
  const problem = setProblem(validators, f)
  if (problem) throw new MeshError('CERTIFICATE_INVALID', `Certificate cannot be made: ${problem}`)
  certificateStatement({ decision, validators, f })
  return { decision, validators: [...validators], f, signatures: [] }
}

/** One validator's signature over the certificate's statement. */
export function signCertificate(
  certificate: Pick<QuorumCertificate, 'decision' | 'validators' | 'f'>,
  key: KeyPair,
): CertificateSignature {
  return {
    signer: key.did,
    signature: toBase64url(signBytes(certificateStatement(certificate), key)),
  }
}

function signatureProblem(
  certificate: QuorumCertificate,
  statement: Uint8Array,
  entry: CertificateSignature,
): string | undefined {
  if (!certificate.validators.includes(entry.signer)) {
    return `signer "${String(entry.signer)}" is not in the validator set`
  }
  let bytes: Uint8Array
  try {
    bytes = fromBase64url(entry.signature)
  } catch {
    return `the signature of "${entry.signer}" is not base64url`
  }
  if (!verifyBytes(bytes, statement, entry.signer)) {
    return `the signature of "${entry.signer}" does not verify`
  }
  return undefined
}

/**
 * Adds one validator's signature, checked: refuses a signer outside the set, a second signature
 * of the same signer, or a signature that does not verify. Answers a new certificate.
 */
export function addSignature(
  certificate: QuorumCertificate,
  entry: CertificateSignature,
): QuorumCertificate {
  if (certificate.signatures.some((s) => s.signer === entry.signer)) {
    throw new MeshError('CERTIFICATE_ALREADY_SIGNED', `"${entry.signer}" has signed already`)
  }
  const problem = signatureProblem(certificate, certificateStatement(certificate), entry)
  if (problem) throw new MeshError('CERTIFICATE_INVALID', `Signature refused: ${problem}`)
  return { ...certificate, signatures: [...certificate.signatures, { ...entry }] }
}

/**
 * Checks a certificate offline: a well-formed set for its `f`, every signature from a distinct
 * member and valid, and at least `2f+1` of them. Never throws on malformed input.
 */
export function verifyCertificate(input: unknown): CertificateVerdict {
  const certificate = input as Partial<QuorumCertificate> | null
  if (typeof certificate !== 'object' || certificate === null) {
    return { ok: false, reason: 'the certificate is not a JSON object' }
  }
  const problem = setProblem(certificate.validators, certificate.f)
  if (problem) return { ok: false, reason: problem }
  const { validators, f } = certificate as QuorumCertificate
  if (!Array.isArray(certificate.signatures)) return { ok: false, reason: 'no signature list' }
  let statement: Uint8Array
  try {
    statement = certificateStatement({ decision: certificate.decision, validators, f })
  } catch {
    return { ok: false, reason: 'the decision is not JSON' }
  }
  const seen = new Set<string>()
  for (const entry of certificate.signatures as unknown[]) {
    const signed = entry as Partial<CertificateSignature> | null
    if (typeof signed?.signer !== 'string' || typeof signed.signature !== 'string') {
      return { ok: false, reason: 'a signature entry is not {signer, signature}' }
    }
    if (seen.has(signed.signer)) return { ok: false, reason: `"${signed.signer}" signed twice` }
    seen.add(signed.signer)
    const bad = signatureProblem(certificate as QuorumCertificate, statement, {
      signer: signed.signer,
      signature: signed.signature,
    })
    if (bad) return { ok: false, reason: bad }
  }
  const threshold = quorumThreshold(f)
  if (seen.size < threshold) {
    return {
      ok: false,
      reason: `${seen.size} of ${validators.length} validators signed; ${threshold} (2f+1) needed`,
    }
  }
  return { ok: true, signers: seen.size, threshold, n: validators.length }
}
