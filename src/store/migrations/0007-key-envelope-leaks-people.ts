import { sql } from 'kysely';
import type { Migration } from './migration.js';

/**
 * A key's approved envelope and its leak mark, and what Slack last said of each person
 * (core/model.ts: `KeyOwner.approvedUntil`, `KeyOwner.leak`, `PersonRecord`).
 */
export const keyEnvelopeLeaksPeople: Migration = {
  version: 7,
  name: 'key owners keep their approved envelope and leak mark; people',
  async up(db, { schema: d }) {
    // The envelope's end; `approved_forever` says `never`; neither, unknown (keys from before).
    await db.schema.alterTable('key_owners').addColumn('approved_until', d.timestamp).execute();
    await db.schema
      .alterTable('key_owners')
      .addColumn('approved_forever', 'integer', (c) =>
        c.notNull().defaultTo(0).check(sql`approved_forever IN (0, 1)`),
      )
      .execute();
    await db.schema.alterTable('key_owners').addColumn('leak_at', d.timestamp).execute();
    await db.schema
      .alterTable('key_owners')
      .addColumn('leak_source', 'text', (c) =>
        c.check(sql`leak_source IS NULL OR leak_source IN ('slack', 'github', 'report')`),
      )
      .execute();

    await d
      .table(
        db.schema
          .createTable('people')
          .addColumn('user_id', 'text', (c) => c.primaryKey())
          .addColumn('status', 'text', (c) => c.notNull().check(sql`status IN ('active', 'deactivated')`))
          .addColumn('changed_at', d.timestamp, (c) => c.notNull())
          .addColumn('deactivations', 'integer', (c) => c.notNull().check(sql`deactivations >= 0`)),
      )
      .execute();
    await db.schema.createIndex('people_status').on('people').column('status').execute();
  },
};
