import type { Role } from '@agentmesh/protocol'
import type { Kysely } from 'kysely'
import type {
  Nonce,
  NonceStore,
  Principal,
  PrincipalStore,
  Session,
  SessionStore,
} from '../../core/auth/auth-store.js'
import { toMs, toMsOrNull, type Database } from './database.js'
import { Prepared, type Param } from './prepared.js'

export class KyselyPrincipalStore implements PrincipalStore {
  // Read on every authenticated request.
  readonly #get = new Prepared((p: Param<{ did: string }>) =>
    this.db.selectFrom('principals').selectAll().where('did', '=', p('did')),
  )

  constructor(readonly db: Kysely<Database>) {}

  async get(did: string): Promise<Principal | undefined> {
    const row = await this.#get.first(this.db, { did })
    if (!row) return undefined
    return {
      did: row.did,
      roles: JSON.parse(row.roles) as Role[],
      createdAtMs: toMs(row.created_at),
    }
  }

  async put(principal: Principal): Promise<void> {
    const roles = JSON.stringify(principal.roles)
    await this.db
      .insertInto('principals')
      .values({ did: principal.did, roles, created_at: principal.createdAtMs })
      .onConflict((oc) => oc.column('did').doUpdateSet({ roles }))
      .execute()
  }

  async delete(did: string): Promise<boolean> {
    const result = await this.db.deleteFrom('principals').where('did', '=', did).executeTakeFirst()
    return result.numDeletedRows > 0n
  }
}

export class KyselySessionStore implements SessionStore {
  // Read on every authenticated request.
  readonly #get = new Prepared((p: Param<{ tokenHash: string }>) =>
    this.db.selectFrom('sessions').selectAll().where('token_hash', '=', p('tokenHash')),
  )

  constructor(readonly db: Kysely<Database>) {}

  async insert(session: Session): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({
        token_hash: session.tokenHash,
        did: session.did,
        created_at: session.createdAtMs,
        expires_at: session.expiresAtMs,
        revoked_at: session.revokedAtMs,
      })
      .execute()
  }

  async get(tokenHash: string): Promise<Session | undefined> {
    const row = await this.#get.first(this.db, { tokenHash })
    if (!row) return undefined
    return {
      tokenHash: row.token_hash,
      did: row.did,
      createdAtMs: toMs(row.created_at),
      expiresAtMs: toMsOrNull(row.expires_at),
      revokedAtMs: toMsOrNull(row.revoked_at),
    }
  }

  async revoke(tokenHash: string, atMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('sessions')
      .set({ revoked_at: atMs })
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    return result.numUpdatedRows > 0n
  }

  async revokeAll(did: string, atMs: number): Promise<number> {
    const result = await this.db
      .updateTable('sessions')
      .set({ revoked_at: atMs })
      .where('did', '=', did)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    return Number(result.numUpdatedRows)
  }
}

export class KyselyNonceStore implements NonceStore {
  constructor(readonly db: Kysely<Database>) {}

  async insert(nonce: Nonce): Promise<void> {
    await this.db
      .insertInto('nonces')
      .values({ nonce: nonce.nonce, did: nonce.did, expires_at: nonce.expiresAtMs })
      .execute()
  }

  async take(nonce: string): Promise<Nonce | undefined> {
    const row = await this.db
      .deleteFrom('nonces')
      .where('nonce', '=', nonce)
      .returningAll()
      .executeTakeFirst()
    return row && { nonce: row.nonce, did: row.did, expiresAtMs: toMs(row.expires_at) }
  }

  async deleteExpired(nowMs: number): Promise<number> {
    const result = await this.db
      .deleteFrom('nonces')
      .where('expires_at', '<=', nowMs)
      .executeTakeFirst()
    return Number(result.numDeletedRows)
  }
}
