import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SlidingWindowLimiter } from '../../src/api/limiter.js';
import { type BudgetLane, runAs, urgently } from '../../src/core/budget.js';
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
    limiter.acquire(lane).then((turn) => {
      granted.push({ label, at: now() });
      return turn;
    });
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

  it("serves urgent work (a waiting Create key, a compensating delete) before any queued normal work, on its owner's share", async () => {
    const { granted, ask, tick } = fakeTimeLimiter({ requests: 10, windowMs: 10_000 });
    for (let i = 0; i < 5; i++) void ask(`alice-${i}`, as('U0ALICE'));
    for (let i = 0; i < 5; i++) void ask(`bob-${i}`, as('U0BOB'));
    for (let i = 5; i < 20; i++) void ask(`alice-${i}`, as('U0ALICE'));
    for (let i = 5; i < 20; i++) void ask(`bob-${i}`, as('U0BOB'));
    await tick(10);
    expect(granted).toHaveLength(10);
    void ask('carol-create', as('U0CAROL', 'urgent'));
    void ask('carol-list', as('U0CAROL'));
    // The window is full: the first slot that frees goes to the urgent create, ahead of alice's and
    // bob's backlog. It counts to carol's share like any of her work, so her list then takes its
    // turn after one request each of theirs, none of whom has sent in this window either.
    await tick(10_001);
    const order = granted.slice(10).map((g) => g.label);
    expect(order.slice(0, 4)).toEqual(['carol-create', 'alice-5', 'bob-5', 'carol-list']);
  });

  it("takes one owner's urgent burst in turns: another's Create key waits one request, normal work half a window", async () => {
    const { limiter, granted, ask, tick } = fakeTimeLimiter({
      requests: 10,
      windowMs: 10_000,
      reservedForUrgent: 1,
    });
    // Alice pastes the secrets of 30 of her keys: 30 leak disables, all urgent, all hers.
    for (let i = 0; i < 30; i++) void ask(`alice-${i}`, as('U0ALICE', 'urgent'));
    await tick(1);
    // Half the window is hers; the rest of her burst waits for her own sends to age out.
    expect(granted.map((g) => g.label)).toEqual(['alice-0', 'alice-1', 'alice-2', 'alice-3', 'alice-4']);
    // Bob clicks Create key, and carol lists her keys: neither waits behind her 25.
    const create = ask('bob-create', as('U0BOB', 'urgent'));
    void ask('carol-list', as('U0CAROL'));
    await tick(1);
    expect(granted.slice(5).map((g) => g.label)).toEqual(['bob-create', 'carol-list']);
    expect(limiter.pending).toBe(25);
    expect(await create).toEqual({ othersSent: 0, othersAhead: 0, mostAheadByOneOwner: 0 });

    // Fill the window (bob's second create takes the send kept for urgent work), and have bob click
    // a third time: when alice's first sends age out, she, served least recently, has one turn
    // before him, not her whole backlog.
    void ask('carol-0', as('U0CAROL'));
    void ask('carol-1', as('U0CAROL'));
    void ask('bob-create-2', as('U0BOB', 'urgent'));
    await tick(1);
    expect(granted).toHaveLength(10);
    const third = ask('bob-create-3', as('U0BOB', 'urgent'));
    await tick(10_001);
    expect(granted.slice(10, 12).map((g) => g.label)).toEqual(['alice-5', 'bob-create-3']);
    expect(await third).toEqual({ othersSent: 1, othersAhead: 1, mostAheadByOneOwner: 1 });
    await tick(60_000);
    expect(limiter.pending).toBe(0);
    const alice = granted.filter((g) => g.label.startsWith('alice')).map((g) => g.at);
    expect(maxInWindow(alice, 10_000)).toBe(5);
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

  it("counts urgent sends in its stats, each on its owner's share", async () => {
    // Two sends per window, at most one per owner.
    setup = mockClient({ rateLimit: { requests: 2, windowMs: 200 } });
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const order: string[] = [];
    for (const id of ids) {
      setup.pool.intercept({ path: `${KEYS_PATH}/${id}`, method: 'PATCH' }).reply(() => {
        order.push(id);
        return { statusCode: 200, data: ok(apiKey({ id, state: 'disabled' })) };
      });
    }
    const client = setup.client;
    const disable = (owner: string, id: string) =>
      runAs(owner, () => urgently(() => client.updateKey(id, { state: 'disabled' })));
    await runAs('U0ALICE', () => client.updateKey(ids[0]!, { state: 'disabled' }));
    expect(client.stats.urgent).toEqual({ sent: 0, mostAheadByOneOwner: 0 });
    // Alice's urgent write waits for her own send to leave the window; Bob's goes at once. Hers
    // was not ready while his went (her share was full), so no one waited a turn.
    await Promise.all([disable('U0ALICE', ids[1]!), disable('U0BOB', ids[2]!)]);
    expect(order).toEqual([ids[0], ids[2], ids[1]]);
    expect(client.stats.urgent).toEqual({ sent: 2, mostAheadByOneOwner: 0 });
  });
});
