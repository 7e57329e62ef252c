import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SlidingWindowLimiter } from '../../src/api/limiter.js';
import type { BudgetLane } from '../../src/core/budget.js';
import { apiKey, finish, KEYS_PATH, type MockSetup, mockClient, ok } from './fixtures.js';

/** The most timestamps that fall in any half-open window [t, t + windowMs). */
function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/**
 * A limiter on fake time: `tick(ms)` moves its clock and fires the timers due, so no test waits
 * on the wall clock (and none fails on a busy machine).
 */
function fakeTimeLimiter(options: {
  requests: number;
  windowMs: number;
  marginMs?: number;
  perOwner?: number;
  reservedForUrgent?: number;
}) {
  // Faked Date is exact at each timer's firing, so the limiter's clock reads what a real one would.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 0 });
  const now = () => Date.now();
  // No send held back for urgent work unless a test asks: most tests look at other mechanics.
  const limiter = new SlidingWindowLimiter({ marginMs: 0, reservedForUrgent: 0, ...options, now });
  const granted: { label: string; at: number }[] = [];
  const ask = (label: string, lane?: BudgetLane) =>
    limiter.acquire(lane).then(() => granted.push({ label, at: now() }));
  const tick = (ms: number) => vi.advanceTimersByTimeAsync(ms);
  return { limiter, granted, ask, tick };
}

const as = (owner: string, priority: BudgetLane['priority'] = 'normal'): BudgetLane => ({ owner, priority });

describe('SlidingWindowLimiter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('never lets more than N through in any window, serves one owner in order, and keeps going', async () => {
    const { granted, ask, tick } = fakeTimeLimiter({ requests: 5, windowMs: 300, perOwner: 5 });
    for (let i = 0; i < 12; i++) void ask(String(i));
    await tick(1_000);
    expect(granted.map((g) => g.label)).toEqual(Array.from({ length: 12 }, (_, i) => String(i)));
    expect(
      maxInWindow(
        granted.map((g) => g.at),
        300,
      ),
    ).toBe(5);
    // Three windows' worth: 5 at once, then two more batches one window apart.
    expect(granted.map((g) => g.at)).toEqual([0, 0, 0, 0, 0, 301, 301, 301, 301, 301, 602, 602]);
  });

  it('slides: a slot frees when the oldest send leaves the window, not at a fixed boundary', async () => {
    const { granted, ask, tick } = fakeTimeLimiter({ requests: 2, windowMs: 400, perOwner: 2 });
    void ask('first');
    await tick(250);
    void ask('second');
    void ask('third');
    await tick(500);
    // The third waits for the first send to age out (at 400), not for the second (at 650).
    expect(granted).toEqual([
      { label: 'first', at: 0 },
      { label: 'second', at: 250 },
      { label: 'third', at: 401 },
    ]);
  });

  it('hold() stops every send until it passes', async () => {
    const { limiter, granted, ask, tick } = fakeTimeLimiter({ requests: 100, windowMs: 1_000 });
    limiter.hold(150);
    void ask('a');
    void ask('b');
    await tick(300);
    expect(granted.map((g) => g.at)).toEqual([151, 151]);
  });

  it('gives no owner more than half the window, so another owner is served at once', async () => {
    const { granted, ask, tick } = fakeTimeLimiter({ requests: 10, windowMs: 10_000 });
    // One user renames 40 keys as fast as Slack lets them.
    for (let i = 0; i < 40; i++) void ask(`alice-${i}`, as('U0ALICE'));
    await tick(10);
    expect(granted.map((g) => g.label)).toEqual(['alice-0', 'alice-1', 'alice-2', 'alice-3', 'alice-4']);
    // Another user's work goes through at once, without waiting behind alice's 35.
    void ask('bob-list', as('U0BOB'));
    await tick(1);
    expect(granted.at(-1)).toEqual({ label: 'bob-list', at: 10 });
    await tick(80_000);
    const alice = granted.filter((g) => g.label.startsWith('alice')).map((g) => g.at);
    expect(alice).toHaveLength(40);
    expect(maxInWindow(alice, 10_000)).toBe(5);
  });

  it('serves urgent work (a waiting Create key, a compensating delete) before any queued normal work', async () => {
    const { granted, ask, tick } = fakeTimeLimiter({ requests: 10, windowMs: 10_000 });
    for (let i = 0; i < 5; i++) void ask(`alice-${i}`, as('U0ALICE'));
    for (let i = 0; i < 5; i++) void ask(`bob-${i}`, as('U0BOB'));
    for (let i = 5; i < 20; i++) void ask(`alice-${i}`, as('U0ALICE'));
    for (let i = 5; i < 20; i++) void ask(`bob-${i}`, as('U0BOB'));
    await tick(10);
    expect(granted).toHaveLength(10);
    void ask('carol-create', as('U0CAROL', 'urgent'));
    void ask('carol-list', as('U0CAROL'));
    // The window is full: the first slot that frees goes to the urgent create (which uses none of
    // carol's share), the next to carol's list (least recently served), ahead of alice's and bob's
    // backlog.
    await tick(10_001);
    const order = granted.slice(10).map((g) => g.label);
    expect(order.slice(0, 2)).toEqual(['carol-create', 'carol-list']);
  });

  it('keeps one send per window for urgent work, so it never waits for the window to slide', async () => {
    const { granted, ask, tick } = fakeTimeLimiter({ requests: 10, windowMs: 10_000, reservedForUrgent: 1 });
    // Two busy owners use every send normal work may have: 9 of 10.
    for (let i = 0; i < 10; i++) void ask(`a${i}`, as('A'));
    for (let i = 0; i < 10; i++) void ask(`b${i}`, as('B'));
    await tick(10);
    expect(granted).toHaveLength(9);
    void ask('leak-disable', as('system', 'urgent'));
    await tick(1);
    expect(granted.at(-1)).toEqual({ label: 'leak-disable', at: 10 });
  });

  it('round-robins between owners with work waiting', async () => {
    const { granted, ask, tick } = fakeTimeLimiter({ requests: 2, windowMs: 100, perOwner: 2 });
    for (let i = 0; i < 4; i++) void ask(`a${i}`, as('A'));
    for (let i = 0; i < 4; i++) void ask(`b${i}`, as('B'));
    await tick(1_000);
    // A asked first and took the whole first window; from then on the owners alternate.
    expect(granted.map((g) => g.label)).toEqual(['a0', 'a1', 'b0', 'a2', 'b1', 'a3', 'b2', 'b3']);
  });

  it('checks its configuration', () => {
    expect(() => new SlidingWindowLimiter({ requests: 0, windowMs: 1_000 })).toThrow(RangeError);
    expect(() => new SlidingWindowLimiter({ requests: 1.5, windowMs: 1_000 })).toThrow(RangeError);
    expect(() => new SlidingWindowLimiter({ requests: 1, windowMs: 0 })).toThrow(RangeError);
    expect(new SlidingWindowLimiter({ requests: 10, windowMs: 10_000 }).marginMs).toBe(500);
    expect(new SlidingWindowLimiter({ requests: 10, windowMs: 500 }).marginMs).toBe(100);
  });
});

describe('client throttling', () => {
  let setup: MockSetup | undefined;
  afterEach(async () => {
    await finish(setup);
    setup = undefined;
  });

  it('sends at most rateLimit.requests in any window, counted where the server counts them', async () => {
    setup = mockClient({ rateLimit: { requests: 5, windowMs: 500 } });
    const arrivals: number[] = [];
    const ids = Array.from({ length: 12 }, () => randomUUID());
    for (const id of ids) {
      setup.pool.intercept({ path: `${KEYS_PATH}/${id}`, method: 'GET' }).reply(() => {
        arrivals.push(performance.now());
        return { statusCode: 200, data: ok(apiKey({ id })) };
      });
    }

    // Sequential gets of distinct ids cannot be coalesced: each is its own request.
    const keys = [];
    for (const id of ids) keys.push(await setup.client.getKey(id));

    expect(keys.map((key) => key.id)).toEqual(ids);
    expect(arrivals).toHaveLength(12);
    expect(maxInWindow(arrivals, 500)).toBeLessThanOrEqual(5);
  });
});
