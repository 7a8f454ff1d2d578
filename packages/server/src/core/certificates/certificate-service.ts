import {
  addSignature,
  createCertificate,
  MeshError,
  quorumThreshold,
  type CertificateView,
} from '@agentmesh/protocol'
import type { Caller } from '../auth/caller.js'
import type { PrincipalStore } from '../auth/auth-store.js'
import { newId } from '../ids.js'
import type { AuditSink } from '../ports/audit-sink.js'
import type { Clock } from '../ports/clock.js'
import type { Random } from '../ports/random.js'
import type { TaskStore } from '../tasks/task-store.js'
import type { CertificateRecord, CertificateStore } from './certificate-store.js'

/** What asks for a certificate: the decision and the named validator set tolerating `f` faults. */
export interface CertificateProposal {
  decision: unknown
  validators: string[]
  f: number
}

function viewOf(record: CertificateRecord): CertificateView {
  const { certificate } = record
  const missing = Math.max(0, quorumThreshold(certificate.f) - certificate.signatures.length)
  return {
    id: record.id,
    createdBy: record.createdBy,
    createdAt: new Date(record.createdAtMs).toISOString(),
    certified: missing === 0,
    missing,
    certificate,
  }
}

const mayPropose = (caller: Caller): boolean =>
  caller.roles.includes('admin') || caller.roles.includes('validator')

/**
 * Quorum certificates the node collects: an admin or a validator proposes a decision with a set of
 * the node's validators; each named validator signs the statement with its own key; once 2f+1
 * have, the certificate stands on its own and anyone checks it offline. Only the proposer, an
 * admin and the named validators read a certificate; every step is audited.
 */
export class CertificateService {
  readonly #store: CertificateStore
  readonly #principals: PrincipalStore
  readonly #audit: AuditSink
  readonly #clock: Clock
  readonly #random: Random
  readonly #tasks: Pick<TaskStore, 'get'>

  constructor(deps: {
    store: CertificateStore
    principals: PrincipalStore
    tasks: Pick<TaskStore, 'get'>
    audit: AuditSink
    clock: Clock
    random: Random
  }) {
    this.#store = deps.store
    this.#principals = deps.principals
    this.#audit = deps.audit
    this.#clock = deps.clock
    this.#random = deps.random
    this.#tasks = deps.tasks
  }

  /** Opens a certificate for `proposal`; every named validator must hold the validator role here. */
  async create(caller: Caller, proposal: CertificateProposal): Promise<CertificateView> {
    if (!mayPropose(caller)) {
      throw new MeshError('FORBIDDEN', 'Only an admin or a validator proposes a certificate')
    }
    const certificate = createCertificate(proposal.decision, proposal.validators, proposal.f)
    await this.#checkDispute(proposal.decision)
    for (const did of certificate.validators) {
      const principal = await this.#principals.get(did)
      if (!principal?.roles.includes('validator')) {
        throw new MeshError('CERTIFICATE_INVALID', `"${did}" is not a validator of this node`)
      }
    }
    const record: CertificateRecord = {
      id: newId('cert', this.#clock, this.#random),
      createdBy: caller.did,
      createdAtMs: this.#clock.now(),
      certificate,
    }
    await this.#store.insert(record)
    await this.#audit.record({
      actor: caller.did,
      action: 'certificate.create',
      resource: `certificate:${record.id}`,
      result: 'ok',
      details: { n: certificate.validators.length, f: certificate.f },
    })
    return viewOf(record)
  }

  /** Adds the caller's own signature (base64url Ed25519 over the certificate's statement). */
  async sign(caller: Caller, id: string, signature: string): Promise<CertificateView> {
    const record = await this.#readable(caller, id)
    const entry = { signer: caller.did, signature }
    if (!record.certificate.validators.includes(caller.did)) {
      throw new MeshError('FORBIDDEN', `"${caller.did}" is not a validator of certificate "${id}"`)
    }
    const certificate = addSignature(record.certificate, entry)
    if (!(await this.#store.addSignature(id, entry, this.#clock.now()))) {
      throw new MeshError('CERTIFICATE_ALREADY_SIGNED', `"${caller.did}" has signed already`)
    }
    await this.#audit.record({
      actor: caller.did,
      action: 'certificate.sign',
      resource: `certificate:${id}`,
      result: 'ok',
      details: { signatures: certificate.signatures.length },
    })
    return viewOf({ ...record, certificate })
  }

  /** A certificate the caller may read: its proposer, an admin or one of its validators. */
  async get(caller: Caller, id: string): Promise<CertificateView> {
    return viewOf(await this.#readable(caller, id))
  }

  /**
   * A decision `{kind: "task-dispute", taskId, …}` settles a dispute: the task must exist here and
   * have ended `disputed`, so a certificate never names a dispute that did not happen.
   */
  async #checkDispute(decision: unknown): Promise<void> {
    const { kind, taskId } = (decision ?? {}) as { kind?: unknown; taskId?: unknown }
    if (kind !== 'task-dispute') return
    const task = typeof taskId === 'string' ? await this.#tasks.get(taskId) : undefined
    if (task?.state !== 'disputed') {
      throw new MeshError(
        'CERTIFICATE_INVALID',
        `Decision names task "${String(taskId)}", which is not a disputed task of this node`,
      )
    }
  }

  async #readable(caller: Caller, id: string): Promise<CertificateRecord> {
    const record = await this.#store.get(id)
    const allowed =
      record &&
      (record.createdBy === caller.did ||
        caller.roles.includes('admin') ||
        record.certificate.validators.includes(caller.did))
    if (!allowed) throw new MeshError('CERTIFICATE_NOT_FOUND', `No certificate "${id}" to read`)
    return record
  }
}
