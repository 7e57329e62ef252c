/**
 * The key lists viewers last saw, each kept with what it was made from (product.md §14: a
 * rendered key list depends on the keys, their owners and the viewer, not on the clock, so it is
 * reused). A list is reused while its sources are the very same objects: the client hands out
 * its cached key list as one frozen array, kept while ClickHouse's answer is unchanged, and the
 * store hands out the same frozen owner and retirement rows until the database changes. The one
 * thing the clock changes in a list is whether a key has expired: a list is kept until the next
 * expiry among its keys, and at most `maxAgeMs`, so the checks a list starts for vanished keys
 * (`forgetVanished`) still run now and then. `atHand` answers the same question synchronously,
 * for an answer given before Slack's request reaches Bolt (handlers/commands/list-at-once.ts).
 */
import type { ApiKey, Service } from '../core/clickhouse.js';
import type { KeyOwner, Retirement } from '../core/model.js';
import type { KeyEntry, ListScope } from '../core/ports.js';

/** What a list was made from. */
export interface KeyListSources {
  keys: readonly ApiKey[];
  owners: readonly KeyOwner[];
  retirements: readonly Retirement[];
  isAdmin: boolean;
  /** The policy document the role labels came from (a reload is a new object). */
  policy: object;
  /** The store's change stamp read before the rows (null when the store cannot tell). */
  stamp: string | null;
  /** The console's services, read when a listed key is scoped to services (product.md §16). */
  services?: readonly Pick<Service, 'id' | 'name'>[] | null;
}

/** What can be known of a list's sources without waiting: all but the rows, which the stamp stands for. */
export type SourcesAtHand = Pick<KeyListSources, 'keys' | 'isAdmin' | 'policy'> & { stamp: string };

interface Kept {
  sources: KeyListSources;
  entries: KeyEntry[];
  /** Epoch ms from which the list may be wrong: the next expiry, or its maximum age. */
  until: number;
}

export interface KeyListsOptions {
  /** Viewers and scopes kept; the least recently used go first. Default 2,000. */
  maxLists?: number;
  /** The longest a list is kept, whatever else holds. Default 60 s. */
  maxAgeMs?: number;
}

export class KeyLists {
  readonly #kept = new Map<string, Kept>();
  readonly #maxLists: number;
  readonly #maxAgeMs: number;

  constructor(options: KeyListsOptions = {}) {
    this.#maxLists = options.maxLists ?? 2_000;
    this.#maxAgeMs = options.maxAgeMs ?? 60_000;
  }

  /** The list made for `viewerId` from these very sources, when it is still right at `now`. */
  get(viewerId: string, scope: ListScope, sources: KeyListSources, now: Date): KeyEntry[] | null {
    const id = `${scope} ${viewerId}`;
    const kept = this.#kept.get(id);
    if (!kept) return null;
    if (now.getTime() >= kept.until || !sameSources(kept.sources, sources)) {
      this.#kept.delete(id);
      return null;
    }
    // Re-inserted, so the map's order is least recently used first.
    this.#kept.delete(id);
    this.#kept.set(id, kept);
    return kept.entries;
  }

  /**
   * The list kept for `viewerId` when it is still right at `now`, judged without reading the
   * store: the database has not changed since its rows were read (the same change stamp), and the
   * key list, the viewer's admin membership and the policy are the same objects.
   */
  atHand(viewerId: string, scope: ListScope, now: SourcesAtHand, at: Date): KeyEntry[] | null {
    const kept = this.#kept.get(`${scope} ${viewerId}`);
    if (!kept || at.getTime() >= kept.until) return null;
    const made = kept.sources;
    const same =
      made.stamp !== null &&
      made.stamp === now.stamp &&
      made.keys === now.keys &&
      made.isAdmin === now.isAdmin &&
      made.policy === now.policy;
    return same ? kept.entries : null;
  }

  /** Keeps a list just made from `sources` at `now`. The entries are frozen: every reader shares them. */
  keep(viewerId: string, scope: ListScope, sources: KeyListSources, entries: KeyEntry[], now: Date): void {
    const id = `${scope} ${viewerId}`;
    this.#kept.delete(id);
    this.#kept.set(id, {
      sources,
      entries: Object.freeze(entries) as KeyEntry[],
      until: untilOf(sources.keys, now, this.#maxAgeMs),
    });
    if (this.#kept.size > this.#maxLists) {
      const oldest = this.#kept.keys().next();
      if (!oldest.done) this.#kept.delete(oldest.value);
    }
  }

  get size(): number {
    return this.#kept.size;
  }
}

/** The next instant a key of the list expires (its `expired` flag turns), or `now + maxAgeMs`. */
function untilOf(keys: readonly ApiKey[], now: Date, maxAgeMs: number): number {
  const at = now.getTime();
  let until = at + maxAgeMs;
  for (const key of keys) {
    if (key.expireAt === null) continue;
    const expires = Date.parse(key.expireAt);
    if (expires > at && expires < until) until = expires;
  }
  return until;
}

function sameSources(a: KeyListSources, b: KeyListSources): boolean {
  return (
    a.keys === b.keys &&
    a.stamp === b.stamp &&
    a.isAdmin === b.isAdmin &&
    a.policy === b.policy &&
    (a.services ?? null) === (b.services ?? null) &&
    sameRows(a.owners, b.owners) &&
    sameRows(a.retirements, b.retirements)
  );
}

/** The same row objects in the same order: the store hands out kept rows until the database changes. */
function sameRows<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
