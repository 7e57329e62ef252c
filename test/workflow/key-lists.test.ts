/**
 * A viewer's key list is reused while it was made from the very same sources and no key of it has
 * expired since (product.md §14); anything else makes a new one. Bounded, least recently used
 * first.
 */
import { describe, expect, it } from 'vitest';
import type { KeyOwner, Retirement } from '../../src/core/model.js';
import type { KeyEntry } from '../../src/core/ports.js';
import { type KeyListSources, KeyLists } from '../../src/workflow/key-lists.js';
import { apiKey, keyEntry } from '../views/fixtures.js';

const now = new Date('2026-12-06T12:00:00Z');
const policy = {};

function owner(keyId: string): KeyOwner {
  return {
    keyId,
    ownerId: 'U0ALICE',
    requestId: null,
    keyName: 'etl',
    keySuffix: 'WXYZ',
    createdAt: now,
    roleId: 'developer',
  } as KeyOwner;
}

function sources(overrides: Partial<KeyListSources> = {}): KeyListSources {
  return {
    keys: Object.freeze([apiKey({ expireAt: '2026-12-10T00:00:00.000Z' })]),
    owners: [owner('k1')],
    retirements: [],
    isAdmin: false,
    policy,
    stamp: '7:1',
    ...overrides,
  };
}

const entries = (): KeyEntry[] => [keyEntry()];

describe('the key lists viewers last saw', () => {
  it('are reused from the same sources, as the very same array', () => {
    const lists = new KeyLists();
    const made = sources();
    const list = entries();
    lists.keep('U0ALICE', 'mine', made, list, now);
    // The store hands out a new array of the same rows each time: the rows are what count.
    const again = { ...made, owners: [...made.owners], retirements: [...made.retirements] };
    expect(lists.get('U0ALICE', 'mine', again, new Date(now.getTime() + 1000))).toBe(list);
    expect(Object.isFrozen(list)).toBe(true);
  });

  it('are not reused for another viewer or scope', () => {
    const lists = new KeyLists();
    const made = sources();
    lists.keep('U0ALICE', 'mine', made, entries(), now);
    expect(lists.get('U0BOB', 'mine', made, now)).toBeNull();
    expect(lists.get('U0ALICE', 'all', made, now)).toBeNull();
  });

  it('are made again when any source changed', () => {
    const made = sources();
    const changes: Partial<KeyListSources>[] = [
      { keys: Object.freeze([apiKey({ name: 'renamed' })]) },
      { owners: [owner('k1'), owner('k2')] },
      { owners: [{ ...owner('k1') }] },
      { retirements: [{ keyId: 'k1' } as Retirement] },
      { isAdmin: true },
      { policy: {} },
      { stamp: '8:1' },
    ];
    for (const change of changes) {
      const lists = new KeyLists();
      lists.keep('U0ALICE', 'mine', made, entries(), now);
      expect(lists.get('U0ALICE', 'mine', { ...made, ...change }, now), JSON.stringify(change)).toBeNull();
    }
  });

  it('are kept until the next expiry among their keys, and no longer than their maximum age', () => {
    const lists = new KeyLists({ maxAgeMs: 10 * 86_400_000 });
    const made = sources({
      keys: Object.freeze([
        apiKey({ id: 'a', expireAt: '2026-12-01T00:00:00.000Z' }),
        apiKey({ id: 'b', expireAt: '2026-12-08T00:00:00.000Z' }),
        apiKey({ id: 'c', expireAt: null }),
      ]),
    });
    lists.keep('U0ALICE', 'mine', made, entries(), now);
    expect(lists.get('U0ALICE', 'mine', made, new Date('2026-12-07T23:59:59.999Z'))).not.toBeNull();
    expect(lists.get('U0ALICE', 'mine', made, new Date('2026-12-08T00:00:00.000Z'))).toBeNull();

    const short = new KeyLists({ maxAgeMs: 60_000 });
    short.keep('U0ALICE', 'mine', made, entries(), now);
    expect(short.get('U0ALICE', 'mine', made, new Date(now.getTime() + 59_999))).not.toBeNull();
    expect(short.get('U0ALICE', 'mine', made, new Date(now.getTime() + 60_000))).toBeNull();
  });

  it('hold at most maxLists, the least recently used going first', () => {
    const lists = new KeyLists({ maxLists: 2 });
    const made = sources();
    lists.keep('U1', 'mine', made, entries(), now);
    lists.keep('U2', 'mine', made, entries(), now);
    expect(lists.get('U1', 'mine', made, now)).not.toBeNull(); // U1 is now the most recent
    lists.keep('U3', 'mine', made, entries(), now);
    expect(lists.size).toBe(2);
    expect(lists.get('U2', 'mine', made, now)).toBeNull();
    expect(lists.get('U1', 'mine', made, now)).not.toBeNull();
    expect(lists.get('U3', 'mine', made, now)).not.toBeNull();
  });

  it('are found without reading the store while its change stamp and the rest are the same', () => {
    const lists = new KeyLists();
    const made = sources();
    const list = entries();
    lists.keep('U0ALICE', 'mine', made, list, now);
    const atHand = { keys: made.keys, isAdmin: false, policy, stamp: '7:1' };
    expect(lists.atHand('U0ALICE', 'mine', atHand, now)).toBe(list);
    expect(lists.atHand('U0ALICE', 'mine', { ...atHand, stamp: '8:1' }, now)).toBeNull();
    expect(lists.atHand('U0ALICE', 'mine', { ...atHand, keys: [...made.keys] }, now)).toBeNull();
    expect(lists.atHand('U0ALICE', 'mine', { ...atHand, isAdmin: true }, now)).toBeNull();
    expect(lists.atHand('U0ALICE', 'mine', { ...atHand, policy: {} }, now)).toBeNull();
    expect(lists.atHand('U0ALICE', 'all', atHand, now)).toBeNull();
    // Past the next expiry, never.
    expect(lists.atHand('U0ALICE', 'mine', atHand, new Date('2026-12-10T00:00:00Z'))).toBeNull();
  });

  it('are never found without reading when the store cannot tell a change (PostgreSQL)', () => {
    const lists = new KeyLists();
    const made = sources({ stamp: null });
    lists.keep('U0ALICE', 'mine', made, entries(), now);
    expect(
      lists.atHand('U0ALICE', 'mine', { keys: made.keys, isAdmin: false, policy, stamp: 'x' }, now),
    ).toBeNull();
  });
});
