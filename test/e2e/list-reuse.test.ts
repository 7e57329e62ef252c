/**
 * A key list is reused while nothing in it changed (product.md §14), and never shown stale: a
 * change in ClickHouse, in the store, a key expiring, or the reader's day turning all show in
 * the next list. End to end, with a manual clock and no key-list cache in the client.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/clock.js';
import { Harness, USERS } from '../support/keyhouse.js';

const { alice, bob } = USERS;
const HOUR = 3_600_000;
const T0 = new Date('2026-12-06T12:00:00Z');

describe('a key list reused, never stale', () => {
  let h: Harness;
  let clock: ManualClock;
  afterEach(async () => {
    expect(h.apiContractViolations()).toEqual([]);
    await h.close();
  });

  async function listText(user: string): Promise<string> {
    return JSON.stringify(await h.answer(user, 'list'));
  }

  async function own(owner: string, keyId: string, name: string, keySuffix: string) {
    await h.store.putKeyOwner({
      keyId,
      ownerId: owner,
      requestId: null,
      keyName: name,
      keySuffix,
      createdAt: clock.now(),
      roleId: 'developer',
    });
  }

  it('shows every change at once, and the same list while nothing changed', async () => {
    clock = new ManualClock(T0);
    // Every list asks ClickHouse here (no key-list cache): a budget wide enough that none waits for it,
    // which would answer "waiting for ClickHouse" first (issue #20) instead of the list under test.
    h = await Harness.start({
      clock,
      emulator: { clock },
      keyListTtlMs: 0,
      budget: { requests: 1_000, windowMs: 10_000 },
    });
    // Expires on Dec 8 at 18:00 UTC: in 2 days, counted in (UTC) days.
    const etl = h.clickhouse.addKey({
      name: 'alice-etl',
      roles: ['developer'],
      expireAt: new Date(T0.getTime() + 54 * HOUR).toISOString(),
    }).key;
    await own(alice, etl.id, 'alice-etl', etl.keySuffix);

    const first = await listText(alice);
    expect(first).toContain('alice-etl');
    expect(first).toContain('in 2 days');
    expect(await listText(alice)).toBe(first);

    // The reader's day turns: the day words follow.
    clock.set('2026-12-07T00:00:00Z');
    const nextDay = await listText(alice);
    expect(nextDay).toContain('tomorrow');
    expect(nextDay).not.toContain('in 2 days');

    // A key made in the console and handed to Alice in the store (the key list itself unchanged).
    const console = h.clickhouse.addKey({ name: 'alice-console', roles: ['developer'] }).key;
    expect(await listText(alice)).not.toContain('alice-console');
    await own(alice, console.id, 'alice-console', console.keySuffix);
    expect(await listText(alice)).toContain('alice-console');

    // Renamed in the console: ClickHouse's answer changed.
    h.clickhouse.asConsoleUser().updateKey(console.id, { name: 'alice-renamed' });
    const renamed = await listText(alice);
    expect(renamed).toContain('alice-renamed');
    expect(renamed).not.toContain('alice-console');

    // The key's expiry passes: it is shown expired from that instant.
    clock.set(T0.getTime() + 54 * HOUR - 1);
    expect(await listText(alice)).not.toMatch(/expired/);
    clock.set(T0.getTime() + 54 * HOUR);
    expect(await listText(alice)).toMatch(/expired/);

    // Another viewer never gets Alice's list.
    expect(await listText(bob)).not.toContain('alice-renamed');
  });

  it('answers a list it has at hand before Bolt, without reading the store, and still shows every change', async () => {
    clock = new ManualClock(T0);
    let ownerReads = 0;
    h = await Harness.start({
      clock,
      emulator: { clock },
      // Long enough that the client's key list stays at hand for the whole test.
      keyListTtlMs: 3_600_000,
      store: (store) =>
        new Proxy(store, {
          get(target, property, receiver) {
            if (property === 'listKeyOwners') ownerReads += 1;
            const value: unknown = Reflect.get(target, property, receiver);
            return typeof value === 'function' ? value.bind(target) : value;
          },
        }),
    });
    const etl = h.clickhouse.addKey({
      name: 'alice-etl',
      roles: ['developer'],
      expireAt: new Date(T0.getTime() + 54 * HOUR).toISOString(),
    }).key;
    await own(alice, etl.id, 'alice-etl', etl.keySuffix);
    // In ClickHouse's list from the start; handed to Alice later, in the store only.
    const console = h.clickhouse.addKey({ name: 'alice-console', roles: ['developer'] }).key;

    // Looked up, read and drawn once (the first answer also learns Alice's language).
    const first = await listText(alice);
    expect(first).toContain('alice-etl');
    await listText(alice);
    const reads = ownerReads;
    // Then answered from memory: the same list, the store not read again.
    for (let i = 0; i < 5; i++) {
      const { response } = await h.command(alice, 'list');
      expect(JSON.stringify(response.json)).toBe(first);
    }
    expect(ownerReads).toBe(reads);

    // A change in the database is seen at once (the change stamp moved).
    await own(alice, console.id, 'alice-console', console.keySuffix);
    expect(await listText(alice)).toContain('alice-console');
    expect(ownerReads).toBeGreaterThan(reads);

    // The reader's day turns, and a key expires: neither is answered from memory.
    clock.set('2026-12-07T00:00:00Z');
    expect(await listText(alice)).toContain('tomorrow');
    clock.set(T0.getTime() + 54 * HOUR);
    expect(await listText(alice)).toMatch(/expired/);
    expect(await listText(bob)).not.toContain('alice-etl');
  });
});
