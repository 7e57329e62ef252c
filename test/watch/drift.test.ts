import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Activity, ApiKey } from '../../src/api/index.js';
import { Auditor } from '../../src/core/auditor.js';
import type { DriftNotice, WatchNotifier } from '../../src/core/watch-ports.js';
import { openStore, type Store } from '../../src/store/index.js';
import { DRIFT_CURSOR, DriftWatch } from '../../src/watch/drift.js';
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
  let store: Store;
  let feed: Activity[];
  let keys: ApiKey[];
  let security: DriftNotice[];
  let owners: DriftNotice[];
  let asked: Array<string | undefined>;
  let watch: DriftWatch;
  const clock = new ManualClock(T0);

  beforeEach(async () => {
    store = await openStore('sqlite::memory:');
    feed = [];
    keys = [apiKey('self-id', 'Keyhouse', 'SELF'), apiKey('k-1', 'etl', 'AB12')];
    security = [];
    owners = [];
    asked = [];
    const notifier = {
      driftSecurity: async (_channel: string, notice: DriftNotice) => void security.push(notice),
      driftOwner: async (notice: DriftNotice) => void owners.push(notice),
    } as unknown as WatchNotifier;
    const logger = pino({ level: 'silent' });
    watch = new DriftWatch({
      store,
      keys: { listKeys: async () => keys, updateKey: async () => keys[0]! },
      activities: {
        listActivities: async (options) => {
          asked.push(options?.from);
          return feed.filter((a) => !options?.from || a.createdAt >= options.from);
        },
      },
      notifier,
      audit: new Auditor(store, clock, logger),
      clock,
      logger,
      securityChannel: 'C0SEC',
      unmanagedKeys: 'report',
      selfKeySuffix: 'SELF',
    });
  });
  afterEach(async () => store.close());

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
});
