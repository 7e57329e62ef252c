/**
 * The scheduler core (src/lifecycle/scheduler.ts) through the real app: timed work runs never
 * early, once, across a restart and across replicas, audited before it acts, and within its
 * ClickHouse write budget per tick.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DueWork, TimerRule } from '../../src/timers/scheduler.js';
import { DRIFT_CURSOR } from '../../src/watch/drift.js';
import { ManualClock } from '../support/clock.js';
import { Harness, type Instance } from '../support/keyhouse.js';
import { pgUrl } from '../support/postgres.js';

const T0 = new Date('2026-05-01T09:00:00.000Z');
const HOUR = 3_600_000;

/** A rule whose work is listed by the test; `runs` records every run, from any instance. */
function testRule(
  works: () => Array<Omit<DueWork, 'run'> & { fail?: boolean }>,
  runs: string[],
  id = 'test.ping',
): TimerRule {
  return {
    id,
    due: () =>
      works().map((w) => ({
        ...w,
        run: async () => {
          runs.push(`${w.subject}/${w.threshold}`);
          if (w.fail) throw new Error('refused');
          return { ran: true };
        },
      })),
  };
}

describe('scheduler', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('runs due work never early and once, audited before it acts', async () => {
    const clock = new ManualClock(T0);
    h = await Harness.start({ clock });
    const runs: string[] = [];
    h.keyhouse.scheduler.register(
      testRule(() => [{ subject: 's1', threshold: 't1', dueAt: new Date(T0.getTime() + HOUR) }], runs),
    );

    expect(await h.keyhouse.tick()).toMatchObject({ ran: true });
    clock.advance(HOUR - 1);
    await h.keyhouse.tick();
    expect(runs).toEqual([]);

    clock.advance(1);
    await h.keyhouse.tick();
    await h.keyhouse.tick();
    clock.advance(24 * HOUR);
    await h.keyhouse.tick();
    expect(runs).toEqual(['s1/t1']);

    const events = (await h.store.listAudit()).filter((e) => e.action === 'timer.test.ping');
    expect(events.map((e) => e.outcome)).toEqual(['attempt', 'ok']);
    expect(events[0]?.detail).toMatchObject({ subject: 's1', threshold: 't1', attempt: 1 });
    expect(events[1]?.detail).toMatchObject({ ran: true });
    expect(events[0]?.at).toEqual(new Date(T0.getTime() + HOUR));
  });

  it('does not run again after a restart on the same database', async () => {
    const clock = new ManualClock(T0);
    h = await Harness.start({ clock });
    const runs: string[] = [];
    const works = () => [
      { subject: 's1', threshold: 't1', dueAt: T0 },
      { subject: 's2', threshold: 't1', dueAt: new Date(T0.getTime() + HOUR) },
    ];
    h.keyhouse.scheduler.register(testRule(works, runs));
    await h.keyhouse.tick();
    expect(runs).toEqual(['s1/t1']);

    await h.stopInstance(h.instances[0] as Instance);
    const next = await h.startInstance();
    next.keyhouse.scheduler.register(testRule(works, runs));
    await next.keyhouse.tick();
    expect(runs).toEqual(['s1/t1']);
    clock.advance(HOUR);
    await next.keyhouse.tick();
    await next.keyhouse.tick();
    expect(runs).toEqual(['s1/t1', 's2/t1']);
  });

  it('makes at most writesPerTick ClickHouse writes per tick and leaves the rest for later ticks', async () => {
    const clock = new ManualClock(T0);
    h = await Harness.start({ clock, timers: { writesPerTick: 2 } });
    const runs: string[] = [];
    h.keyhouse.scheduler.register(
      testRule(
        () => [
          ...['a', 'b', 'c', 'd', 'e'].map((s, i) => ({
            subject: s,
            threshold: 'w',
            dueAt: new Date(T0.getTime() - (10 - i) * HOUR),
            writes: 1,
          })),
          // Work without writes is not held back by the budget.
          { subject: 'notice', threshold: 'n', dueAt: T0 },
        ],
        runs,
      ),
    );
    // (The built-in daily owner check also runs in this first tick; it makes no ClickHouse write.)
    expect(await h.keyhouse.tick()).toMatchObject({ deferred: 3 });
    expect(runs).toEqual(['a/w', 'b/w', 'notice/n']);
    expect(await h.keyhouse.tick()).toMatchObject({ done: 2, deferred: 1 });
    expect(await h.keyhouse.tick()).toMatchObject({ done: 1, deferred: 0 });
    expect(runs).toEqual(['a/w', 'b/w', 'notice/n', 'c/w', 'd/w', 'e/w']);
  });

  it('tries failed work again up to its attempts, then gives up', async () => {
    const clock = new ManualClock(T0);
    h = await Harness.start({ clock });
    const runs: string[] = [];
    h.keyhouse.scheduler.register(
      testRule(() => [{ subject: 's', threshold: 't', dueAt: T0, maxAttempts: 2, fail: true }], runs),
    );
    expect(await h.keyhouse.tick()).toMatchObject({ failed: 1 });
    expect(await h.keyhouse.tick()).toMatchObject({ failed: 1 });
    expect(await h.keyhouse.tick()).toMatchObject({ failed: 0, done: 0 });
    expect(runs).toEqual(['s/t', 's/t']);
    const outcomes = (await h.store.listAudit())
      .filter((e) => e.action === 'timer.test.ping')
      .map((e) => e.outcome);
    expect(outcomes).toEqual(['attempt', 'failed', 'attempt', 'failed']);
  });

  it('work that keeps failing does not spend every tick ahead of work not tried yet', async () => {
    const clock = new ManualClock(T0);
    h = await Harness.start({ clock });
    const runs: string[] = [];
    let fresh = false;
    h.keyhouse.scheduler.register(
      testRule(
        () => [
          // A destination down for days: the oldest work, two writes, failing at every try.
          {
            subject: 'down',
            threshold: 'rotate',
            dueAt: new Date(T0.getTime() - HOUR),
            writes: 2,
            maxAttempts: 100,
            fail: true,
          },
          ...(fresh ? [{ subject: 'leaver', threshold: 'disable', dueAt: T0, writes: 1 }] : []),
        ],
        runs,
      ),
    );
    expect(await h.keyhouse.tick()).toMatchObject({ failed: 1 });
    // Something new falls due: it goes first, and the failing work waits for writes left over.
    fresh = true;
    expect(await h.keyhouse.tick()).toMatchObject({ done: 1, deferred: 1 });
    expect(runs).toEqual(['down/rotate', 'leaver/disable']);
    // With nothing new, the failing work is tried again.
    expect(await h.keyhouse.tick()).toMatchObject({ failed: 1 });
    expect(runs).toEqual(['down/rotate', 'leaver/disable', 'down/rotate']);
  });

  it('refuses a rule id registered twice', async () => {
    h = await Harness.start();
    h.keyhouse.scheduler.register(testRule(() => [], []));
    expect(() => h.keyhouse.scheduler.register(testRule(() => [], []))).toThrow(/twice/);
  });
});

describe("the app's timers, all on the scheduler", () => {
  let h: Harness;
  afterEach(async () => {
    vi.useRealTimers();
    await h?.close();
  });

  it('sweep at start and every 30 s, tick from the first minute, drift watch at start and every 10 minutes; close() stops them', async () => {
    // The timers' intervals are moved by hand; everything else (sockets, the ceilings of `until`) runs on real time.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    h = await Harness.start({ timersRunning: true });
    let ticks = 0;
    h.keyhouse.scheduler.register({
      id: 'test.count',
      due: () => {
        ticks += 1;
        return [];
      },
    });
    const sweeps = async () =>
      Number(/keyhouse_sweeps_total\{outcome="ok"\} (\d+)/.exec(await h.metrics.text())?.[1] ?? 0);
    const activityReads = () => h.clickhouse.requests.filter((r) => r.route === 'listActivities').length;
    /** Moves the timers on by one sweep interval and waits for that sweep. */
    const nextSweep = async () => {
      const before = await sweeps();
      vi.advanceTimersByTime(30_000);
      await h.until(async () => (await sweeps()) > before, 'the next sweep');
    };

    // At start, in the background: the sweep, and the drift watch's first pass (it records where to start).
    await h.until(async () => (await sweeps()) === 1, 'the sweep at start');
    await h.until(() => h.store.getWatchState(DRIFT_CURSOR), 'the drift watch at start');
    expect(ticks).toBe(0);

    await nextSweep();
    expect(ticks).toBe(0);
    await nextSweep();
    await h.until(() => ticks === 1, 'the first tick');
    expect(activityReads()).toBe(0);
    // Each tick is let finish before the timers move on: a tick still running when the next one is
    // due skips that turn (by design), which on a busy machine would make the count a race.
    const tickDone = (n: number) =>
      h.until(() => ticks === n && !h.keyhouse.scheduler.busy('timers'), `tick ${n}`);
    await tickDone(1);
    for (let i = 3; i <= 20; i += 1) {
      await nextSweep();
      if (i % 2 === 0) await tickDone(i / 2);
    }
    await h.until(() => activityReads() === 1, 'the second drift pass');
    expect(ticks).toBe(10);

    // Closed, not yet its store (the harness closes that after the test): what the timers would run still could.
    expect(await h.keyhouse.close()).toEqual({ drained: true });
    const stopped = { sweeps: await sweeps(), ticks, reads: activityReads() };
    vi.advanceTimersByTime(60 * 60_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect({ sweeps: await sweeps(), ticks, reads: activityReads() }).toEqual(stopped);
    // Nothing ran on a closed app and failed.
    expect(h.logs).not.toMatch(/"level":50/);
  });
});

describe.skipIf(!pgUrl)('scheduler on PostgreSQL replicas', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('two replicas ticking together never double a piece of work', async () => {
    const clock = new ManualClock(T0);
    h = await Harness.start({ postgres: pgUrl ?? '', clock, timers: { writesPerTick: 100 } });
    const second = await h.startInstance();
    const runs: string[] = [];
    const works = () =>
      Array.from({ length: 20 }, (_, i) => ({ subject: `s${i}`, threshold: 't', dueAt: T0 }));
    h.keyhouse.scheduler.register(testRule(works, runs));
    second.keyhouse.scheduler.register(testRule(works, runs));

    const results = await Promise.all([h.keyhouse.tick(), second.keyhouse.tick()]);
    // One holds the lease; the other did nothing this tick.
    expect(results.filter((r) => r.ran)).toHaveLength(1);
    // Even without the lease (a click, an event), the marks let each run once.
    await Promise.all(
      works().flatMap((w) =>
        [h.keyhouse, second.keyhouse].map((k) =>
          k.scheduler.runOnce('test.ping', {
            ...w,
            run: async () => {
              runs.push(`again ${w.subject}`);
              return {};
            },
          }),
        ),
      ),
    );
    clock.advance(10 * 60_000);
    await Promise.all([h.keyhouse.tick(), second.keyhouse.tick()]);
    expect([...runs].sort()).toEqual(
      works()
        .map((w) => `${w.subject}/t`)
        .sort(),
    );
  });
});
