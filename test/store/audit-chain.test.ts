/**
 * The audit chain as product.md §4 promises it, on both backends (issue #19 hole 9): verify reads
 * one snapshot, so it reports no false break while Keyhouse writes; it checks every event from the
 * first, those written before the chain existed included; and changing any one row, an event or
 * the chain's own bookkeeping, makes it fail naming the first bad event.
 */
import { describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/audit/verify.js';
import type { AuditInput, Store } from '../../src/core/model.js';
import {
  applyReleased,
  databasePerTest,
  type RawDatabase,
  type ReleasedEvent,
  rawBackends,
  writeChained,
  writeUnchained,
} from './fixtures/released.js';

const T0 = new Date('2026-04-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const event = (i: number): AuditInput => ({
  at: at(i),
  actorId: `U${i}`,
  action: 'request.submitted',
  outcome: 'ok',
  requestId: `req-${i}`,
  detail: { i, note: 'x' },
});

const old = (i: number): ReleasedEvent => ({
  at: at(i),
  actorId: `U${i}`,
  action: i % 2 ? 'request.approved' : 'request.submitted',
  outcome: 'ok',
  requestId: `req-${i}`,
  detail: { i, approvals: 1 },
});

describe.each(rawBackends())('the audit chain on $name', ({ make }) => {
  const database = databasePerTest(make);
  const open = () => database.open();
  let raw: RawDatabase;

  /** A released database with two events from before the chain and three after, upgraded. */
  async function upgradedWithLegacy(): Promise<Store> {
    await applyReleased(raw, 1);
    for (const i of [1, 2]) await writeUnchained(raw, old(i));
    await applyReleased(raw, 5);
    for (const i of [3, 4, 5]) await writeChained(raw, old(i));
    return open();
  }

  it('verifies again and again while another store appends, with no false break', async () => {
    raw = await database.make();
    const writer = await open();
    // Another connection, as `npm run audit -- verify` is beside the running bot.
    const reader = await open();
    let writing = true;
    const appends = (async () => {
      try {
        for (let i = 0; i < 150; i++) await writer.appendAudit(event(i));
      } finally {
        writing = false;
      }
    })();
    const results: Array<Awaited<ReturnType<typeof verifyAudit>>> = [];
    while (writing) results.push(await verifyAudit(reader));
    await appends;
    expect(results.length).toBeGreaterThan(0);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(await verifyAudit(reader)).toStrictEqual({ ok: true, events: 150 });
  });

  it('checks every event from the first: changing any one row, or the chain head, fails naming it', async () => {
    raw = await database.make();
    const store = await upgradedWithLegacy();
    await store.appendAudit(event(9));
    const seqs = (await store.listAudit()).map((e) => e.seq);
    const whole = await verifyAudit(store);
    expect(whole).toMatchObject({ ok: true });
    const sqlite = raw.backend === 'sqlite';
    const events = (where: string) => `UPDATE audit_events SET ${where}`;

    /** One change, verify names `bad`, the change undone, verify whole again. */
    const tamper = async (change: string, undo: string, bad: number) => {
      await raw.exec(`${raw.liftGuard}; ${change}`);
      const result = await verifyAudit(store);
      expect(result, change).toMatchObject({ ok: false, seq: bad });
      await raw.exec(undo);
      expect(await verifyAudit(store), undo).toStrictEqual(whole);
    };

    // One column of every event: the two from before the chain, the released chain's, the
    // upgrade's own record, and one written since.
    for (const seq of seqs) {
      await tamper(
        events(`actor_id = actor_id || '!' WHERE seq = ${seq}`),
        events(`actor_id = substr(actor_id, 1, length(actor_id) - 1) WHERE seq = ${seq}`),
        seq,
      );
    }
    // Every column of an event from before the chain.
    const first = 'WHERE seq = 1';
    const later = sqlite ? 'at + 1' : "at + interval '1 millisecond'";
    const earlier = sqlite ? 'at - 1' : "at - interval '1 millisecond'";
    const cases: Array<[string, string]> = [
      [`at = ${later}`, `at = ${earlier}`],
      ["action = 'key.delete'", "action = 'request.approved'"],
      ["outcome = 'failed'", "outcome = 'ok'"],
      ["request_id = 'req-9'", "request_id = 'req-1'"],
      ["key_id = 'k'", 'key_id = NULL'],
      ["key_name = 'k'", 'key_name = NULL'],
      ["key_suffix = 'k'", 'key_suffix = NULL'],
      ["upstream_request_id = 'k'", 'upstream_request_id = NULL'],
      [`detail = ${raw.json({ i: 1, approvals: 2 })}`, `detail = ${raw.json({ i: 1, approvals: 1 })}`],
      ['prev_hash = hash', 'prev_hash = NULL'],
      ['hash = upper(hash)', 'hash = lower(hash)'],
    ];
    for (const [change, undo] of cases)
      await tamper(events(`${change} ${first}`), events(`${undo} ${first}`), 1);
    // Renumbered in place (the order unchanged): the hash binds each event to its seq.
    await tamper(events('seq = 0 WHERE seq = 1'), events('seq = 1 WHERE seq = 0'), 0);
    // The chain's own bookkeeping: its head row.
    await tamper(
      'UPDATE audit_chain SET head_seq = head_seq - 1',
      'UPDATE audit_chain SET head_seq = head_seq + 1',
      6,
    );
    await tamper(
      'UPDATE audit_chain SET head_hash = upper(head_hash)',
      'UPDATE audit_chain SET head_hash = lower(head_hash)',
      7,
    );
    // No row says any more where checking starts; every event counts, the upgrade's record included.
    await expect(raw.query('SELECT legacy_through FROM audit_chain')).rejects.toThrow(/legacy_through/);
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(whole).toStrictEqual({ ok: true, events: 7 });
  });

  it('keeps reporting a break the released chain had: the upgrade records it instead of laundering it', async () => {
    raw = await database.make();
    await applyReleased(raw, 5);
    for (const i of [1, 2, 3]) await writeChained(raw, old(i));
    // Rewritten before the upgrade, the released verify would have named event 2.
    await raw.exec(`${raw.liftGuard}; UPDATE audit_events SET actor_id = 'U0FORGER' WHERE seq = 2`);
    const store = await open();
    const result = await verifyAudit(store);
    expect(result).toMatchObject({ ok: false, seq: 2 });
    expect(JSON.stringify(result)).toMatch(
      /changed.*found when the chain was linked on upgrade, as event 4 records/,
    );
    // Later events do not hide it.
    await store.appendAudit(event(9));
    expect(await verifyAudit(store)).toMatchObject({ ok: false, seq: 2 });
    // The upgrade put back the append-only guard that had been lifted.
    await expect(raw.exec("UPDATE audit_events SET action = 'again' WHERE seq = 1")).rejects.toThrow(
      /append-only/,
    );
  });

  it('sees through the released hole: legacy_through moved over rewritten chained events', async () => {
    raw = await database.make();
    await applyReleased(raw, 5);
    for (const i of [1, 2, 3]) await writeChained(raw, old(i));
    // One UPDATE of the bookkeeping row made the released verify count every event as from before
    // the chain, and check none of them ...
    await raw.exec(
      `${raw.liftGuard}; UPDATE audit_events SET action = 'forged' WHERE seq = 2;
       UPDATE audit_chain SET legacy_through = 3, head_seq = NULL, head_hash = NULL`,
    );
    const store = await open();
    // ... and the upgrade names the first event it hid.
    const result = await verifyAudit(store);
    expect(result).toMatchObject({ ok: false, seq: 1 });
    expect(JSON.stringify(result)).toMatch(/counted as from before the chain/);
  });
});
