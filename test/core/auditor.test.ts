/**
 * The Auditor over a real store, on both backends (issue #19 hole 9d): an event the store refuses
 * for what it holds never waits in the journal, where it would block every later fail-closed write
 * (for the leak watch, every disable) until a restart; an event the store cannot take while it is
 * down still waits, in order, and `before` still refuses meanwhile.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/audit/verify.js';
import { Auditor, REFUSED_EVENT_ACTION } from '../../src/core/auditor.js';
import { isKeyhouseError, KeyhouseError } from '../../src/core/errors.js';
import type { Store } from '../../src/core/model.js';
import { openStore } from '../../src/store/index.js';
import { type RawDatabase, rawBackends } from '../store/fixtures/released.js';
import { ManualClock } from '../support/clock.js';

const T0 = new Date('2026-05-01T09:00:00.000Z');

/** The store, with a switch that makes every append fail as a database that does not answer. */
function outage(store: Store): { store: Store; down: boolean } {
  const state = { down: false, store };
  state.store = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop !== 'appendAudit' || typeof value !== 'function') {
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (...args: unknown[]) =>
        state.down
          ? Promise.reject(new KeyhouseError('audit_failed', 'store: appendAudit failed (ECONNREFUSED)'))
          : value.apply(target, args);
    },
  });
  return state;
}

describe.each(rawBackends())('the auditor on $name', ({ make }) => {
  let raw: RawDatabase;
  let store: Store;
  const clock = new ManualClock(T0);
  const auditor = (over: Store = store) => new Auditor(over, clock, pino({ level: 'silent' }));

  afterEach(async () => {
    await store?.close();
    await raw?.drop();
  });

  async function start(): Promise<void> {
    raw = await make();
    store = await openStore(raw.url, raw.options);
  }

  const actions = async () => (await store.listAudit()).map((e) => `${e.action}:${e.outcome}`);

  it('records a key named with a NUL or a lone surrogate (drift audits such keys), and later fail-closed writes go through', async () => {
    await start();
    const audit = auditor();
    await audit.after({
      actorId: 'system',
      action: 'drift.key_create',
      outcome: 'ok',
      keyId: 'k-console',
      keyName: 'etl\u0000loader',
      keySuffix: '\uD800ab',
      detail: { actorDetails: 'dana\u0000@example.com' },
    });
    expect(audit.journaled).toBe(0);
    await audit.before({ actorId: 'system', action: 'key.disable', outcome: 'attempt', keyId: 'k-leaked' });
    expect(await actions()).toEqual(['drift.key_create:ok', 'key.disable:attempt']);
    expect((await store.listAudit())[0]).toMatchObject({ keyName: 'etl\uFFFDloader', keySuffix: '\uFFFDab' });
    expect(await verifyAudit(store)).toStrictEqual({ ok: true, events: 2 });
  });

  it('writes an event the store refuses for its content as audit.refused, and is not blocked by it', async () => {
    await start();
    const audit = auditor();
    await audit.after({
      actorId: 'U0ALICE',
      action: 'key.rename',
      outcome: 'ok',
      keyId: 'k1',
      keyName: 'etl',
      detail: { bytes: 10n },
    });
    expect(audit.journaled).toBe(0);
    await audit.before({ actorId: 'system', action: 'key.disable', outcome: 'attempt', keyId: 'k1' });
    const [standIn] = await store.listAudit();
    expect(standIn).toMatchObject({
      action: REFUSED_EVENT_ACTION,
      outcome: 'ok',
      actorId: 'U0ALICE',
      keyId: 'k1',
      keyName: 'etl',
      detail: { action: 'key.rename', refused: expect.stringMatching(/detail is not JSON/) },
    });
    expect(await actions()).toEqual([`${REFUSED_EVENT_ACTION}:ok`, 'key.disable:attempt']);
    expect(await verifyAudit(store)).toStrictEqual({ ok: true, events: 2 });
  });

  it('refuses an action whose own event is refused for its content, records that, and stays open', async () => {
    await start();
    const audit = auditor();
    const refused = await audit
      .before({ actorId: 'U0ALICE', action: 'key.delete', outcome: 'attempt', detail: { n: 1n } })
      .catch((e: unknown) => e);
    expect(isKeyhouseError(refused, 'audit_failed')).toBe(true);
    await audit.before({ actorId: 'U0ALICE', action: 'key.list', outcome: 'attempt' });
    expect(await actions()).toEqual([`${REFUSED_EVENT_ACTION}:attempt`, 'key.list:attempt']);
  });

  it('while the store is down, keeps events in order and refuses; once it answers, writes them once, a refused one as its stand-in', async () => {
    await start();
    const flaky = outage(store);
    const audit = auditor(flaky.store);
    flaky.down = true;
    await audit.after({ actorId: 'system', action: 'key.delete', outcome: 'ok', keyId: 'k1' });
    await audit.after({ actorId: 'system', action: 'key.create', outcome: 'failed', detail: { n: 2n } });
    await audit.compensating({ actorId: 'system', action: 'key.delete', outcome: 'ok', keyId: 'k2' });
    expect(audit.journaled).toBe(3);
    const down = await audit
      .before({ actorId: 'U0ALICE', action: 'key.disable', outcome: 'attempt' })
      .catch((e: unknown) => e);
    expect(isKeyhouseError(down, 'audit_failed')).toBe(true);
    expect(await store.listAudit()).toEqual([]);

    flaky.down = false;
    // Several writers at once once it answers: each journaled event is written exactly once.
    await Promise.all([
      audit.flush(),
      audit.flush(),
      audit.after({ actorId: 'system', action: 'key.list', outcome: 'ok' }),
    ]);
    await audit.before({ actorId: 'U0ALICE', action: 'key.disable', outcome: 'attempt' });
    expect(audit.journaled).toBe(0);
    expect(await actions()).toEqual([
      'key.delete:ok',
      `${REFUSED_EVENT_ACTION}:failed`,
      'key.delete:ok',
      'key.list:ok',
      'key.disable:attempt',
    ]);
    expect(await verifyAudit(store)).toStrictEqual({ ok: true, events: 5 });
  });
});
