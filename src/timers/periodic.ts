/**
 * Periodic jobs (the sweep, the timed rules' tick, the drift watch) and whose turn it is to run
 * one. The `Scheduler` holds them; this file holds the rules they share.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Store } from '../core/model.js';
import type { InFlight } from '../util/in-flight.js';

/** A job the scheduler runs every `intervalMs`, on one replica at a time. */
export interface PeriodicJob<T> {
  /** Names the job in logs and its replica lease (`sweep`, `timers`, `drift`); unique. */
  readonly name: string;
  readonly intervalMs: number;
  /** Also run once as soon as the timers start; otherwise the first run is one interval later. */
  readonly atStart?: boolean;
  /** The work, on this replica's turn. */
  run(): Promise<T>;
  /** Called when another replica had the turn. */
  onSkipped?(): void;
}

/** One run of a job: its result, or `ran: false` when another replica had the turn. */
export type Turn<T> = { ran: true; result: T } | { ran: false };

/** A job registered on the scheduler, to run outside its timer (tests, a click that wants it soon). */
export interface Job<T> {
  /** Runs it now, after any run of it still going in this process; rejects when the work fails. */
  now(): Promise<Turn<T>>;
  /** Runs it in the background; a failure is logged. */
  soon(): void;
}

export interface TurnsOptions {
  store: Pick<Store, 'tryLease'>;
  clock: Clock;
  instanceId: string;
  /** True when this instance is the database's only user (SQLite): it needs no lease. */
  exclusive: boolean;
}

/**
 * Whose turn it is to run a periodic job: one replica at a time, under a store lease that lasts
 * two intervals, so a slow run is not overlapped by another replica's; or always when this
 * instance has the database to itself, which must not wait for a lease its crashed predecessor
 * still holds.
 */
export class ReplicaTurns {
  readonly #options: TurnsOptions;

  constructor(options: TurnsOptions) {
    this.#options = options;
  }

  /** True when this instance may run `job` now (and holds its lease for two intervals). */
  take(job: Pick<PeriodicJob<unknown>, 'name' | 'intervalMs'>): Promise<boolean> {
    const { store, clock, instanceId, exclusive } = this.#options;
    if (exclusive) return Promise.resolve(true);
    return store.tryLease(job.name, instanceId, job.intervalMs * 2, clock.now());
  }
}

/**
 * A job as the scheduler runs it: its runs in this process one after another, each counted as
 * work in flight from the moment it is asked for, and its timer `unref`'d (it never keeps the
 * process alive). A timer that fires while a run is still going skips its turn: slow work is not
 * queued behind itself.
 */
export class ScheduledJob<T> implements Job<T> {
  readonly #job: PeriodicJob<T>;
  readonly #turns: ReplicaTurns;
  readonly #inFlight: InFlight;
  readonly #logger: Logger;
  #chain: Promise<unknown> = Promise.resolve();
  #pending = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(job: PeriodicJob<T>, deps: { turns: ReplicaTurns; inFlight: InFlight; logger: Logger }) {
    this.#job = job;
    this.#turns = deps.turns;
    this.#inFlight = deps.inFlight;
    this.#logger = deps.logger;
  }

  now(): Promise<Turn<T>> {
    const done = this.#inFlight.begin();
    this.#pending += 1;
    const run = this.#chain.then(() => this.#turn());
    this.#chain = run.catch(() => undefined);
    return run.finally(() => {
      this.#pending -= 1;
      done();
    });
  }

  /** Whether a run is asked for or going (a timer firing now would skip its turn). */
  get busy(): boolean {
    return this.#pending > 0;
  }

  soon(): void {
    this.now().catch((error: unknown) =>
      this.#logger.error({ err: error, job: this.#job.name }, `${this.#job.name} failed`),
    );
  }

  start(): void {
    if (this.#timer) return;
    if (this.#job.atStart) this.soon();
    this.#timer = setInterval(() => {
      if (this.#pending === 0) this.soon();
    }, this.#job.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  async #turn(): Promise<Turn<T>> {
    if (!(await this.#turns.take(this.#job))) {
      this.#job.onSkipped?.();
      return { ran: false };
    }
    return { ran: true, result: await this.#job.run() };
  }
}
