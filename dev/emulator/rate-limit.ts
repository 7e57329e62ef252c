/** `true` in the options means the documented limit: 10 requests per 10-second window per key. */
export interface RateLimit {
  requests: number;
  windowMs: number;
}

export const DOCUMENTED_RATE_LIMIT: RateLimit = { requests: 10, windowMs: 10_000 };

export function toRateLimit(limit: boolean | RateLimit | undefined): RateLimit | null {
  if (limit === true) return { ...DOCUMENTED_RATE_LIMIT };
  if (!limit) return null;
  if (!Number.isInteger(limit.requests) || limit.requests < 1 || !(limit.windowMs > 0)) {
    throw new RangeError(`invalid rate limit: ${JSON.stringify(limit)}`);
  }
  return { ...limit };
}

/**
 * Sliding-window limiter per authenticating key. Only admitted requests take a slot: a request answered
 * 429 is not processed, so it does not push the window further out.
 */
export class SlidingWindowLimiter {
  #limit: RateLimit | null;
  readonly #admitted = new Map<string, number[]>();

  constructor(limit: RateLimit | null) {
    this.#limit = limit;
  }

  /** Switching the limit starts every window afresh. */
  configure(limit: RateLimit | null): void {
    this.#limit = limit;
    this.#admitted.clear();
  }

  /** Milliseconds until `key` may make a request at `nowMs`, or 0 when it may now. Takes no slot. */
  waitMs(key: string, nowMs: number): number {
    if (!this.#limit) return 0;
    const recent = this.#recent(key, nowMs);
    if (recent.length < this.#limit.requests) return 0;
    const oldest = recent[recent.length - this.#limit.requests]!;
    return Math.max(1, oldest + this.#limit.windowMs - nowMs);
  }

  /** Takes a slot for an admitted request. */
  admit(key: string, nowMs: number): void {
    if (!this.#limit) return;
    const recent = this.#recent(key, nowMs);
    recent.push(nowMs);
    this.#admitted.set(key, recent);
  }

  #recent(key: string, nowMs: number): number[] {
    const windowMs = this.#limit?.windowMs ?? 0;
    const recent = (this.#admitted.get(key) ?? []).filter((at) => at > nowMs - windowMs);
    this.#admitted.set(key, recent);
    return recent;
  }
}

/** The largest number of `times` (ms) that fall in any half-open window `[t, t + windowMs)`. */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let end = 0;
  for (let start = 0; start < sorted.length; start++) {
    while (end < sorted.length && sorted[end]! < sorted[start]! + windowMs) end++;
    best = Math.max(best, end - start);
  }
  return best;
}
