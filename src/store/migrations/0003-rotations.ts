import { sql } from 'kysely';
import type { Migration } from './migration.js';

/** The key a rotation request replaces, and where each rotated key is on its way out. */
export const rotations: Migration = {
  version: 3,
  name: 'lifecycle flows: rotations and retirements',
  async up(db, { schema: d }) {
    await db.schema.alterTable('requests').addColumn('rotation', d.json, d.jsonColumn('rotation')).execute();
    await d
      .table(
        db.schema
          .createTable('retirements')
          .addColumn('key_id', 'text', (c) => c.primaryKey())
          .addColumn('key_name', 'text', (c) => c.notNull())
          .addColumn('key_suffix', 'text', (c) => c.notNull())
          .addColumn('owner_id', 'text')
          .addColumn('request_id', 'text', (c) => c.notNull().references('requests.id'))
          .addColumn('successor_key_id', 'text', (c) => c.notNull())
          .addColumn('successor_suffix', 'text', (c) => c.notNull())
          .addColumn('retire_at', d.timestamp, (c) => c.notNull())
          .addColumn('stage', 'text', (c) =>
            c.notNull().check(sql`stage IN ('retiring', 'disabled', 'deleted')`),
          )
          .addColumn('updated_at', d.timestamp, (c) => c.notNull()),
      )
      .execute();
    await db.schema
      .createIndex('retirements_stage_due')
      .on('retirements')
      .columns(['stage', 'retire_at'])
      .execute();
  },
};
