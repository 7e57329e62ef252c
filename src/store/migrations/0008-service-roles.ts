import { sql } from 'kysely';
import type { Migration } from './migration.js';

/**
 * Keys scoped to services (product.md §16): the services a request chose and a key holds, and the
 * custom roles Keyhouse made for them (core/model.ts: `ServiceRoleRecord`), so two requests for
 * one set make one role across replicas and an unused one is deleted once.
 */
export const serviceRoles: Migration = {
  version: 8,
  name: 'services chosen by requests and held by keys; the custom roles Keyhouse made',
  async up(db, { schema: d }) {
    await db.schema.alterTable('requests').addColumn('services', d.json, d.jsonColumn('services')).execute();
    await db.schema
      .alterTable('key_owners')
      .addColumn('services', d.json, d.jsonColumn('services'))
      .execute();
    await d
      .table(
        db.schema
          .createTable('service_roles')
          // `keyhouse:<policy role>:<short hash>`, the role's name in ClickHouse.
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('policy_role_id', 'text', (c) => c.notNull())
          .addColumn('access', 'text', (c) =>
            c.notNull().check(sql`access IN ('read', 'manage', 'query-endpoints')`),
          )
          .addColumn('service_ids', d.json, d.jsonColumn('service_ids', true))
          .addColumn('clickhouse_role_id', 'text')
          .addColumn('state', 'text', (c) => c.notNull().check(sql`state IN ('making', 'ready', 'deleting')`))
          .addColumn('holder', 'text', (c) => c.notNull())
          .addColumn('unused_since', d.timestamp)
          .addColumn('updated_at', d.timestamp, (c) => c.notNull()),
      )
      .execute();
  },
};
