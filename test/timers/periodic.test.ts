/**
 * The scheduler's periodic jobs (src/timers/periodic.ts): the sweep, the tick and the drift watch
 * run on its timers, one replica at a time under one kind of lease, and a shutdown waits for them.
 * Timers are Vitest's fake `setInterval`, moved by hand; leases live in real stores and their
 * time is a `ManualClock`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Auditor } from '../../src/core/auditor.js';
import type { Store } from '../../src/core/model.js';
import { openStore } from '../../src/store/index.js';
import type { PeriodicJob } from '../../src/timers/periodic.js';
import { Scheduler } from '../../src/timers/scheduler.js';
import { InFlight } from '../../src/util/in-flight.js';
import { ManualClock } from '../support/clock.js';
import { capturingLogger } from '../support/logs.js';
import { createThrowawaySchema, pgUrl, type ThrowawaySchema } from '../support/postgres.js';

const T0 = new Date('2026-05-01T09:00:00.000Z');
const MINUTE = 60_000;

/** What a test needs to build schedulers: a store, a clock, a captured log. */
interface Setup {
  store: Store;
  clock: ManualClock;
  logs: string[];
  scheduler(options?: {
    instanceId?: string;
    exclusive?: boolean;
    store?: Store;
    inFlight?: InFlight;
  }): Scheduler;
}

function setup(store: Store): Setup {
  const clock = new ManualClock(T0);
  const { logger, lines: logs } = capturingLogger('info');
  return {
    store,
    clock,
    logs,
    scheduler: (options = {}) =>
      new Scheduler({
        store: options.store ?? store,
        keys: { listKeys: async () => [] },
        clock,
        logger,
        audit: new Auditor(options.store ?? store, clock, logger),
        instanceId: options.instanceId ?? 'instance-a',
        exclusive: options.exclusive ?? true,
        ...(options.inFlight ? { inFlight: options.inFlight } : {}),
      }),
  };
}

/** Lets every promise callback run (`setImmediate` is never faked here). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A job whose runs the test counts, and may hold open until it lets them go. */
function countedJob(name: string, intervalMs: number, extra: Partial<PeriodicJob<number>> = {}) {
  const runs: number[] = [];
  let skipped = 0;
  let gate: Promise<void> = Promise.resolve();
  let open = () => {};
  const job: PeriodicJob<number> = {
    name,
    intervalMs,
    run: async () => {
      runs.push(runs.length + 1);
      await gate;
      return runs.length;
    },
    onSkipped: () => {
      skipped += 1;
    },
    ...extra,
  };
  return {
    job,
    runs,
    skipped: () => skipped,
    /** Runs from now on wait until `release()`. */
    hold: () => {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release: () => open(),
  };
}

describe('periodic jobs on the scheduler (SQLite, this instance alone)', () => {
  let dir: string;
  let s: Setup;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyhouse-periodic-'));
    s = setup(await openStore(`sqlite:${join(dir, 'k.db')}`, {}));
  });
  afterEach(async () => {
    vi.useRealTimers();
    await s.store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('starts every timer together: each first runs one interval after start, an atStart job at once too; stop() stops them all', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const inFlight = new InFlight();
    const scheduler = s.scheduler({ inFlight });
    const sweep = countedJob('sweep', 30_000);
    const drift = countedJob('drift', 10 * MINUTE, { atStart: true });
    scheduler.every(sweep.job);
    scheduler.every(drift.job);
    let ticks = 0;
    scheduler.register({
      id: 'test.tick',
      due: () => {
        ticks += 1;
        return [];
      },
    });
    const counts = () => ({ sweep: sweep.runs.length, drift: drift.runs.length, ticks });
    /** Moves the timers on by `ms`, one sweep interval at a time, letting each run end. */
    const advance = async (ms: number) => {
      for (let moved = 0; moved < ms; moved += 30_000) {
        vi.advanceTimersByTime(30_000);
        await inFlight.idle(30_000);
      }
    };

    scheduler.start();
    await inFlight.idle(30_000);
    expect(counts()).toEqual({ sweep: 0, drift: 1, ticks: 0 });
    vi.advanceTimersByTime(30_000 - 1);
    expect(inFlight.running).toBe(0);
    vi.advanceTimersByTime(1);
    await inFlight.idle(30_000);
    expect(counts()).toEqual({ sweep: 1, drift: 1, ticks: 0 });
    // The tick's default interval is a minute, the drift watch's here ten.
    await advance(30_000);
    expect(counts()).toEqual({ sweep: 2, drift: 1, ticks: 1 });
    await advance(9 * MINUTE);
    expect(counts()).toEqual({ sweep: 20, drift: 2, ticks: 10 });

    scheduler.stop();
    vi.advanceTimersByTime(60 * MINUTE);
    expect(inFlight.running).toBe(0);
    expect(counts()).toEqual({ sweep: 20, drift: 2, ticks: 10 });
  });

  it('a timer that fires while its job still runs skips its turn; runs asked for meanwhile wait, one after another', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const inFlight = new InFlight();
    const scheduler = s.scheduler({ inFlight });
    const sweep = countedJob('sweep', 30_000);
    const handle = scheduler.every(sweep.job);
    scheduler.start();

    sweep.hold();
    vi.advanceTimersByTime(30_000);
    await settle();
    expect(sweep.runs).toHaveLength(1);
    // The tick's timer fires in these three intervals too; its run (no rules) ends at once.
    vi.advanceTimersByTime(3 * 30_000);
    await settle();
    // Asked for by hand (a test, an operator): queued behind the run in progress, not beside it.
    const asked = handle.now();
    expect(inFlight.running).toBe(2);
    expect(sweep.runs).toHaveLength(1);

    sweep.release();
    expect(await asked).toEqual({ ran: true, result: 2 });
    expect(await inFlight.idle(30_000)).toBe(true);
    expect(sweep.runs).toHaveLength(2);
    scheduler.stop();
  });

  it('a run that fails is logged under its job, and the next interval runs it again', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const inFlight = new InFlight();
    const scheduler = s.scheduler({ inFlight });
    const attempts: string[] = [];
    scheduler.every({
      name: 'sweep',
      intervalMs: 30_000,
      run: async () => {
        attempts.push(attempts.length === 0 ? 'failed' : 'ok');
        if (attempts.length === 1) throw new Error('the database is away');
      },
    });
    scheduler.start();
    vi.advanceTimersByTime(30_000);
    await inFlight.idle(30_000);
    await settle();
    expect(s.logs.join('')).toMatch(/"job":"sweep".*"msg":"sweep failed"/);
    vi.advanceTimersByTime(30_000);
    await inFlight.idle(30_000);
    expect(attempts).toEqual(['failed', 'ok']);
    scheduler.stop();
  });

  it('a shutdown waits for a run in flight: it counts from the moment it is asked for', async () => {
    const inFlight = new InFlight();
    const scheduler = s.scheduler({ inFlight });
    const sweep = countedJob('sweep', 30_000);
    const handle = scheduler.every(sweep.job);
    sweep.hold();
    const first = handle.now();
    const second = handle.now();
    // The second waits behind the first, and counts already: a shutdown cannot slip in between.
    expect(inFlight.running).toBe(2);
    expect(await inFlight.idle(0)).toBe(false);
    sweep.release();
    await Promise.all([first, second]);
    expect(inFlight.running).toBe(0);
  });

  it('its timers never keep the process alive', () => {
    const scheduler = s.scheduler();
    scheduler.every(countedJob('sweep', 30_000).job);
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    scheduler.start();
    // Started synchronously: nothing else ran in between. Two timers (sweep, tick), neither counted.
    expect(timers()).toBe(before);
    scheduler.stop();
  });

  it('runs every job although a lease is held: with the database to itself, a lease left by its crashed predecessor does not hold it back', async () => {
    // What a predecessor that crashed holding the lease left behind.
    expect(await s.store.tryLease('sweep', 'crashed-predecessor', 60_000, T0)).toBe(true);
    expect(await s.store.tryLease('timers', 'crashed-predecessor', 120_000, T0)).toBe(true);
    const scheduler = s.scheduler({ instanceId: 'restarted' });
    const sweep = countedJob('sweep', 30_000);
    expect(await scheduler.every(sweep.job).now()).toEqual({ ran: true, result: 1 });
    expect((await scheduler.tick()).ran).toBe(true);
    expect(sweep.skipped()).toBe(0);
  });

  it('refuses a job name registered twice (it names the lease), the tick’s included', () => {
    const scheduler = s.scheduler();
    scheduler.every(countedJob('sweep', 30_000).job);
    expect(() => scheduler.every(countedJob('sweep', 30_000).job)).toThrow(/twice/);
    expect(() => scheduler.every(countedJob('timers', 30_000).job)).toThrow(/twice/);
  });
});

describe.skipIf(!pgUrl)('periodic jobs on PostgreSQL replicas', () => {
  let schema: ThrowawaySchema;
  const stores: Store[] = [];
  let s: Setup;
  const open = async () => {
    const store = await openStore(pgUrl ?? '', { schema: schema.name });
    stores.push(store);
    return store;
  };
  beforeEach(async () => {
    schema = await createThrowawaySchema(pgUrl ?? '');
    s = setup(await open());
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await schema.drop();
  });

  it('two replicas: each job runs on one at a time, the other skips; jobs hold leases of their own', async () => {
    const a = s.scheduler({ instanceId: 'replica-a', exclusive: false });
    const b = s.scheduler({ instanceId: 'replica-b', exclusive: false, store: await open() });
    const sweepA = countedJob('sweep', 30_000);
    const sweepB = countedJob('sweep', 30_000);
    const driftB = countedJob('drift', 10 * MINUTE);
    const [onA, onB] = [a.every(sweepA.job), b.every(sweepB.job)];
    const turns = await Promise.all([onA.now(), onB.now(), onA.now(), onB.now()]);
    // Whoever took the lease first keeps it while it renews it; the other skips every time.
    expect(turns.filter((t) => t.ran)).toHaveLength(2);
    expect(sweepA.runs.length + sweepB.runs.length).toBe(2);
    expect(sweepA.skipped() + sweepB.skipped()).toBe(2);
    expect(Math.min(sweepA.runs.length, sweepB.runs.length)).toBe(0);
    // Another job's lease is its own: the replica that does not sweep may watch for drift.
    const notSweeping = sweepA.runs.length ? b : a;
    expect(await notSweeping.every(driftB.job).now()).toMatchObject({ ran: true });
  });

  it('a replica that dies holding a lease passes the turn on two intervals later, never sooner', async () => {
    const dying = s.scheduler({ instanceId: 'replica-dying', exclusive: false });
    const sweep = countedJob('sweep', 30_000);
    expect(await dying.every(sweep.job).now()).toMatchObject({ ran: true });
    expect((await dying.tick()).ran).toBe(true);

    // It stops here, mid-interval; another replica starts on the same database.
    const other = s.scheduler({ instanceId: 'replica-other', exclusive: false, store: await open() });
    const sweepOther = countedJob('sweep', 30_000);
    const onOther = other.every(sweepOther.job);
    s.clock.advance(60_000 - 1);
    expect(await onOther.now()).toEqual({ ran: false });
    expect((await other.tick()).ran).toBe(false);
    s.clock.advance(1);
    expect(await onOther.now()).toMatchObject({ ran: true });
    // The tick's lease lasts two of its own intervals (a minute each).
    s.clock.advance(60_000);
    expect((await other.tick()).ran).toBe(true);
    expect(sweepOther.skipped()).toBe(1);
  });
});
