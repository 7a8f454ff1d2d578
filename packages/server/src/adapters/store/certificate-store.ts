import type { CertificateSignature } from '@agentmesh/protocol'
import type { Kysely } from 'kysely'
import type {
  CertificateRecord,
  CertificateStore,
} from '../../core/certificates/certificate-store.js'
import { toMs, type Database } from './database.js'

/** Certificates in one table (decision and validators as JSON text), signatures in another. */
export class KyselyCertificateStore implements CertificateStore {
  constructor(readonly db: Kysely<Database>) {}

  async insert(record: CertificateRecord): Promise<void> {
    const { certificate } = record
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('certificates')
        .values({
          id: record.id,
          created_by: record.createdBy,
          created_at: record.createdAtMs,
          decision: JSON.stringify(certificate.decision),
          validators: JSON.stringify(certificate.validators),
          f: certificate.f,
        })
        .execute()
      for (const [i, entry] of certificate.signatures.entries()) {
        await tx
          .insertInto('certificate_signatures')
          .values({ certificate_id: record.id, ...entry, signed_at: record.createdAtMs + i })
          .execute()
      }
    })
  }

  async get(id: string): Promise<CertificateRecord | undefined> {
    const row = await this.db
      .selectFrom('certificates')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    if (!row) return undefined
    const signatures = await this.db
      .selectFrom('certificate_signatures')
      .select(['signer', 'signature'])
      .where('certificate_id', '=', id)
      .orderBy('signed_at')
      .orderBy('signer')
      .execute()
    return {
      id,
      createdBy: row.created_by,
      createdAtMs: toMs(row.created_at),
      certificate: {
        decision: JSON.parse(row.decision) as unknown,
        validators: JSON.parse(row.validators) as string[],
        f: Number(row.f),
        signatures,
      },
    }
  }

  async addSignature(id: string, entry: CertificateSignature, atMs: number): Promise<boolean> {
    const result = await this.db
      .insertInto('certificate_signatures')
      .values({
        certificate_id: id,
        signer: entry.signer,
        signature: entry.signature,
        signed_at: atMs,
      })
      .onConflict((oc) => oc.columns(['certificate_id', 'signer']).doNothing())
      .executeTakeFirst()
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0
  }
}
