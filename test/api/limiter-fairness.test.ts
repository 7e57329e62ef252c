/**
 * The budget's promises (product.md §9 "Budget fairness") as properties of the limiter, over random
 * mixes of owners, priorities, arrival times and 429 holds, on fake time (no test waits on the wall
 * clock). The model below recomputes from what happened — who asked when, who was let through when —
 * what the limiter promises, without asking the limiter:
 *
 * 1. no window holds more than `requests` sends, nor more than half of them (rounded up) of one owner;
 * 2. normal work never takes the sends kept for urgent work, and nobody sends during a hold;
 * 3. one owner's work of one priority goes first come, first served, and everything is sent in the end;
 * 4. one turn: while an urgent request is ready (its owner under its share, none of its owner's
 *    earlier urgent requests still waiting), each other owner sends at most once, and only urgent work;
 * 5. the `Turn` the limiter reports for each request is what happened (so the client's stats, and the
 *    runs that read them, can be trusted).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SlidingWindowLimiter, type Turn } from '../../src/api/limiter.js';
import type { BudgetLane } from '../../src/core/budget.js';

const OWNERS = ['U0ALICE', 'U0BOB', 'U0CAROL', 'timers'] as const;

interface Ask {
  id: number;
  lane: BudgetLane;
  turn?: Turn;
}

/** What happened, in the order it happened. */
type Entry =
  | { kind: 'arrive'; ask: Ask }
  | { kind: 'send'; ask: Ask; at: number }
  | { kind: 'hold'; from: number; until: number };

type Step = { gap: number } & (
  | { kind: 'ask'; owner: number; urgent: boolean }
  | { kind: 'hold'; ms: number }
);

interface Scenario {
  requests: number;
  windowMs: number;
  marginMs: number;
  reservedForUrgent: number;
  steps: Step[];
}

const step = (windowMs: number): fc.Arbitrary<Step> =>
  fc.oneof(
    {
      weight: 12,
      arbitrary: fc.record({
        kind: fc.constant('ask' as const),
        // Bursts: most asks come at the same moment as the one before, or soon after.
        gap: fc.oneof(
          { weight: 3, arbitrary: fc.constant(0) },
          { weight: 3, arbitrary: fc.integer({ min: 0, max: Math.ceil(windowMs / 10) }) },
          { weight: 1, arbitrary: fc.integer({ min: 0, max: windowMs }) },
        ),
        owner: fc.integer({ min: 0, max: OWNERS.length - 1 }),
        urgent: fc.boolean(),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('hold' as const),
        gap: fc.integer({ min: 0, max: windowMs }),
        ms: fc.integer({ min: 1, max: windowMs }),
      }),
    },
  );

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    requests: fc.integer({ min: 2, max: 10 }),
    windowMs: fc.integer({ min: 50, max: 1_000 }),
    marginMs: fc.integer({ min: 0, max: 50 }),
    reservedForUrgent: fc.integer({ min: 0, max: 2 }),
  })
  .chain((budget) =>
    fc
      .array(step(budget.windowMs), { minLength: 1, maxLength: 80, size: 'max' })
      .map((steps) => ({ ...budget, steps })),
  );

/** Runs the steps against a limiter on fake time; returns the log once every ask is sent. */
async function run(s: Scenario): Promise<{ limiter: SlidingWindowLimiter; log: Entry[]; asks: Ask[] }> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 0 });
  const limiter = new SlidingWindowLimiter({
    requests: s.requests,
    windowMs: s.windowMs,
    marginMs: s.marginMs,
    reservedForUrgent: s.reservedForUrgent,
    now: () => Date.now(),
  });
  const log: Entry[] = [];
  const asks: Ask[] = [];
  let held = 0;
  for (const step of s.steps) {
    // Each step after the last one's sends are logged: fake timers flush promise callbacks first.
    await vi.advanceTimersByTimeAsync(step.gap);
    if (step.kind === 'hold') {
      limiter.hold(step.ms);
      held += step.ms;
      log.push({ kind: 'hold', from: Date.now(), until: Date.now() + step.ms });
      continue;
    }
    const ask: Ask = {
      id: asks.length,
      lane: { owner: OWNERS[step.owner]!, priority: step.urgent ? 'urgent' : 'normal' },
    };
    asks.push(ask);
    log.push({ kind: 'arrive', ask });
    void limiter.acquire(ask.lane).then((turn) => {
      ask.turn = turn;
      log.push({ kind: 'send', ask, at: Date.now() });
    });
  }
  // Every window lets at least one send through: this is more than enough for all of them.
  await vi.advanceTimersByTimeAsync((asks.length + 1) * (s.windowMs + limiter.marginMs + 1) + held);
  return { limiter, log, asks };
}

const sends = (log: Entry[]) => log.flatMap((e) => (e.kind === 'send' ? [e] : []));

/** The most sends in any half-open span [t, t + span). */
function mostInSpan(times: number[], span: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let end = 0, start = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= span) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

/**
 * The model's account of each ask's wait: every other owner's send between its arrival and its own,
 * and, of those, the ones made while it was ready, by owner and priority.
 */
function waitsOf(log: Entry[], asks: Ask[], limiter: SlidingWindowLimiter) {
  const span = limiter.windowMs + limiter.marginMs;
  const arrived = new Set<Ask>();
  const sent: { ask: Ask; at: number }[] = [];
  const waits = new Map(
    asks.map((ask) => [ask, { othersSent: 0, ahead: [] as { owner: string; urgent: boolean }[] }]),
  );
  const waiting = () => [...arrived].filter((ask) => !sent.some((s) => s.ask === ask));
  const ready = (ask: Ask, now: number, queued: Ask[]) => {
    const { owner } = ask.lane;
    const inWindow = sent.filter((s) => s.ask.lane.owner === owner && s.at > now - span).length;
    // Its owner's own work ahead of it: earlier urgent asks; for normal work any urgent ask and
    // earlier normal ones.
    const ownAhead = queued.some(
      (other) =>
        other.lane.owner === owner &&
        other !== ask &&
        (ask.lane.priority === 'urgent'
          ? other.lane.priority === 'urgent' && other.id < ask.id
          : other.lane.priority === 'urgent' || other.id < ask.id),
    );
    return inWindow < limiter.perOwner && !ownAhead;
  };
  for (const entry of log) {
    if (entry.kind === 'arrive') arrived.add(entry.ask);
    if (entry.kind !== 'send') continue;
    const queued = waiting().filter((ask) => ask !== entry.ask);
    for (const ask of queued) {
      if (ask.lane.owner === entry.ask.lane.owner) continue;
      const wait = waits.get(ask)!;
      wait.othersSent++;
      if (ready(ask, entry.at, queued)) {
        wait.ahead.push({ owner: entry.ask.lane.owner, urgent: entry.ask.lane.priority === 'urgent' });
      }
    }
    sent.push({ ask: entry.ask, at: entry.at });
  }
  return waits;
}

function mostByOneOwner(ahead: { owner: string }[]): number {
  const counts = new Map<string, number>();
  for (const { owner } of ahead) counts.set(owner, (counts.get(owner) ?? 0) + 1);
  return Math.max(0, ...counts.values());
}

describe('the budget, over random mixes of owners, priorities and arrival times', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps to the window and the shares, serves everyone, and delays no urgent request past one turn', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        try {
          const { limiter, log, asks } = await run(s);
          const span = limiter.windowMs + limiter.marginMs;
          const all = sends(log);

          // 3. Everything is sent, and one owner's work of one priority in the order it came.
          expect(all).toHaveLength(asks.length);
          for (const owner of OWNERS) {
            for (const priority of ['urgent', 'normal']) {
              const mine = (ask: Ask) => ask.lane.owner === owner && ask.lane.priority === priority;
              const order = all.filter((e) => mine(e.ask)).map((e) => e.ask.id);
              expect(order).toEqual([...order].sort((a, b) => a - b));
            }
          }

          // 1. The window, and no owner above half of it (rounded up).
          expect(
            mostInSpan(
              all.map((e) => e.at),
              span,
            ),
          ).toBeLessThanOrEqual(s.requests);
          for (const owner of OWNERS) {
            const times = all.filter((e) => e.ask.lane.owner === owner).map((e) => e.at);
            expect(mostInSpan(times, span)).toBeLessThanOrEqual(Math.ceil(s.requests / 2));
          }

          // 2. Normal work leaves the reserved sends alone; holds hold everyone.
          const reserved = Math.min(s.reservedForUrgent, s.requests - 1);
          all.forEach((send, i) => {
            if (send.ask.lane.priority !== 'normal') return;
            const before = all.slice(0, i).filter((e) => e.at > send.at - span).length;
            expect(before).toBeLessThan(s.requests - reserved);
          });
          log.forEach((entry, i) => {
            if (entry.kind !== 'hold') return;
            const during = sends(log.slice(i)).filter((e) => e.at < entry.until);
            expect(during).toEqual([]);
          });

          // 4 and 5. One turn, and the limiter's own account of each wait.
          const waits = waitsOf(log, asks, limiter);
          for (const ask of asks) {
            const wait = waits.get(ask)!;
            if (ask.lane.priority === 'urgent') {
              expect(mostByOneOwner(wait.ahead)).toBeLessThanOrEqual(1);
              expect(wait.ahead.filter((a) => !a.urgent)).toEqual([]);
            }
            expect(ask.turn).toEqual({
              othersSent: wait.othersSent,
              othersAhead: wait.ahead.length,
              mostAheadByOneOwner: mostByOneOwner(wait.ahead),
            });
          }
        } finally {
          vi.useRealTimers();
        }
      }),
      { numRuns: 200 },
    );
  });
});
