/** How long the budget would keep a person's next request waiting: what "about N s" says. */
import { describe, expect, it } from 'vitest';
import { SlidingWindowLimiter } from '../../src/api/limiter.js';
import type { BudgetLane } from '../../src/core/budget.js';

const alice: BudgetLane = { owner: 'U0ALICE', priority: 'normal' };
const bob: BudgetLane = { owner: 'U0BOB', priority: 'normal' };

/** 10 per 10 s, 5 per owner, margin 500 ms, on a clock the test moves. */
function limiter() {
  let now = 0;
  const budget = new SlidingWindowLimiter({ requests: 10, windowMs: 10_000, now: () => now });
  return { budget, at: (ms: number) => (now = ms) };
}

describe('SlidingWindowLimiter.estimateWaitMs', () => {
  it('is 0 while a request would go at once', () => {
    const { budget } = limiter();
    expect(budget.estimateWaitMs(alice)).toBe(0);
  });

  it('someone who used their share waits for their oldest send to leave the window; others do not', async () => {
    const { budget, at } = limiter();
    for (let i = 0; i < 5; i++) {
      at(i * 100);
      await budget.acquire(alice);
    }
    at(1_000);
    // Her first send (at 0) leaves the 10.5 s window at 10,500.
    expect(budget.estimateWaitMs(alice)).toBe(9_500);
    expect(budget.estimateWaitMs(bob)).toBe(0);
    at(9_000);
    expect(budget.estimateWaitMs(alice)).toBe(1_500);
  });

  it('counts her requests already queued: the next waits for one more of her sends to leave', async () => {
    const { budget, at } = limiter();
    for (let i = 0; i < 5; i++) {
      at(i * 100);
      await budget.acquire(alice);
    }
    at(1_000);
    void budget.acquire(alice);
    // One of hers is queued for the send leaving at 10,500; the next needs the one leaving at 10,600.
    expect(budget.estimateWaitMs(alice)).toBe(9_600);
  });

  it('a hold (ClickHouse answered 429) is waited out', () => {
    const { budget } = limiter();
    budget.hold(4_000);
    expect(budget.estimateWaitMs(bob)).toBe(4_000);
  });

  it('a full window keeps everyone waiting for its oldest send', async () => {
    const { budget, at } = limiter();
    const owners = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I'];
    for (const [i, owner] of owners.entries()) {
      at(i * 10);
      await budget.acquire({ owner, priority: 'normal' });
    }
    at(100);
    // Nine sent, one kept for urgent work: a normal request waits for the first to leave (10,500).
    expect(budget.estimateWaitMs(bob)).toBe(10_400);
    expect(budget.estimateWaitMs({ owner: 'U0BOB', priority: 'urgent' })).toBe(0);
  });
});
