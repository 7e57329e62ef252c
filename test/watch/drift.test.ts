import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Activity, ApiKey } from '../../src/api/index.js';
import { Auditor } from '../../src/core/auditor.js';
import type { MalformedActivity } from '../../src/core/clickhouse.js';
import type { DriftNotice, WatchNotifier } from '../../src/core/watch-ports.js';
import { openStore, type Store } from '../../src/store/index.js';
import { DRIFT_CURSOR, DriftWatch, REPORT_ATTEMPTS } from '../../src/watch/drift.js';
import { ManualClock } from '../support/clock.js';

const T0 = new Date('2026-12-12T10:00:00.000Z');

function apiKey(id: string, name: string, suffix: string): ApiKey {
  return {
    id,
    name,
    state: 'enabled',
    roles: [],
    assignedRoles: [],
    keySuffix: suffix,
    createdAt: null,
    expireAt: null,
    usedAt: null,
    ipAccessList: [],
  };
}

function activity(overrides: Partial<Activity>): Activity {
  return {
    id: `act-${Math.random()}`,
    createdAt: new Date(T0.getTime() + 60_000).toISOString(),
    type: 'openapi_key_update',
    actorType: 'user',
    actorId: 'user-1',
    actorDetails: 'dana@example.com',
    actorIpAddress: null,
    targetKeyId: null,
    keyUpdateType: null,
    ...overrides,
  };
}

describe('drift watch', () => {
  let dir: string;
  let store: Store;
  let feed: Activity[];
  let malformed: MalformedActivity[];
  let keys: ApiKey[];
  let security: DriftNotice[];
  let owners: DriftNotice[];
  /** Posts to the security channel that fail before one goes through. */
  let securityFailures: number;
  let asked: Array<string | undefined>;
  let watch: DriftWatch;
  const clock = new ManualClock(T0);
  const logger = pino({ level: 'silent' });

  /** A watch on `on` (another connection to the same file is another replica, or a restart). */
  function watchOn(on: Store, unmanagedKeys: 'report' | 'disable' = 'report'): DriftWatch {
    const notifier = {
      driftSecurity: async (_channel: string, notice: DriftNotice) => {
        if (securityFailures > 0) {
          securityFailures--;
          throw new Error('an_error_from_slack');
        }
        security.push(notice);
      },
      driftOwner: async (notice: DriftNotice) => void owners.push(notice),
    } as unknown as WatchNotifier;
    return new DriftWatch({
      store: on,
      keys: { listKeys: async () => keys, updateKey: async () => keys[0]! },
      activities: {
        listActivities: async (options) => {
          asked.push(options?.from);
          const from = options?.from ? Date.parse(options.from) : 0;
          const since = <T extends { createdAt: string | null }>(list: T[]) =>
            list.filter((a) => a.createdAt === null || Date.parse(a.createdAt) >= from);
          return { activities: since(feed), malformed: since(malformed) };
        },
      },
      notifier,
      audit: new Auditor(on, clock, logger),
      clock,
      logger,
      securityChannel: 'C0SEC',
      unmanagedKeys,
      selfKeySuffix: 'SELF',
    });
  }

  async function reopen(): Promise<Store> {
    const replica = await openStore(`sqlite:${join(dir, 'keyhouse.db')}`);
    opened.push(replica);
    return replica;
  }
  let opened: Store[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyhouse-drift-'));
    opened = [];
    store = await reopen();
    feed = [];
    malformed = [];
    keys = [apiKey('self-id', 'Keyhouse', 'SELF'), apiKey('k-1', 'etl', 'AB12')];
    security = [];
    owners = [];
    securityFailures = 0;
    asked = [];
    watch = watchOn(store);
  });
  afterEach(async () => {
    for (const each of opened) await each.close();
    await rm(dir, { recursive: true, force: true });
  });

  const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000).toISOString();

  it('starts from now, then reports key_create, key_delete and updates, skipping its own key and other types', async () => {
    expect(await watch.run()).toEqual({ reported: 0 });
    expect(await store.getWatchState(DRIFT_CURSOR)).toBe(T0.toISOString());
    await store.putKeyOwner({
      keyId: 'k-1',
      ownerId: 'U0ALICE',
      requestId: null,
      keyName: 'etl',
      keySuffix: 'AB12',
      createdAt: T0,
    });
    feed.push(
      activity({ id: 'a1', type: 'key_create' }),
      activity({ id: 'a2', type: 'openapi_key_update', targetKeyId: 'k-1', keyUpdateType: 'date-changed' }),
      activity({
        id: 'a3',
        type: 'openapi_key_update',
        actorType: 'api',
        actorId: 'self-id',
        targetKeyId: 'k-1',
        keyUpdateType: 'state-changed',
      }),
      activity({ id: 'a4', type: 'service_start' }),
      activity({ id: 'a5', type: 'key_delete', createdAt: new Date(T0.getTime() + 120_000).toISOString() }),
    );
    expect(await watch.run()).toEqual({ reported: 3 });
    expect(security.map((n) => `${n.type}:${n.updateType}:${n.keyId}`)).toEqual([
      'key_create:null:null',
      'openapi_key_update:date-changed:k-1',
      'key_delete:null:null',
    ]);
    expect(owners.map((n) => n.ownerId)).toEqual(['U0ALICE']);
    expect(security[1]).toMatchObject({
      keyName: 'etl',
      keySuffix: 'AB12',
      actorDetails: 'dana@example.com',
    });
    // The next pass asks from the newest event seen, and reports nothing again.
    expect(await watch.run()).toEqual({ reported: 0 });
    expect(asked.at(-1)).toBe(new Date(T0.getTime() + 120_000).toISOString());
    expect(security).toHaveLength(3);
  });

  it('tries a report whose post failed again on the next passes, once done, across a restart and replicas', async () => {
    await watch.run();
    feed.push(activity({ id: 'a1', type: 'key_create', createdAt: at(1) }));
    feed.push(activity({ id: 'a2', type: 'key_delete', createdAt: at(2) }));
    securityFailures = 1; // a1's notice fails once; a2's goes through
    expect(await watch.run()).toEqual({ reported: 1 });
    expect(security.map((n) => n.activityId)).toEqual(['a2']);
    // The cursor waits at the unfinished report, so the next pass reads it again.
    expect(await store.getWatchState(DRIFT_CURSOR)).toBe(at(1));

    // A restart: another process on the same database finishes it, and a2 is not told twice.
    const restarted = watchOn(await reopen());
    expect(await restarted.run()).toEqual({ reported: 1 });
    expect(security.map((n) => n.activityId)).toEqual(['a2', 'a1']);
    expect(await store.getWatchState(DRIFT_CURSOR)).toBe(at(2));
    // Audited once, though its report took two passes.
    const detected = (await store.listAudit()).filter((e) => e.action === 'drift.detected');
    expect(detected.map((e) => e.detail?.activityId)).toEqual(['a1', 'a2']);

    // Two replicas with passes at once: a3 is reported by one of them.
    feed.push(activity({ id: 'a3', type: 'key_create', createdAt: at(3) }));
    const replicas = [watchOn(await reopen()), watchOn(await reopen())];
    const results = await Promise.all(replicas.map((r) => r.run()));
    expect(results.reduce((sum, r) => sum + r.reported, 0)).toBe(1);
    expect(await Promise.all([watch.run(), replicas[0]!.run()])).toEqual([{ reported: 0 }, { reported: 0 }]);
    expect(security.map((n) => n.activityId)).toEqual(['a2', 'a1', 'a3']);
  });

  it('gives a report up after its attempts, and then lets the cursor go on', async () => {
    await watch.run();
    feed.push(activity({ id: 'a1', type: 'key_create', createdAt: at(1) }));
    securityFailures = REPORT_ATTEMPTS;
    for (let pass = 1; pass <= REPORT_ATTEMPTS; pass++) expect(await watch.run()).toEqual({ reported: 0 });
    expect(await store.getWatchState(DRIFT_CURSOR)).toBe(at(1));
    feed.push(activity({ id: 'a2', type: 'key_create', createdAt: at(2) }));
    expect(await watch.run()).toEqual({ reported: 1 });
    expect(security.map((n) => n.activityId)).toEqual(['a2']);
    expect(await store.getWatchState(DRIFT_CURSOR)).toBe(at(2));
    expect((await store.listAudit()).filter((e) => e.action === 'drift.detected')).toHaveLength(2);
  });

  it('disables a key made outside Keyhouse once, and says so when the notice finally goes out', async () => {
    const disabling = watchOn(store, 'disable');
    await disabling.run();
    keys.push(apiKey('k-2', 'shadow', 'SH22'));
    feed.push(
      activity({ id: 'a1', type: 'openapi_key_update', keyUpdateType: 'created', targetKeyId: 'k-2' }),
    );
    securityFailures = 1;
    expect(await disabling.run()).toEqual({ reported: 0 });
    expect(await disabling.run()).toEqual({ reported: 1 });
    expect(security).toMatchObject([{ activityId: 'a1', disabled: 'disabled' }]);
    const disables = (await store.listAudit()).filter((e) => e.action === 'drift.disable');
    expect(disables.map((e) => e.outcome)).toEqual(['attempt', 'ok']);
  });

  it('sets aside an activity that does not parse, reports the rest, and reads past both', async () => {
    await watch.run();
    feed.push(activity({ id: 'a1', type: 'key_create', createdAt: at(1) }));
    malformed.push({ index: 1, createdAt: at(2), problems: 'id: invalid_type', digest: 'd'.repeat(64) });
    // Without a readable time, it comes back on every pass (the fake serves it whatever the bound).
    malformed.push({ index: 2, createdAt: null, problems: 'createdAt: custom', digest: 'e'.repeat(64) });
    feed.push(activity({ id: 'a3', type: 'key_delete', createdAt: at(3) }));
    expect(await watch.run()).toEqual({ reported: 2 });
    expect(await store.getWatchState(DRIFT_CURSOR)).toBe(at(3));
    const skipped = () => store.listAudit().then((all) => all.filter((e) => e.action === 'drift.malformed'));
    expect(await skipped()).toMatchObject([
      {
        outcome: 'failed',
        detail: {
          skipped: 2,
          described: [
            { index: 1, createdAt: at(2), problems: 'id: invalid_type' },
            { index: 2, createdAt: null, problems: 'createdAt: custom' },
          ],
        },
      },
    ]);
    // Read again: set aside without a second audit event; a new one gets its own.
    expect(await watch.run()).toEqual({ reported: 0 });
    expect(await skipped()).toHaveLength(1);
    malformed.push({ index: 0, createdAt: at(4), problems: 'type: too_small', digest: 'f'.repeat(64) });
    await watch.run();
    expect((await skipped()).map((e) => e.detail?.skipped)).toEqual([2, 1]);
    expect(await store.getWatchState(DRIFT_CURSOR)).toBe(at(4));
  });

  it('moves the cursor past activities that are not key events', async () => {
    await watch.run();
    feed.push(activity({ id: 's1', type: 'service_start', createdAt: at(5) }));
    expect(await watch.run()).toEqual({ reported: 0 });
    expect(await store.getWatchState(DRIFT_CURSOR)).toBe(at(5));
    // Keyhouse's own key events move it too, without a report.
    feed.push(activity({ id: 'own', actorType: 'api', actorId: 'self-id', createdAt: at(6) }));
    expect(await watch.run()).toEqual({ reported: 0 });
    expect(await store.getWatchState(DRIFT_CURSOR)).toBe(at(6));
    expect(security).toEqual([]);
  });
});
