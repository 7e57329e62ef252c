import { sql } from 'kysely';
import type { Migration } from './migration.js';

/** The audit hash chain, key fingerprints, and what the drift watch keeps across restarts. */
export const securityWatch: Migration = {
  version: 2,
  name: 'security watch: audit hash chain, key fingerprints, drift cursor',
  async up(db, { schema: d }) {
    await db.schema.alterTable('audit_events').addColumn('prev_hash', 'text').execute();
    await db.schema.alterTable('audit_events').addColumn('hash', 'text').execute();
    await db.schema.createIndex('audit_events_actor').on('audit_events').column('actor_id').execute();
    // The chain's head: appends read and move it inside their write transaction, so they form one
    // chain however many writers there are. (`legacy_through` marked the events from before the
    // chain, left unhashed; migration 6 links them in and drops it.)
    await d
      .table(
        db.schema
          .createTable('audit_chain')
          .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
          .addColumn('legacy_through', d.bigint, (c) => c.notNull())
          .addColumn('head_seq', d.bigint)
          .addColumn('head_hash', 'text'),
      )
      .execute();
    await sql`INSERT INTO audit_chain (id, legacy_through) SELECT 1, COALESCE(MAX(seq), 0) FROM audit_events`.execute(
      db,
    );

    // SHA-256 (base64) of a key's secret, computed in memory at creation; never the secret itself.
    await db.schema.alterTable('key_owners').addColumn('fingerprint', 'text').execute();
    await db.schema.createIndex('key_owners_fingerprint').on('key_owners').column('fingerprint').execute();

    // Small named values the watch keeps across restarts (the activities cursor).
    await d
      .table(
        db.schema
          .createTable('watch_state')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .addColumn('updated_at', d.timestamp, (c) => c.notNull()),
      )
      .execute();
    // One row per ClickHouse activity already reported, so no replica reports it twice.
    await d
      .table(
        db.schema
          .createTable('watch_seen')
          .addColumn('activity_id', 'text', (c) => c.primaryKey())
          .addColumn('seen_at', d.timestamp, (c) => c.notNull()),
      )
      .execute();
  },
};
