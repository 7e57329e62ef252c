interface Cached<T> {
  generation: number;
  /** Order in which fetches started, so an older fetch finishing late never replaces a newer value. */
  sequence: number;
  fetchedAt: number;
  value: T;
}

interface InFlight<T> {
  generation: number;
  fresh: boolean;
  promise: Promise<T>;
}

export interface CachedReadOptions<T> {
  fetch: () => Promise<T>;
  /** How long a fetched value answers reads. */
  ttlMs: number;
  /**
   * After `ttlMs`, a value this much older still answers at once while one refresh runs in the
   * background (stale-while-revalidate). Default 0: off.
   */
  staleMs?: number;
  now: () => number;
  /**
   * Whether a value just fetched says the same as the one held; when it does, the one held is
   * kept, so what readers made from it (a rendered key list) still holds. Default: never.
   */
  same?: (held: T, fetched: T) => boolean;
}

/**
 * One list read from ClickHouse (keys, roles, services), kept briefly and shared by concurrent
 * callers. A write of ours bumps the generation, so a read begun before it is neither cached nor
 * shared after it; a `fresh` read shares only another fresh one, never one that may predate it.
 */
export class CachedRead<T> {
  readonly #fetch: () => Promise<T>;
  readonly #ttlMs: number;
  readonly #staleMs: number;
  readonly #now: () => number;
  readonly #same: ((held: T, fetched: T) => boolean) | null;
  #generation = 0;
  #sequence = 0;
  #cached: Cached<T> | null = null;
  #inFlight: InFlight<T> | null = null;

  constructor(options: CachedReadOptions<T>) {
    this.#fetch = options.fetch;
    this.#ttlMs = options.ttlMs;
    this.#staleMs = options.staleMs ?? 0;
    this.#now = options.now;
    this.#same = options.same ?? null;
  }

  /** A value at most `ttlMs` old (or a recent one, refreshed behind it) unless `fresh`, else one shared request. */
  read(fresh = false): Promise<T> {
    if (!fresh) {
      const current = this.atHand();
      if (current !== null) return Promise.resolve(current);
      const recent = this.#within(this.#ttlMs + this.#staleMs);
      if (recent !== null) {
        this.#refresh(false).catch(() => undefined);
        return Promise.resolve(recent);
      }
    }
    return this.#refresh(fresh);
  }

  /** The value when it is at most `ttlMs` old and no write of ours came since; else null. */
  atHand(): T | null {
    return this.#within(this.#ttlMs);
  }

  /** Whether `read()` would answer at once, without waiting on ClickHouse. */
  answersAtOnce(): boolean {
    return this.#within(this.#ttlMs + this.#staleMs) !== null;
  }

  /**
   * What `read()` would answer at once, synchronously, or null; past `ttlMs` it starts the one
   * refresh `read()` would start, so a reader that only ever asks here still sees changes.
   */
  readAtOnce(): T | null {
    const current = this.atHand();
    if (current !== null) return current;
    const recent = this.#within(this.#ttlMs + this.#staleMs);
    if (recent !== null) this.#refresh(false).catch(() => undefined);
    return recent;
  }

  /** Whether a read begun since our last write is under way (a reader can wait for it instead of asking). */
  fetching(): boolean {
    return this.#inFlight !== null && this.#inFlight.generation === this.#generation;
  }

  /** After one of our own writes: the next read shows it, from the cached value or a new request. */
  afterWrite(apply: (value: T) => T): void {
    const cached = this.#cached;
    const current = cached !== null && cached.generation === this.#generation;
    this.#generation++;
    this.#cached = current ? { ...cached, generation: this.#generation, value: apply(cached.value) } : null;
  }

  /** Forgets the value, so the next read asks ClickHouse (a write whose outcome is unknown). */
  invalidate(): void {
    this.#generation++;
    this.#cached = null;
  }

  #within(ageMs: number): T | null {
    const cached = this.#cached;
    if (cached === null || cached.generation !== this.#generation) return null;
    return this.#now() - cached.fetchedAt < ageMs ? cached.value : null;
  }

  /** The value held instead of `fetched` when they say the same (and nothing was written since). */
  #unlessSame(fetched: T): T {
    const held = this.#cached;
    if (this.#same === null || held === null || held.generation !== this.#generation) return fetched;
    return this.#same(held.value, fetched) ? held.value : fetched;
  }

  #refresh(fresh: boolean): Promise<T> {
    const current = this.#inFlight;
    if (current !== null && current.generation === this.#generation && (current.fresh || !fresh)) {
      return current.promise;
    }
    const generation = this.#generation;
    const sequence = ++this.#sequence;
    const fetchedAt = this.#now();
    const promise = this.#fetch().then((value) => this.#unlessSame(value));
    const entry: InFlight<T> = { generation, fresh, promise };
    this.#inFlight = entry;
    promise.then(
      (value) => {
        const cached = this.#cached;
        const newer = cached === null || cached.generation < generation || cached.sequence < sequence;
        if (generation === this.#generation && newer) {
          this.#cached = { generation, sequence, fetchedAt, value };
        }
      },
      () => {},
    );
    const clear = () => {
      if (this.#inFlight === entry) this.#inFlight = null;
    };
    promise.then(clear, clear);
    return promise;
  }
}
