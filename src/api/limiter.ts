export interface SlidingWindowLimiterOptions {
  /** At most this many sends… */
  requests: number;
  /** …in any window of this length. */
  windowMs: number;
  /**
   * Extra time a send stays counted, because the server counts arrivals and ours are counted at send
   * time: network jitter can bring two sends closer together on arrival. Default: 5% of the window, at
   * least 100 ms.
   */
  marginMs?: number;
  /** Monotonic milliseconds; injectable for tests. */
  now?: () => number;
}

/**
 * A sliding-window log limiter: `acquire()` resolves when one more send keeps the count of sends in the
 * last `windowMs + marginMs` at or under `requests`. Waiters are served first come, first served, by one
 * unref'd timer set for the moment the oldest counted send leaves the window (no polling).
 *
 * Why not p-queue (installed as a dependency of @slack/web-api)? Its `interval`/`intervalCap` is a fixed
 * window: 10 sends at the end of one interval and 10 at the start of the next make 20 in one second, which
 * a server counting a sliding window answers with 429s. It is also not our dependency to rely on.
 */
export class SlidingWindowLimiter {
  readonly requests: number;
  readonly windowMs: number;
  readonly marginMs: number;
  readonly #now: () => number;
  /** Send times still inside the window, oldest first. */
  readonly #sent: number[] = [];
  readonly #waiters: Array<() => void> = [];
  #heldUntil = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: SlidingWindowLimiterOptions) {
    if (!Number.isInteger(options.requests) || options.requests < 1) {
      throw new RangeError(`rate limit requests must be a positive integer, got ${options.requests}`);
    }
    if (!(options.windowMs > 0)) {
      throw new RangeError(`rate limit windowMs must be positive, got ${options.windowMs}`);
    }
    this.requests = options.requests;
    this.windowMs = options.windowMs;
    this.marginMs = options.marginMs ?? Math.max(100, Math.round(options.windowMs * 0.05));
    this.#now = options.now ?? (() => performance.now());
  }

  /** Resolves when the caller may send one request; the send is counted from that moment. */
  acquire(): Promise<void> {
    if (this.#waiters.length === 0 && this.#tryTake()) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      this.#schedule();
    });
  }

  /**
   * Lets nobody send for `ms` (the server said it is saturated: a 429 with a reset time). Sends already
   * counted stay counted.
   */
  hold(ms: number): void {
    this.#heldUntil = Math.max(this.#heldUntil, this.#now() + ms);
    if (this.#waiters.length > 0) this.#schedule();
  }

  /** How many callers are waiting for a slot. */
  get pending(): number {
    return this.#waiters.length;
  }

  #span(): number {
    return this.windowMs + this.marginMs;
  }

  #tryTake(): boolean {
    const now = this.#now();
    if (now < this.#heldUntil) return false;
    this.#prune(now);
    if (this.#sent.length >= this.requests) return false;
    this.#sent.push(now);
    return true;
  }

  #prune(now: number): void {
    const span = this.#span();
    while (this.#sent.length > 0 && this.#sent[0]! <= now - span) this.#sent.shift();
  }

  #drain = (): void => {
    this.#timer = null;
    while (this.#waiters.length > 0 && this.#tryTake()) this.#waiters.shift()!();
    if (this.#waiters.length > 0) this.#schedule();
  };

  #schedule(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    const now = this.#now();
    this.#prune(now);
    let at = this.#heldUntil;
    if (this.#sent.length >= this.requests) {
      // The window is full (never over-full: sends are only counted here), so a slot frees when the oldest leaves.
      at = Math.max(at, this.#sent[0]! + this.#span());
    }
    // +1: timers may fire a fraction of a millisecond early relative to performance.now().
    const delay = Math.max(0, Math.ceil(at - now)) + 1;
    this.#timer = setTimeout(this.#drain, delay);
    // Unref'd so queued calls never hold a process open at shutdown; a long-lived app has its servers open.
    this.#timer.unref();
  }
}
