import { sql } from 'kysely';
import type { Migration } from './migration.js';

/** One mark per timed action (rule, subject, threshold), claimed once across restarts and replicas. */
export const timerMarks: Migration = {
  version: 5,
  name: 'lifecycle timers',
  async up(db, { schema: d }) {
    await d
      .table(
        db.schema
          .createTable('timer_marks')
          .addColumn('rule', 'text', (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('threshold', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull().check(sql`state IN ('claimed', 'done', 'failed')`))
          .addColumn('holder', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().check(sql`attempts >= 1`))
          .addColumn('due_at', d.timestamp, (c) => c.notNull())
          .addColumn('claimed_at', d.timestamp, (c) => c.notNull())
          .addColumn('settled_at', d.timestamp)
          .addColumn('detail', d.json, d.jsonColumn('detail'))
          .addPrimaryKeyConstraint('timer_marks_pkey', ['rule', 'subject', 'threshold']),
      )
      .execute();
    await db.schema.createIndex('timer_marks_subject').on('timer_marks').column('subject').execute();
  },
};
