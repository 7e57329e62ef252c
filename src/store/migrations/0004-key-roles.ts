import { sql } from 'kysely';
import type { Migration } from './migration.js';

/** The policy role each key was approved under, so authority never comes from ClickHouse's roles. */
export const keyRoles: Migration = {
  version: 4,
  name: 'key owners remember the policy role the key was approved under',
  async up(db) {
    await db.schema.alterTable('key_owners').addColumn('role_id', 'text').execute();
    // Existing keys: the role of the last applied change to the key, else of the request that made it.
    await sql`UPDATE key_owners SET role_id = COALESCE(
  (SELECT c.role_id FROM requests c
    WHERE c.kind = 'change' AND c.key_id = key_owners.key_id AND c.state = 'delivered'
    ORDER BY c.updated_at DESC LIMIT 1),
  (SELECT r.role_id FROM requests r WHERE r.id = key_owners.request_id))`.execute(db);
  },
};
