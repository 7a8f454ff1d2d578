import type { Kysely } from 'kysely'
import type { Permission, PermissionStore } from '../../core/auth/auth-store.js'
import { toMs, toMsOrNull, type Database } from './database.js'

type Row = Database['permissions']

function fromRow(row: Row): Permission {
  return {
    id: row.id,
    did: row.did,
    resource: row.resource,
    action: row.action,
    scope: JSON.parse(row.scope) as Record<string, string>,
    expiresAtMs: toMsOrNull(row.expires_at),
    grantedBy: row.granted_by,
    grantedAtMs: toMs(row.granted_at),
  }
}

/** Permissions in one table, the scope as JSON text. */
export class KyselyPermissionStore implements PermissionStore {
  constructor(readonly db: Kysely<Database>) {}

  async insert(permission: Permission): Promise<void> {
    await this.db
      .insertInto('permissions')
      .values({
        id: permission.id,
        did: permission.did,
        resource: permission.resource,
        action: permission.action,
        scope: JSON.stringify(permission.scope),
        expires_at: permission.expiresAtMs,
        granted_by: permission.grantedBy,
        granted_at: permission.grantedAtMs,
      })
      .execute()
  }

  async list(did: string): Promise<Permission[]> {
    const rows = await this.db
      .selectFrom('permissions')
      .selectAll()
      .where('did', '=', did)
      .orderBy('granted_at')
      .orderBy('id')
      .execute()
    return rows.map(fromRow)
  }

  async delete(did: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('permissions')
      .where('did', '=', did)
      .where('id', '=', id)
      .executeTakeFirst()
    return result.numDeletedRows > 0n
  }

  async deleteAll(did: string): Promise<void> {
    await this.db.deleteFrom('permissions').where('did', '=', did).execute()
  }
}
