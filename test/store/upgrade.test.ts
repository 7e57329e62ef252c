/**
 * Deployments have SQLite files and PostgreSQL schemas made by the released migrations (frozen in
 * fixtures/released-migrations.ts). The single store layer must upgrade them in place, continuing
 * their `schema_migrations` sequence, and read every row they hold through the store's methods;
 * and a database it builds fresh must be the very schema an upgraded one has.
 */
import { describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/audit/verify.js';
import { CHAIN_LINKED_ACTION } from '../../src/core/audit-chain.js';
import type { KeyRequest } from '../../src/core/model.js';
import { openStore } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { pgUrl } from '../support/postgres.js';
import {
  applyReleased,
  databasePerTest,
  type RawDatabase,
  type ReleasedEvent,
  rawBackends,
  rawPostgres,
  rawSqlite,
  writeChained,
  writeUnchained,
} from './fixtures/released.js';

const T0 = new Date('2026-02-01T09:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const KEY = '4b6c1a52-5b2e-4b8e-9d3e-0f7e8d6c5b4a';
const NEW_KEY = '9a8b7c6d-1e2f-4a3b-8c4d-5e6f7a8b9c0d';

/** Events of the released shapes: two from before the chain, three chained by the released store. */
const unchained: ReleasedEvent[] = [
  { at: at(0), actorId: 'U0ALICE', action: 'request.submitted', outcome: 'ok', requestId: 'req-made' },
  {
    at: at(1),
    actorId: 'U0BOB',
    action: 'request.approved',
    outcome: 'ok',
    requestId: 'req-made',
    detail: { approvals: 1, of: 1 },
  },
];
const chained: ReleasedEvent[] = [
  {
    at: at(2),
    actorId: 'U0ALICE',
    action: 'key.create',
    outcome: 'attempt',
    requestId: 'req-made',
    keyName: 'etl-loader',
  },
  {
    at: at(3),
    actorId: 'U0ALICE',
    action: 'key.create',
    outcome: 'ok',
    requestId: 'req-made',
    keyId: KEY,
    keyName: 'etl-loader',
    keySuffix: '5b4a',
    upstreamRequestId: 'ch-req-1',
    detail: { role: 'developer', nested: { z: [1, 'two'], a: null } },
  },
  {
    at: at(4),
    actorId: 'system',
    action: 'timer.expiry.warning',
    outcome: 'ok',
    keyId: KEY,
    detail: { n: 1.5 },
  },
];

/** A released database with rows of every table, written as the released store wrote them. */
async function releasedDatabase(raw: RawDatabase): Promise<void> {
  const { time, json } = raw;
  await applyReleased(raw, 1);
  for (const event of unchained) await writeUnchained(raw, event);
  const ips = json([{ source: '10.0.0.0/8', description: 'office' }]);
  await raw.exec(`
    INSERT INTO requests (id, kind, requester_id, key_name, role_id, expiry, reason, ip_access_list,
      approvals_required, state, created_at, updated_at, deadline, decided_at, key_id, key_suffix)
    VALUES ('req-made', 'create', 'U0ALICE', 'etl-loader', 'developer', '30d', 'nightly ETL', ${ips},
      1, 'delivered', ${time(at(0))}, ${time(at(3))}, NULL, ${time(at(1))}, '${KEY}', '5b4a');
    INSERT INTO requests (id, kind, requester_id, key_name, role_id, expiry, reason, ip_access_list,
      approvals_required, state, created_at, updated_at, deadline, decided_at, key_id, key_suffix, change)
    VALUES ('req-change', 'change', 'U0ALICE', 'etl-loader', 'admin', '7d', 'one-off backfill', ${ips},
      2, 'delivered', ${time(at(5))}, ${time(at(6))}, NULL, ${time(at(6))}, '${KEY}', '5b4a',
      ${json({ keyId: KEY, keySuffix: '5b4a', from: { roleId: 'developer', expireAt: null }, to: { roleId: 'admin', expiry: '7d' } })});
    INSERT INTO decisions (request_id, user_id, decision, reason, at)
      VALUES ('req-made', 'U0BOB', 'approve', NULL, ${time(at(1))});
    INSERT INTO key_owners (key_id, owner_id, request_id, key_name, key_suffix, created_at)
      VALUES ('${KEY}', 'U0ALICE', 'req-made', 'etl-loader', '5b4a', ${time(at(3))});
    INSERT INTO message_refs (request_id, kind, channel, ts) VALUES ('req-made', 'approval', 'C0APPROVALS', '1700000000.000100');
    INSERT INTO leases (name, holder, expires_at) VALUES ('timers', 'replica-old', ${time(at(60))});
  `);
  await applyReleased(raw, 5);
  for (const event of chained) await writeChained(raw, event);
  await raw.exec(`
    INSERT INTO requests (id, kind, requester_id, key_name, role_id, expiry, reason, ip_access_list,
      approvals_required, state, created_at, updated_at, deadline, decided_at, key_id, key_suffix, rotation)
    VALUES ('req-rotate', 'create', 'U0ALICE', 'etl-loader', 'admin', '7d', 'rotation', ${ips},
      0, 'delivered', ${time(at(7))}, ${time(at(8))}, NULL, ${time(at(7))}, '${NEW_KEY}', '9c0d',
      ${json({ keyId: KEY, keySuffix: '5b4a', overlapMs: 3_600_000 })});
    INSERT INTO key_owners (key_id, owner_id, request_id, key_name, key_suffix, created_at, role_id, fingerprint)
      VALUES ('${NEW_KEY}', 'U0ALICE', 'req-rotate', 'etl-loader', '9c0d', ${time(at(8))}, 'admin', 'ZmluZ2VycHJpbnQ=');
    INSERT INTO retirements (key_id, key_name, key_suffix, owner_id, request_id, successor_key_id, successor_suffix,
      retire_at, stage, updated_at)
      VALUES ('${KEY}', 'etl-loader', '5b4a', 'U0ALICE', 'req-rotate', '${NEW_KEY}', '9c0d', ${time(at(68))}, 'retiring', ${time(at(8))});
    INSERT INTO watch_state (name, value, updated_at) VALUES ('drift.cursor', '2026-02-01T09:00:00.000Z', ${time(at(9))});
    INSERT INTO watch_seen (activity_id, seen_at) VALUES ('activity-1', ${time(at(9))});
    INSERT INTO timer_marks (rule, subject, threshold, state, holder, attempts, due_at, claimed_at, settled_at, detail)
      VALUES ('expiry.warning', '${KEY}', '86400000', 'done', 'replica-old', 1, ${time(at(4))}, ${time(at(4))},
        ${time(at(4))}, ${json({ sent: 1 })});
  `);
}

describe.each(rawBackends())('a released database on $name', ({ make }) => {
  const database = databasePerTest(make);
  const open = () => database.open();
  let raw: RawDatabase;

  it('upgrades in place, continuing schema_migrations, and reads every row back through the store', async () => {
    raw = await database.make();
    await releasedDatabase(raw);
    const store = await open();

    const versions = await raw.query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    expect(versions.map((v) => Number(v.version))).toEqual(MIGRATIONS.map((m) => m.version));
    expect(Math.min(...MIGRATIONS.filter((m) => m.version > 5).map((m) => m.version))).toBe(6);

    const made: KeyRequest = {
      id: 'req-made',
      kind: 'create',
      requesterId: 'U0ALICE',
      keyName: 'etl-loader',
      roleId: 'developer',
      expiry: '30d',
      reason: 'nightly ETL',
      ipAccessList: [{ source: '10.0.0.0/8', description: 'office' }],
      approvalsRequired: 1,
      state: 'delivered',
      createdAt: at(0),
      updatedAt: at(3),
      deadline: null,
      decidedAt: at(1),
      keyId: KEY,
      keySuffix: '5b4a',
      attemptId: null,
      attemptStartedAt: null,
      change: null,
      rotation: null,
      services: null,
    };
    expect(await store.getRequest('req-made')).toStrictEqual(made);
    expect((await store.getRequest('req-change'))?.change).toStrictEqual({
      keyId: KEY,
      keySuffix: '5b4a',
      from: { roleId: 'developer', expireAt: null },
      to: { roleId: 'admin', expiry: '7d' },
    });
    expect((await store.getRequest('req-rotate'))?.rotation).toStrictEqual({
      keyId: KEY,
      keySuffix: '5b4a',
      overlapMs: 3_600_000,
    });
    expect((await store.listRequests({ states: ['delivered'] })).map((r) => r.id)).toEqual([
      'req-made',
      'req-change',
      'req-rotate',
    ]);
    expect(await store.listDecisions('req-made')).toStrictEqual([
      { requestId: 'req-made', userId: 'U0BOB', decision: 'approve', reason: null, at: at(1) },
    ]);

    // Released migration 4 gave the old key the role of its last applied change.
    expect(await store.getKeyOwner(KEY)).toStrictEqual({
      keyId: KEY,
      ownerId: 'U0ALICE',
      requestId: 'req-made',
      keyName: 'etl-loader',
      keySuffix: '5b4a',
      createdAt: at(3),
      roleId: 'admin',
      hasFingerprint: false,
      approvedUntil: null,
      leak: null,
    });
    expect((await store.findKeyOwnerByFingerprint('ZmluZ2VycHJpbnQ='))?.keyId).toBe(NEW_KEY);
    expect((await store.listKeyOwners('U0ALICE')).map((o) => o.keyId)).toEqual([KEY, NEW_KEY]);
    expect(await store.getMessageRefs('req-made')).toStrictEqual([
      { requestId: 'req-made', kind: 'approval', channel: 'C0APPROVALS', ts: '1700000000.000100' },
    ]);
    expect(await store.getRetirement(KEY)).toMatchObject({
      stage: 'retiring',
      retireAt: at(68),
      successorKeyId: NEW_KEY,
    });
    expect(await store.getWatchState('drift.cursor')).toBe('2026-02-01T09:00:00.000Z');
    expect(await store.claimActivity('activity-1', at(10))).toBe(false);
    expect(await store.listTimerMarks()).toStrictEqual([
      {
        rule: 'expiry.warning',
        subject: KEY,
        threshold: '86400000',
        state: 'done',
        holder: 'replica-old',
        attempts: 1,
        dueAt: at(4),
        claimedAt: at(4),
        settledAt: at(4),
        detail: { sent: 1 },
      },
    ]);
    expect(await store.tryLease('timers', 'replica-new', 60_000, at(30))).toBe(false);
    expect(await store.countRequestsByState()).toMatchObject({ delivered: 3, pending: 0 });

    // Every event is in the chain now, the two from before it included, and says what it said.
    const events = await store.listAudit();
    expect(events.map((e) => e.action)).toEqual([
      ...[...unchained, ...chained].map((e) => e.action),
      CHAIN_LINKED_ACTION,
    ]);
    for (const [i, event] of [...unchained, ...chained].entries()) {
      expect(events[i]).toMatchObject({
        ...event,
        requestId: event.requestId ?? null,
        keyId: event.keyId ?? null,
        detail: event.detail ?? null,
      });
    }
    expect(events[0]!.prevHash).toBeNull();
    for (let i = 1; i < events.length; i++) expect(events[i]!.prevHash).toBe(events[i - 1]!.hash);
    expect(events.at(-1)).toMatchObject({
      actorId: 'system',
      outcome: 'ok',
      detail: { events: 5, unchained: 2, previousHead: { seq: events[4]!.seq, hash: expect.any(String) } },
    });
    expect(await verifyAudit(store)).toStrictEqual({ ok: true, events: 6 });

    // The new store writes on: the next event follows the record, and the whole chain verifies.
    const next = await store.appendAudit({
      at: at(20),
      actorId: 'U0ALICE',
      action: 'key.list',
      outcome: 'ok',
    });
    expect(next).toMatchObject({ seq: events.at(-1)!.seq + 1, prevHash: events.at(-1)!.hash });
    expect(await verifyAudit(store)).toStrictEqual({ ok: true, events: 7 });
  });

  it('builds fresh the very schema it upgrades a released database to', async () => {
    raw = await database.make();
    await applyReleased(raw, 5);
    await open();
    const fresh = raw.backend === 'sqlite' ? rawSqlite() : await rawPostgres(pgUrl!);
    try {
      const store = await openStore(fresh.url, fresh.options);
      await store.close();
      const [upgraded, built] = [await describeSchema(raw), await describeSchema(fresh)];
      expect(built).toEqual(upgraded);
      // Not a vacuous comparison: the tables and the append-only guard are there.
      expect(built.join('\n')).toMatch(/people/);
      expect(built.join('\n')).toMatch(/append-only/);
    } finally {
      await fresh.drop();
    }
  });
});

/** The schema as the database itself describes it, without names that differ per test (the schema's). */
async function describeSchema(raw: RawDatabase): Promise<string[]> {
  if (raw.backend === 'sqlite') {
    const rows = await raw.query<{ type: string; name: string; sql: string | null }>(
      "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
    );
    return rows.map((row) => `${row.type} ${row.name}: ${normalSql(row.sql ?? '')}`);
  }
  const schema = raw.options.schema!;
  const parts = await Promise.all([
    raw.query<
      Record<string, unknown>
    >(`SELECT table_name, ordinal_position, column_name, data_type, is_nullable,
        column_default, is_identity, identity_generation
      FROM information_schema.columns WHERE table_schema = '${schema}' ORDER BY table_name, ordinal_position`),
    raw.query<
      Record<string, unknown>
    >(`SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def
      FROM pg_constraint WHERE connamespace = '${schema}'::regnamespace ORDER BY 1, 2`),
    raw.query<Record<string, unknown>>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = '${schema}' ORDER BY indexname`,
    ),
    raw.query<Record<string, unknown>>(`SELECT t.tgname, t.tgenabled, pg_get_triggerdef(t.oid) AS def
      FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE c.relnamespace = '${schema}'::regnamespace AND NOT t.tgisinternal ORDER BY t.tgname`),
    raw.query<Record<string, unknown>>(
      `SELECT proname, prosrc FROM pg_proc WHERE pronamespace = '${schema}'::regnamespace ORDER BY proname`,
    ),
    raw.query<Record<string, unknown>>(
      `SELECT sequencename FROM pg_sequences WHERE schemaname = '${schema}' ORDER BY sequencename`,
    ),
  ]);
  return parts.flat().map((row) => JSON.stringify(row).replaceAll(schema, '<schema>'));
}

/**
 * SQLite keeps each CREATE statement's text: quoting, case, spacing and a constraint's name differ
 * between the released SQL and Kysely's, nothing else may.
 */
function normalSql(text: string): string {
  return text
    .toLowerCase()
    .replaceAll('"', '')
    .replace(/constraint \S+ /g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([(),;])\s*/g, '$1')
    .trim();
}
