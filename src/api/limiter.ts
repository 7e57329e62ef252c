import type { BudgetLane } from '../core/budget.js';

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
  /**
   * Most sends of one owner's normal-priority work in a window (default: half of `requests`,
   * rounded up), so the rest of the budget is always there for someone else.
   */
  perOwner?: number;
  /**
   * Sends per window that only urgent work may use (default 1), so a key to create for a waiting
   * click, or a leaked key to disable, never waits for a full window to slide.
   */
  reservedForUrgent?: number;
}

interface Waiter {
  lane: BudgetLane;
  seq: number;
  resolve: () => void;
}

interface Send {
  at: number;
  /** Whose normal-priority share this send used; null for urgent work, which uses no share. */
  owner: string | null;
}

const ANYONE: BudgetLane = { owner: 'system', priority: 'normal' };

/**
 * A sliding-window log limiter: `acquire()` resolves when one more send keeps the count of sends in the
 * last `windowMs + marginMs` at or under `requests`. Waiters are served by one unref'd timer set for the
 * moment the oldest counted send leaves the window (no polling), in this order: urgent work first (first
 * come, first served); then normal work round-robin between owners, the owner with the fewest sends in
 * the window first, and never an owner already at `perOwner` sends in the window (see `budget.ts`).
 *
 * Why not p-queue (installed as a dependency of @slack/web-api)? Its `interval`/`intervalCap` is a fixed
 * window: 10 sends at the end of one interval and 10 at the start of the next make 20 in one second, which
 * a server counting a sliding window answers with 429s. It is also not our dependency to rely on.
 */
export class SlidingWindowLimiter {
  readonly requests: number;
  readonly windowMs: number;
  readonly marginMs: number;
  readonly perOwner: number;
  readonly reservedForUrgent: number;
  readonly #now: () => number;
  /** Sends still inside the window, oldest first. */
  readonly #sent: Send[] = [];
  readonly #waiters: Waiter[] = [];
  #seq = 0;
  /** When each owner's normal work was last served (a counter), for round-robin among equals. */
  readonly #lastServed = new Map<string, number>();
  #served = 0;
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
    this.perOwner = options.perOwner ?? Math.ceil(options.requests / 2);
    this.reservedForUrgent = Math.min(options.reservedForUrgent ?? 1, options.requests - 1);
    if (!Number.isInteger(this.perOwner) || this.perOwner < 1) {
      throw new RangeError(`rate limit perOwner must be a positive integer, got ${this.perOwner}`);
    }
  }

  /** Resolves when the caller may send one request; the send is counted from that moment. */
  acquire(lane: BudgetLane = ANYONE): Promise<void> {
    // At once when nobody waiting may go now (an empty queue, or only owners at their share).
    if ((this.#waiters.length === 0 || this.#next() === undefined) && this.#tryTake(lane)) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#waiters.push({ lane, seq: this.#seq++, resolve });
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

  #sentBy(owner: string): number {
    let count = 0;
    for (const send of this.#sent) if (send.owner === owner) count++;
    return count;
  }

  #mayTake(lane: BudgetLane, now: number): boolean {
    if (now < this.#heldUntil) return false;
    this.#prune(now);
    if (lane.priority === 'urgent') return this.#sent.length < this.requests;
    return (
      this.#sent.length < this.requests - this.reservedForUrgent && this.#sentBy(lane.owner) < this.perOwner
    );
  }

  #tryTake(lane: BudgetLane): boolean {
    const now = this.#now();
    if (!this.#mayTake(lane, now)) return false;
    this.#take(lane, now);
    return true;
  }

  #take(lane: BudgetLane, now: number): void {
    const urgent = lane.priority === 'urgent';
    this.#sent.push({ at: now, owner: urgent ? null : lane.owner });
    if (!urgent) this.#lastServed.set(lane.owner, ++this.#served);
  }

  #prune(now: number): void {
    const span = this.#span();
    while (this.#sent.length > 0 && this.#sent[0]!.at <= now - span) this.#sent.shift();
  }

  /** The waiter to serve next, or undefined when none may send now. */
  #next(): Waiter | undefined {
    const now = this.#now();
    const urgent = this.#waiters.find((w) => w.lane.priority === 'urgent');
    if (urgent) return this.#mayTake(urgent.lane, now) ? urgent : undefined;
    // The owner with the fewest sends in the window; among equals, the one served least recently;
    // within one owner, first come first served.
    let best: { waiter: Waiter; used: number; last: number } | undefined;
    for (const waiter of this.#waiters) {
      if (!this.#mayTake(waiter.lane, now)) continue;
      const used = this.#sentBy(waiter.lane.owner);
      const last = this.#lastServed.get(waiter.lane.owner) ?? 0;
      if (!best || used < best.used || (used === best.used && last < best.last))
        best = { waiter, used, last };
    }
    return best?.waiter;
  }

  #drain = (): void => {
    this.#timer = null;
    for (let next = this.#next(); next; next = this.#next()) {
      this.#waiters.splice(this.#waiters.indexOf(next), 1);
      this.#take(next.lane, this.#now());
      next.resolve();
    }
    if (this.#waiters.length > 0) this.#schedule();
  };

  #schedule(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    const now = this.#now();
    this.#prune(now);
    // When someone may send now, drain at once. Otherwise the next change is the hold ending (a
    // 429's reset) or, failing that, the oldest send leaving the window (the window was full, or
    // every waiter's owner is at its share); draining then reschedules if that was not enough.
    let at = now;
    if (now < this.#heldUntil) at = this.#heldUntil;
    else if (this.#sent.length > 0 && this.#next() === undefined) at = this.#sent[0]!.at + this.#span();
    // +1: timers may fire a fraction of a millisecond early relative to performance.now().
    const delay = Math.max(0, Math.ceil(at - now)) + 1;
    this.#timer = setTimeout(this.#drain, delay);
    // Unref'd so queued calls never hold a process open at shutdown; a long-lived app has its servers open.
    this.#timer.unref();
  }
}
