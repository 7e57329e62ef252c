import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { SlidingWindowLimiter } from '../../src/api/limiter.js';
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

describe('SlidingWindowLimiter', () => {
  it('never lets more than N through in any window, serves waiters in order, and keeps going', async () => {
    const limiter = new SlidingWindowLimiter({ requests: 5, windowMs: 300, marginMs: 20 });
    const granted: { index: number; at: number }[] = [];
    const t0 = performance.now();

    await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        limiter.acquire().then(() => granted.push({ index, at: performance.now() - t0 })),
      ),
    );

    expect(granted.map((g) => g.index)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(
      maxInWindow(
        granted.map((g) => g.at),
        300,
      ),
    ).toBe(5);
    // Three windows' worth: the first 5 at once, then two more batches one window (+ margin) apart.
    const last = granted[11]!.at;
    expect(last).toBeGreaterThanOrEqual(2 * 320 - 5);
    expect(last).toBeLessThan(2_000);
  });

  it('slides: a slot frees when the oldest send leaves the window, not at a fixed boundary', async () => {
    const limiter = new SlidingWindowLimiter({ requests: 2, windowMs: 400, marginMs: 0 });
    const t0 = performance.now();
    await limiter.acquire();
    await new Promise((resolve) => setTimeout(resolve, 250));
    await limiter.acquire();
    await limiter.acquire(); // waits for the first send to age out (~400 ms), not for the second (~650 ms)
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(395);
    expect(waited).toBeLessThan(600);
  });

  it('hold() stops every send until it passes', async () => {
    const limiter = new SlidingWindowLimiter({ requests: 100, windowMs: 1_000 });
    limiter.hold(150);
    const t0 = performance.now();
    await Promise.all([limiter.acquire(), limiter.acquire()]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(145);
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
