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
   * Most sends of one owner, urgent and normal alike, in a window (default: half of `requests`,
   * rounded up), so the rest of the budget is always there for someone else.
   */
  perOwner?: number;
  /**
   * Sends per window that only urgent work may use (default 1), so a key to create for a waiting
   * click, or a leaked key to disable, need not wait for a full window to slide.
   */
  reservedForUrgent?: number;
}

/**
 * What one `acquire()` waited through, counted in other owners' sends: the measure of product.md §9's
 * "never delays another user's Create key by more than a request's turn".
 *
 * A waiting request is *ready* while its owner is under its share and none of its owner's own work is
 * queued ahead of it (the owner's earlier urgent requests; for normal work, also any urgent one): only
 * the budget and other owners' work then stand between it and its send.
 */
export interface Turn {
  /** Sends of other owners between the `acquire()` and its own send. */
  othersSent: number;
  /** Of those, the sends made while it was ready. */
  othersAhead: number;
  /** The most sends any one other owner made while it was ready; for urgent work never above 1. */
  mostAheadByOneOwner: number;
}

interface Waiter {
  lane: BudgetLane;
  resolve: (turn: Turn) => void;
  othersSent: number;
  /** Sends made while this waiter was ready, by owner. */
  aheadBy: Map<string, number>;
}

interface Send {
  at: number;
  /** Whose share this send used: every send counts to its owner, urgent or not. */
  owner: string;
}

const ANYONE: BudgetLane = { owner: 'system', priority: 'normal' };
const UNDELAYED: Turn = Object.freeze({ othersSent: 0, othersAhead: 0, mostAheadByOneOwner: 0 });

/**
 * A sliding-window log limiter: `acquire()` resolves when one more send keeps the count of sends in the
 * last `windowMs + marginMs` at or under `requests`. Waiters are served by one unref'd timer set for the
 * moment the next of them may go (no polling). The rule (product.md §9 "Budget fairness"; `budget.ts`):
 *
 * 1. Every send counts to its owner, and no owner (the timers are one) has more than `perOwner` sends,
 *    urgent or normal, in any window. An owner at its share waits for its own sends to age out; nobody
 *    else waits for it.
 * 2. Normal work never takes the last `reservedForUrgent` sends of a window.
 * 3. Among the waiters that may go, urgent work goes first, round-robin between owners: the owner
 *    served least recently first, whatever it sent in the window. Then normal work, the owner with the
 *    fewest sends in the window first, among equals the one served least recently. Within one owner,
 *    urgent before normal and first come, first served.
 *
 * What this promises an urgent request (a Create key, a leak's disable, an unseen key's delete): from
 * the moment it is ready (see `Turn`) until it is sent, each other owner sends at most once, and only
 * urgent work: one turn of the round-robin. Once ready it stays ready (its owner sends nothing while it
 * waits), and its owner goes ahead of every owner served since, so however many urgent requests one
 * owner queues, they delay another owner's by one request at most. `acquire()` reports the `Turn` each
 * request waited through, so tests (and the client's stats) check the promise instead of trusting it.
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
  /** In arrival order, which is first come, first served within one owner and priority. */
  readonly #waiters: Waiter[] = [];
  /** When each owner was last served (a counter), for round-robin. */
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

  /**
   * Resolves when the caller may send one request; the send is counted from that moment. Resolves
   * with what it waited through.
   */
  acquire(lane: BudgetLane = ANYONE): Promise<Turn> {
    // At once when nobody waiting may go now (an empty queue, or only owners at their share).
    if (this.#next() === undefined && this.#mayTake(lane, this.#now())) {
      this.#take(lane.owner);
      return Promise.resolve(UNDELAYED);
    }
    return new Promise((resolve) => {
      this.#waiters.push({ lane, resolve, othersSent: 0, aheadBy: new Map() });
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

  /**
   * About how long a request of `lane` asked for now would wait for its slot, in ms: until a hold
   * ends, its owner's share frees (its own sends ageing out, one more for each of its requests
   * already queued) and the window has room. A lower bound (other owners' queued work may still go
   * first), for telling a person "about N s"; 0 when it would go at once.
   */
  estimateWaitMs(lane: BudgetLane = ANYONE): number {
    const now = this.#now();
    this.#prune(now);
    const queuedOwn = this.#waiters.filter((w) => w.lane.owner === lane.owner).length;
    if (queuedOwn === 0 && this.#waiters.length === 0 && this.#mayTake(lane, now)) return 0;
    let at = this.#heldUntil;
    // Its owner's share: the (excess + 1)-th oldest of its sends must leave the window first.
    const own = this.#sent.filter((send) => send.owner === lane.owner);
    const excess = own.length + queuedOwn - this.perOwner;
    if (excess >= 0) {
      const leaving = own[Math.min(excess, own.length - 1)];
      // Queued beyond what its sends in the window free: each further one waits a window more.
      const windows = Math.floor(Math.max(0, excess - own.length + 1) / this.perOwner);
      if (leaving) at = Math.max(at, leaving.at + this.#span() * (1 + windows));
    }
    // The window: room for everyone queued ahead and this one.
    const room = lane.priority === 'urgent' ? this.requests : this.requests - this.reservedForUrgent;
    const needed = this.#sent.length + this.#waiters.length + 1 - room;
    if (needed > 0) {
      const leaving = this.#sent[Math.min(needed, this.#sent.length) - 1];
      if (leaving) at = Math.max(at, leaving.at + this.#span());
    }
    return Math.max(0, Math.ceil(at - now));
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

  /** Whether `lane` may send at `now` as far as the window, the hold and its owner's share go. */
  #mayTake(lane: BudgetLane, now: number): boolean {
    if (now < this.#heldUntil) return false;
    this.#prune(now);
    const room = lane.priority === 'urgent' ? this.requests : this.requests - this.reservedForUrgent;
    return this.#sent.length < room && this.#sentBy(lane.owner) < this.perOwner;
  }

  /** Counts a send to `owner`, and tells every other owner's waiter it happened. */
  #take(owner: string): void {
    this.#witness(owner);
    this.#sent.push({ at: this.#now(), owner });
    this.#lastServed.set(owner, ++this.#served);
  }

  #witness(owner: string): void {
    if (this.#waiters.length === 0) return;
    const ready = this.#readyWaiters();
    for (const waiter of this.#waiters) {
      if (waiter.lane.owner === owner) continue;
      waiter.othersSent++;
      if (ready.has(waiter)) waiter.aheadBy.set(owner, (waiter.aheadBy.get(owner) ?? 0) + 1);
    }
  }

  /** The waiters that are ready (see `Turn`): each owner's first in its own order, if under its share. */
  #readyWaiters(): Set<Waiter> {
    const first = new Map<string, Waiter>();
    for (const waiter of this.#waiters) {
      const current = first.get(waiter.lane.owner);
      if (!current || (current.lane.priority === 'normal' && waiter.lane.priority === 'urgent'))
        first.set(waiter.lane.owner, waiter);
    }
    const ready = new Set<Waiter>();
    for (const [owner, waiter] of first) if (this.#sentBy(owner) < this.perOwner) ready.add(waiter);
    return ready;
  }

  #prune(now: number): void {
    const span = this.#span();
    while (this.#sent.length > 0 && this.#sent[0]!.at <= now - span) this.#sent.shift();
  }

  /** The waiter to serve next, or undefined when none may send now. */
  #next(): Waiter | undefined {
    const now = this.#now();
    let best: { waiter: Waiter; rank: number[] } | undefined;
    for (const waiter of this.#waiters) {
      if (!this.#mayTake(waiter.lane, now)) continue;
      const rank = this.#rank(waiter.lane);
      // Strictly better only: among equals (one owner's), the earliest waiter stays first.
      if (!best || before(rank, best.rank)) best = { waiter, rank };
    }
    return best?.waiter;
  }

  /** Orders waiters that may go: lower first, element by element. */
  #rank(lane: BudgetLane): number[] {
    const last = this.#lastServed.get(lane.owner) ?? 0;
    return lane.priority === 'urgent' ? [0, last] : [1, this.#sentBy(lane.owner), last];
  }

  #drain = (): void => {
    this.#timer = null;
    for (let next = this.#next(); next; next = this.#next()) {
      this.#waiters.splice(this.#waiters.indexOf(next), 1);
      this.#take(next.lane.owner);
      next.resolve(turnOf(next));
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

function before(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

function turnOf(waiter: Waiter): Turn {
  let othersAhead = 0;
  let mostAheadByOneOwner = 0;
  for (const count of waiter.aheadBy.values()) {
    othersAhead += count;
    mostAheadByOneOwner = Math.max(mostAheadByOneOwner, count);
  }
  return { othersSent: waiter.othersSent, othersAhead, mostAheadByOneOwner };
}
