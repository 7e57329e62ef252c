import { sql } from 'kysely';
import type { Migration } from './migration.js';

const STATES = "('pending', 'approved', 'creating', 'delivered', 'denied', 'expired')";

/**
 * Requests, decisions, key owners, the audit log, message refs and leases. Timestamps are epoch
 * milliseconds in SQLite and `timestamptz` in PostgreSQL; JSON is text in SQLite and `jsonb` in
 * PostgreSQL. `audit_events` is append-only: the database refuses every UPDATE and DELETE, so not
 * even a bug in Keyhouse can rewrite history (product.md §4).
 */
export const initialSchema: Migration = {
  version: 1,
  name: 'initial schema',
  async up(db, { schema: d }) {
    await d
      .table(
        db.schema
          .createTable('requests')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('create', 'change')`))
          .addColumn('requester_id', 'text', (c) => c.notNull())
          .addColumn('key_name', 'text', (c) => c.notNull())
          .addColumn('role_id', 'text', (c) => c.notNull())
          .addColumn('expiry', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('ip_access_list', d.json, (c) => d.jsonColumn('ip_access_list', true)(c.notNull()))
          .addColumn('approvals_required', 'integer', (c) => c.notNull().check(sql`approvals_required >= 0`))
          .addColumn('state', 'text', (c) => c.notNull().check(sql.raw(`state IN ${STATES}`)))
          .addColumn('created_at', d.timestamp, (c) => c.notNull())
          .addColumn('updated_at', d.timestamp, (c) => c.notNull())
          .addColumn('deadline', d.timestamp)
          .addColumn('decided_at', d.timestamp)
          .addColumn('key_id', 'text')
          .addColumn('key_suffix', 'text')
          .addColumn('attempt_id', 'text')
          .addColumn('attempt_started_at', d.timestamp)
          .addColumn('change', d.json, d.jsonColumn('change')),
      )
      .execute();
    await db.schema
      .createIndex('requests_state_deadline')
      .on('requests')
      .columns(['state', 'deadline'])
      .execute();
    await db.schema.createIndex('requests_requester').on('requests').column('requester_id').execute();

    await d
      .table(
        db.schema
          .createTable('decisions')
          .addColumn('id', d.bigint, d.rowNumber(false))
          .addColumn('request_id', 'text', (c) => c.notNull().references('requests.id'))
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('decision', 'text', (c) => c.notNull().check(sql`decision IN ('approve', 'deny')`))
          .addColumn('reason', 'text')
          .addColumn('at', d.timestamp, (c) => c.notNull())
          // PostgreSQL's own name for it, as the released schema got it unnamed.
          .addUniqueConstraint('decisions_request_id_user_id_decision_key', [
            'request_id',
            'user_id',
            'decision',
          ]),
      )
      .execute();

    await d
      .table(
        db.schema
          .createTable('key_owners')
          .addColumn('key_id', 'text', (c) => c.primaryKey())
          .addColumn('owner_id', 'text', (c) => c.notNull())
          .addColumn('request_id', 'text')
          .addColumn('key_name', 'text', (c) => c.notNull())
          .addColumn('key_suffix', 'text', (c) => c.notNull())
          .addColumn('created_at', d.timestamp, (c) => c.notNull()),
      )
      .execute();
    await db.schema.createIndex('key_owners_owner').on('key_owners').column('owner_id').execute();

    await d
      .table(
        db.schema
          .createTable('audit_events')
          .addColumn('seq', d.bigint, d.rowNumber(true))
          .addColumn('at', d.timestamp, (c) => c.notNull())
          .addColumn('actor_id', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('outcome', 'text', (c) =>
            c.notNull().check(sql`outcome IN ('attempt', 'ok', 'failed', 'refused')`),
          )
          .addColumn('request_id', 'text')
          .addColumn('key_id', 'text')
          .addColumn('key_name', 'text')
          .addColumn('key_suffix', 'text')
          .addColumn('upstream_request_id', 'text')
          .addColumn('detail', d.json, d.jsonColumn('detail')),
      )
      .execute();
    await db.schema.createIndex('audit_events_request').on('audit_events').column('request_id').execute();
    await db.schema.createIndex('audit_events_key').on('audit_events').column('key_id').execute();
    await d.guardAuditLog(db);

    await d
      .table(
        db.schema
          .createTable('message_refs')
          .addColumn('request_id', 'text', (c) => c.notNull().references('requests.id'))
          .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('approval', 'dm')`))
          .addColumn('channel', 'text', (c) => c.notNull())
          .addColumn('ts', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('message_refs_pkey', ['request_id', 'kind']),
      )
      .execute();

    await d
      .table(
        db.schema
          .createTable('leases')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('holder', 'text', (c) => c.notNull())
          .addColumn('expires_at', d.timestamp, (c) => c.notNull()),
      )
      .execute();
  },
};
