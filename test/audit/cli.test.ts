import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAuditCli } from '../../src/audit/cli.js';
import { type ChainedFields, canonicalEvent, eventHash } from '../../src/core/audit-chain.js';
import type { AuditInput, Store } from '../../src/core/model.js';
import { openStore } from '../../src/store/index.js';
import { applyReleased, rawSqlite, writeUnchained } from '../store/fixtures/released.js';
import { buildSource } from '../support/build.js';
import { createThrowawaySchema, pgUrl, type ThrowawaySchema } from '../support/postgres.js';

const T0 = new Date('2026-12-12T10:00:00.000Z');
const event = (i: number): AuditInput => ({
  at: new Date(T0.getTime() + i * 60_000),
  actorId: `U${i}`,
  action: 'request.approved',
  outcome: 'ok',
  keyName: `key-${i}`,
  detail: { z: 1, a: { c: [i], b: null } },
});

async function run(argv: string[], env: Record<string, string>, open?: (url: string) => Promise<Store>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAuditCli(argv, {
    env,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    ...(open ? { open } : {}),
  });
  return { code, out, err };
}

describe('canonical form', () => {
  it('sorts keys at every depth and hashes the same event the same way', () => {
    const a: ChainedFields = {
      ...event(1),
      seq: 7,
      keyName: 'key-1',
      detail: { z: 1, a: { c: [1], b: null } },
      requestId: null,
      keyId: null,
      keySuffix: null,
      upstreamRequestId: null,
      prevHash: null,
    };
    const reordered = { ...a, detail: { a: { b: null, c: [1] }, z: 1 } };
    expect(canonicalEvent(a)).toBe(canonicalEvent(reordered));
    expect(canonicalEvent(a)).toContain('"detail":{"a":{"b":null,"c":[1]},"z":1}');
    expect(eventHash(a)).toBe(eventHash(reordered));
    expect(eventHash({ ...a, prevHash: 'x' })).not.toBe(eventHash(a));
    // Each event is bound to its place: the same fields at another seq hash differently.
    expect(canonicalEvent(a)).toContain('"seq":7');
    expect(eventHash({ ...a, seq: 8 })).not.toBe(eventHash(a));
  });
});

describe('audit CLI on SQLite', () => {
  let dir: string;
  let url: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keyhouse-audit-'));
    file = join(dir, 'k.db');
    url = `sqlite:${file}`;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('verifies, exports a time range as JSON Lines, and fails on a changed row', async () => {
    const store = await openStore(url);
    for (let i = 0; i < 4; i++) await store.appendAudit(event(i));
    await store.close();

    expect(await run(['verify'], { DATABASE_URL: url })).toStrictEqual({
      code: 0,
      out: ['ok 4 events'],
      err: [],
    });

    const exported = await run(
      ['export', '--since', '2026-12-12T10:01:00Z', '--until', '2026-12-12T10:03:00Z'],
      { DATABASE_URL: url },
    );
    expect(exported.code).toBe(0);
    const lines = exported.out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.actorId)).toEqual(['U1', 'U2']);
    expect(lines[0]).toMatchObject({
      at: '2026-12-12T10:01:00.000Z',
      keyName: 'key-1',
      hash: expect.any(String),
    });

    const db = new Database(file);
    db.exec(
      "DROP TRIGGER audit_events_no_update; UPDATE audit_events SET key_name = 'renamed' WHERE seq = 3",
    );
    db.close();
    const broken = await run(['verify'], { DATABASE_URL: url });
    expect(broken.code).toBe(1);
    expect(broken.err.join('\n')).toMatch(/^audit chain broken at event 3: .*changed/);
  });

  it('verify --head proves the chain still holds a posted head, even against a chain recomputed after a rewrite', async () => {
    const store = await openStore(url);
    for (let i = 0; i < 3; i++) await store.appendAudit(event(i));
    const posted = await store.auditChainHead();
    const noted = `${posted.headSeq}:${posted.headHash}`;
    await store.appendAudit(event(3));
    await store.close();

    expect(await run(['verify', '--head', noted], { DATABASE_URL: url })).toStrictEqual({
      code: 0,
      out: [`ok 4 events; the chain holds ${noted}`],
      err: [],
    });
    const wrong = await run(['verify', '--head', `2:${'0'.repeat(64)}`], { DATABASE_URL: url });
    expect(wrong).toMatchObject({ code: 1, out: [] });
    expect(wrong.err.join()).toMatch(
      /^audit chain broken at event 2: event 2 has hash [0-9a-f]{64}, not 0{64}/,
    );
    const beyond = await run(['verify', '--head', `99:${posted.headHash}`], { DATABASE_URL: url });
    expect(beyond.err.join()).toMatch(/has no event 99 \(it ends at event 4\)/);

    // Someone with write access rewrites event 1 and recomputes every hash after it, and the head:
    // the chain verifies on its own, but no longer holds the head posted before.
    const db = new Database(file);
    db.exec(
      "DROP TRIGGER audit_events_no_update; UPDATE audit_events SET actor_id = 'U0FORGER' WHERE seq = 1",
    );
    let prevHash: string | null = null;
    const rows = db.prepare('SELECT * FROM audit_events ORDER BY seq').all() as Array<
      Record<string, string | number | null>
    >;
    for (const row of rows) {
      const hash = eventHash({
        seq: Number(row.seq),
        at: new Date(Number(row.at)),
        actorId: String(row.actor_id),
        action: String(row.action),
        outcome: String(row.outcome),
        requestId: row.request_id as string | null,
        keyId: row.key_id as string | null,
        keyName: row.key_name as string | null,
        keySuffix: row.key_suffix as string | null,
        upstreamRequestId: row.upstream_request_id as string | null,
        detail: row.detail === null ? null : (JSON.parse(String(row.detail)) as Record<string, unknown>),
        prevHash,
      });
      db.prepare('UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?').run(
        prevHash,
        hash,
        row.seq,
      );
      prevHash = hash;
    }
    db.prepare('UPDATE audit_chain SET head_hash = ?').run(prevHash);
    db.close();
    expect(await run(['verify'], { DATABASE_URL: url })).toMatchObject({ code: 0, out: ['ok 4 events'] });
    const rewritten = await run(['verify', '--head', noted], { DATABASE_URL: url });
    expect(rewritten.code).toBe(1);
    expect(rewritten.err.join()).toMatch(
      new RegExp(`^audit chain broken at event ${posted.headSeq}: .*rewritten`),
    );
  });

  it('runs from the built code, as in the container image', async () => {
    const store = await openStore(url);
    for (let i = 0; i < 2; i++) await store.appendAudit(event(i));
    const head = await store.auditChainHead();
    await store.close();
    const build = buildSource(dir);
    expect(build.status, build.diagnostics).toBe(0);
    const built = build.out;
    const cli = (args: string[]) =>
      spawnSync(process.execPath, [join(built, 'src/audit/cli.js'), ...args], {
        env: { ...process.env, DATABASE_URL: url },
        encoding: 'utf8',
      });
    const ok = cli(['verify', '--head', `${head.headSeq}:${head.headHash}`]);
    expect({ status: ok.status, stdout: ok.stdout, stderr: ok.stderr }).toStrictEqual({
      status: 0,
      stdout: `ok 2 events; the chain holds ${head.headSeq}:${head.headHash}\n`,
      stderr: '',
    });
    const wrong = cli(['verify', '--head', `1:${'f'.repeat(64)}`]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/^audit chain broken at event 1: /);
  }, 180_000);

  it('refuses unknown commands and bad times with usage', async () => {
    expect((await run(['frobnicate'], { DATABASE_URL: url })).code).toBe(2);
    const bad = await run(['export', '--since', 'yesterday'], { DATABASE_URL: url });
    expect(bad.code).toBe(2);
    expect(bad.err.join()).toMatch(/ISO-8601/);
    const head = await run(['verify', '--head', '12:not-a-hash'], { DATABASE_URL: url });
    expect(head).toMatchObject({ code: 2, out: [] });
    expect(head.err.join()).toMatch(/--head needs <seq>:<hash>/);
    expect((await run(['verify', '--tail'], { DATABASE_URL: url })).code).toBe(2);
  });

  it('links events written before the chain into it on upgrade, and checks them like every other', async () => {
    const raw = rawSqlite();
    try {
      await applyReleased(raw, 1);
      await writeUnchained(raw, {
        at: new Date(1),
        actorId: 'U1',
        action: 'request.submitted',
        outcome: 'ok',
      });
      await writeUnchained(raw, {
        at: new Date(2),
        actorId: 'U1',
        action: 'request.approved',
        outcome: 'ok',
      });
      await applyReleased(raw, 5);
      const store = await openStore(raw.url);
      // The two old events, and the upgrade's record of linking them.
      expect((await store.auditChainHead()).headSeq).toBe(3);
      const next = await store.appendAudit(event(9));
      expect(next.prevHash).toBe((await store.listAudit())[2]!.hash);
      await store.close();
      expect(await run(['verify'], { DATABASE_URL: raw.url })).toStrictEqual({
        code: 0,
        out: ['ok 4 events'],
        err: [],
      });

      await raw.exec(`${raw.liftGuard}; UPDATE audit_events SET actor_id = 'U2' WHERE seq = 1`);
      const broken = await run(['verify'], { DATABASE_URL: raw.url });
      expect(broken.code).toBe(1);
      expect(broken.err.join('\n')).toMatch(/^audit chain broken at event 1: .*changed/);
    } finally {
      await raw.drop();
    }
  });
});

describe.skipIf(!pgUrl)('audit CLI on PostgreSQL', () => {
  let schema: ThrowawaySchema;
  beforeEach(async () => {
    schema = await createThrowawaySchema(pgUrl!);
  });
  afterEach(async () => schema.drop());

  it('verifies, then names a deleted row', async () => {
    const open = (databaseUrl: string) => openStore(databaseUrl, { schema: schema.name });
    const store = await open(pgUrl!);
    for (let i = 0; i < 3; i++) await store.appendAudit(event(i));
    const seqs = (await store.listAudit()).map((e) => e.seq);
    await store.close();
    expect(await run(['verify'], { DATABASE_URL: pgUrl! }, open)).toMatchObject({
      code: 0,
      out: ['ok 3 events'],
    });
    await schema.exec(
      `DROP TRIGGER audit_events_append_only ON audit_events; DELETE FROM audit_events WHERE seq = ${seqs[1]}`,
    );
    const broken = await run(['verify'], { DATABASE_URL: pgUrl! }, open);
    expect(broken.code).toBe(1);
    expect(broken.err.join()).toContain(`at event ${seqs[2]}`);
  });
});
