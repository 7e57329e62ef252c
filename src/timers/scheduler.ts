/**
 * One place for timed work over the store (product.md §8, style.md "Timers belong together").
 *
 * Each tick, one replica at a time (a store lease), the scheduler reads ClickHouse's key list
 * ONCE, Keyhouse's key owners and the marks already taken, and asks every registered rule what
 * is due. Each piece of due work is claimed by inserting its mark (rule, subject, threshold) if
 * absent, audited, and only then run:
 *
 * ```
 *   rule.due(view) ──▶ dueAt ≤ now? ──▶ claimTimer (insert-if-absent) ──▶ audit attempt ──▶ run
 *                       no: wait         taken: someone did it               │
 *                                                                 ok ──▶ mark done, audit ok
 *                                                             throws ──▶ mark failed, audit failed
 *                                                                        (claimed again while it has attempts left)
 * ```
 *
 * So work never runs early, and runs at most once across restarts and replicas: a crash between
 * the claim and the end leaves the mark `claimed`, and nobody repeats it. Except for work that
 * must not be lost and may safely be done twice (disabling a key whose owner left, retiring a
 * rotated key): it says `abandonedAfterMs`, and a claim still open that long later, its process
 * dead, is taken again. Work that writes to
 * ClickHouse says how many writes it makes; a tick never makes more than `writesPerTick`, and
 * leaves the rest due for the next tick, so timers take a small, fixed share of the
 * 10-requests-per-10-s budget (one list and `writesPerTick` writes per interval). Work not tried
 * yet goes before work tried again after a failure, so what keeps failing never holds the rest back.
 *
 * Nothing here knows Slack: rules get their notifier from whoever registers them.
 *
 * The tick is one of the scheduler's periodic jobs (periodic.ts); the sweep and the drift watch
 * are the others (`every`). All of them run on one replica at a time under the same kind of lease,
 * their timers start and stop together, and their runs count as work in flight for a shutdown.
 */
import type { Logger } from 'pino';
import type { Auditor } from '../core/auditor.js';
import { runAs } from '../core/budget.js';
import type { ApiKey } from '../core/clickhouse.js';
import type { Clock } from '../core/clock.js';
import type { KeyOwner, Store, TimerMark } from '../core/model.js';
import type { KeyApi } from '../core/ports.js';
import { InFlight } from '../util/in-flight.js';
import { type Job, type PeriodicJob, ReplicaTurns, ScheduledJob } from './periodic.js';

/** Which subjects a rule already acted on, from the store, as read at the start of a tick. */
export class MarkBook {
  readonly #byKey = new Map<string, TimerMark>();
  readonly #bySubject = new Map<string, TimerMark[]>();

  constructor(marks: readonly TimerMark[]) {
    for (const mark of marks) {
      this.#byKey.set(markKey(mark.rule, mark.subject, mark.threshold), mark);
      const key = `${mark.rule}\u0000${mark.subject}`;
      const list = this.#bySubject.get(key) ?? [];
      list.push(mark);
      this.#bySubject.set(key, list);
    }
  }

  get(rule: string, subject: string, threshold: string): TimerMark | undefined {
    return this.#byKey.get(markKey(rule, subject, threshold));
  }

  /** Every mark of `rule` on `subject`, oldest claim first. */
  of(rule: string, subject: string): readonly TimerMark[] {
    return this.#bySubject.get(`${rule}\u0000${subject}`) ?? [];
  }

  /** Every mark of `rule`. */
  all(rule: string): TimerMark[] {
    return [...this.#byKey.values()].filter((m) => m.rule === rule);
  }
}

function markKey(rule: string, subject: string, threshold: string): string {
  return `${rule}\u0000${subject}\u0000${threshold}`;
}

/** What every rule sees in one tick. */
export interface TickView {
  readonly now: Date;
  /** ClickHouse's key list, read once for the whole tick ([] when no rule asked for it). */
  readonly keys: readonly ApiKey[];
  /** Keyhouse's key owners, by key id. */
  readonly owners: ReadonlyMap<string, KeyOwner>;
  /** Marks of every registered rule, as stored when the tick began. */
  readonly marks: MarkBook;
}

/** Facts the audit event of a piece of work carries. */
export interface WorkAbout {
  keyId?: string | null;
  keyName?: string | null;
  keySuffix?: string | null;
  requestId?: string | null;
  detail?: Record<string, unknown>;
}

/** One action a rule finds due: done at most once per (rule, subject, threshold). */
export interface DueWork {
  /** What it acts on: a key id, a request id, a user id. */
  subject: string;
  /** Which occurrence: a warning threshold, an expiry instant, a day. */
  threshold: string;
  /** Never run before this. */
  dueAt: Date;
  /** ClickHouse writes it may make, counted against the tick's budget (default 0). */
  writes?: number;
  /**
   * How many times it may be tried in all when it throws (default 3): a failure usually means
   * nothing happened (Slack or ClickHouse refused). A crash in the middle is never repeated.
   */
  maxAttempts?: number;
  /**
   * For work that may safely be done twice (a PATCH to a state, a delete): a claim left open this
   * long (its process died in the middle) is claimed and run again. Absent: at most once.
   */
  abandonedAfterMs?: number;
  /** Kept on the mark (for rules that read it back later). Small and secret-free. */
  detail?: Record<string, unknown>;
  about?: WorkAbout;
  /** Does it; what it returns is added to the `ok` audit event. */
  run(): Promise<Record<string, unknown> | undefined>;
}

export interface TimerRule {
  /** Dotted id (`expiry.warning`): the marks' `rule` and the audit action `timer.<id>`. */
  readonly id: string;
  /** Whether the rule needs ClickHouse's key list (read once per tick for all rules). */
  readonly needsKeys?: boolean;
  /** Marks of other rules it reads from the view (its own are always there). */
  readonly reads?: readonly string[];
  due(view: TickView): Promise<DueWork[]> | DueWork[];
}

export interface SchedulerOptions {
  store: Store;
  keys: Pick<KeyApi, 'listKeys'>;
  clock: Clock;
  logger: Logger;
  audit: Auditor;
  instanceId: string;
  /** True when this instance is the database's only user (SQLite): no lease is needed. */
  exclusive: boolean;
  /** How often the timer ticks; the replica lease lasts twice this. Default 60 s. */
  intervalMs?: number;
  /** ClickHouse writes one tick may make; the rest waits for the next tick. Default 2. */
  writesPerTick?: number;
  /** Where runs of periodic jobs are counted, so a shutdown can wait for them (default: its own). */
  inFlight?: InFlight;
}

export interface TickResult {
  /** False when another replica holds the lease (this tick did nothing). */
  ran: boolean;
  done: number;
  failed: number;
  /** Due work left for a later tick because the write budget was spent. */
  deferred: number;
}

export type WorkOutcome = 'done' | 'failed' | 'taken';

export const DEFAULT_TIMER_INTERVAL_MS = 60_000;
/** The tick's periodic job, and so its replica lease. */
const TIMERS_LEASE = 'timers';
/** The budget owner of timed work (api/budget.ts). */
export const TIMERS_OWNER = 'timers';
export const DEFAULT_WRITES_PER_TICK = 2;
/**
 * When an open claim of work that may be done twice counts as abandoned: far longer than any
 * piece of work takes in a live process (a few ClickHouse calls, retries and budget waits included).
 */
export const ABANDONED_AFTER_MS = 10 * 60_000;
const DEFAULT_MAX_ATTEMPTS = 3;

/** Claims of `work` made at or before this instant were abandoned (null: claims are never taken back). */
function abandonedBefore(work: DueWork, now: Date): Date | null {
  return work.abandonedAfterMs === undefined ? null : new Date(now.getTime() - work.abandonedAfterMs);
}

export class Scheduler {
  readonly intervalMs: number;
  readonly writesPerTick: number;
  readonly #options: SchedulerOptions;
  readonly #rules = new Map<string, TimerRule>();
  readonly #turns: ReplicaTurns;
  readonly #inFlight: InFlight;
  readonly #jobs = new Map<string, ScheduledJob<unknown>>();
  readonly #ticks: Job<TickResult>;

  constructor(options: SchedulerOptions) {
    this.#options = options;
    this.intervalMs = options.intervalMs ?? DEFAULT_TIMER_INTERVAL_MS;
    this.writesPerTick = options.writesPerTick ?? DEFAULT_WRITES_PER_TICK;
    this.#turns = new ReplicaTurns(options);
    this.#inFlight = options.inFlight ?? new InFlight();
    // Every ClickHouse call of a tick is the timers' (api/budget.ts): they never take more than
    // their share of the budget from people waiting on a click.
    this.#ticks = this.every({
      name: TIMERS_LEASE,
      intervalMs: this.intervalMs,
      run: () => runAs(TIMERS_OWNER, () => this.#tick()),
    });
  }

  /**
   * Adds a periodic job (its name must be unique: it names the job's lease). Returns it, to run
   * outside its timer.
   */
  every<T>(job: PeriodicJob<T>): Job<T> {
    if (this.#jobs.has(job.name)) throw new Error(`periodic job ${job.name} is registered twice`);
    const scheduled = new ScheduledJob(job, {
      turns: this.#turns,
      inFlight: this.#inFlight,
      logger: this.#options.logger,
    });
    this.#jobs.set(job.name, scheduled as ScheduledJob<unknown>);
    return scheduled;
  }

  /** Starts every periodic job's timer (those `atStart` also run at once). */
  start(): void {
    for (const job of this.#jobs.values()) job.start();
  }

  /** Stops the timers; runs still going finish (`inFlight` says when). */
  stop(): void {
    for (const job of this.#jobs.values()) job.stop();
  }

  /** Whether the periodic job `name` is running now (its timer would skip a turn). */
  busy(name: string): boolean {
    return this.#jobs.get(name)?.busy ?? false;
  }

  /** Adds a rule; its id must be unique (it names the rule's marks for ever). */
  register(rule: TimerRule): void {
    if (this.#rules.has(rule.id)) throw new Error(`timer rule ${rule.id} is registered twice`);
    this.#rules.set(rule.id, rule);
  }

  get rules(): readonly string[] {
    return [...this.#rules.keys()];
  }

  /**
   * One evaluation of every rule (what the timer does), after any tick of this process still
   * running; `ran: false` when another replica has the turn.
   */
  async tick(): Promise<TickResult> {
    const turn = await this.#ticks.now();
    return turn.ran ? turn.result : { ran: false, done: 0, failed: 0, deferred: 0 };
  }

  /** A tick in the background, for an event that may have made timed work due. */
  tickSoon(): void {
    this.#ticks.soon();
  }

  /**
   * Claims, audits and runs one piece of work of `ruleId` now (also outside a tick: a Slack
   * event, a click). `taken` when it was already claimed or is not due yet.
   */
  async runOnce(ruleId: string, work: DueWork): Promise<WorkOutcome> {
    const { store, clock, audit, logger, instanceId } = this.#options;
    const now = clock.now();
    const ids = { rule: ruleId, subject: work.subject, threshold: work.threshold, holder: instanceId };
    const mark = await store.claimTimer({
      ...ids,
      dueAt: work.dueAt,
      at: now,
      detail: work.detail ?? null,
      maxAttempts: work.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      abandonedBefore: abandonedBefore(work, now),
    });
    if (!mark) return 'taken';
    const about = work.about ?? {};
    const entry = {
      actorId: 'system',
      action: `timer.${ruleId}`,
      requestId: about.requestId ?? null,
      keyId: about.keyId ?? null,
      keyName: about.keyName ?? null,
      keySuffix: about.keySuffix ?? null,
      detail: {
        ...about.detail,
        subject: work.subject,
        threshold: work.threshold,
        dueAt: work.dueAt.toISOString(),
        attempt: mark.attempts,
      },
    };
    const settle = (state: 'done' | 'failed', result?: Record<string, unknown>) =>
      store
        .settleTimer({
          ...ids,
          state,
          at: clock.now(),
          // What the work found is kept beside what it was given, for rules that read it later.
          ...(result ? { detail: { ...work.detail, ...result } } : {}),
        })
        .catch((error: unknown) => logger.error({ err: error, ...ids }, 'could not settle a timer mark'));
    try {
      // Fail-closed: unrecorded work is not done (and stays claimable while it has attempts).
      await audit.before({ ...entry, outcome: 'attempt' });
    } catch (error) {
      await settle('failed');
      throw error;
    }
    let result: Record<string, unknown> | undefined;
    try {
      result = await work.run();
    } catch (error) {
      await settle('failed');
      const failure = error instanceof Error ? error.name : 'unknown';
      await audit.after({ ...entry, outcome: 'failed', detail: { ...entry.detail, error: failure } });
      logger.warn({ err: error, ...ids }, 'timed work failed');
      return 'failed';
    }
    await settle('done', result);
    await audit.after({ ...entry, outcome: 'ok', detail: { ...entry.detail, ...result } });
    return 'done';
  }

  async #tick(): Promise<TickResult> {
    const { store, keys, clock, logger } = this.#options;
    const rules = [...this.#rules.values()];
    if (rules.length === 0) return { ran: true, done: 0, failed: 0, deferred: 0 };
    const now = clock.now();
    // PRIORITY: timer (counted to the `timers` lane) — the one key list of the tick, usually cached.
    const keyList = rules.some((r) => r.needsKeys) ? await keys.listKeys() : [];
    const [owners, marks] = await Promise.all([
      store.listKeyOwners(),
      store.listTimerMarks({ rules: [...new Set(rules.flatMap((r) => [r.id, ...(r.reads ?? [])]))] }),
    ]);
    const view: TickView = {
      now,
      keys: keyList,
      owners: new Map(owners.map((o) => [o.keyId, o])),
      marks: new MarkBook(marks),
    };

    const due: Array<{ rule: string; work: DueWork; retry: boolean }> = [];
    for (const rule of rules) {
      try {
        for (const work of await rule.due(view)) {
          if (work.dueAt.getTime() > now.getTime()) continue;
          const mark = view.marks.get(rule.id, work.subject, work.threshold);
          const before = abandonedBefore(work, now);
          const retry =
            (mark?.state === 'failed' || (mark?.state === 'claimed' && before && mark.claimedAt <= before)) &&
            mark.attempts < (work.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
          if (mark && !retry) continue;
          due.push({ rule: rule.id, work, retry: Boolean(retry) });
        }
      } catch (error) {
        logger.error({ err: error, rule: rule.id }, 'timer rule could not be evaluated');
      }
    }
    // Work not tried yet before work that failed (a destination down for days must not spend every
    // tick's writes ahead of an offboarding's disable); within each, the longest overdue first, so a
    // backlog drains in order.
    due.sort((a, b) => Number(a.retry) - Number(b.retry) || a.work.dueAt.getTime() - b.work.dueAt.getTime());

    const result: TickResult = { ran: true, done: 0, failed: 0, deferred: 0 };
    let budget = this.writesPerTick;
    for (const { rule, work } of due) {
      const writes = work.writes ?? 0;
      if (writes > budget) {
        result.deferred += 1;
        continue;
      }
      budget -= writes;
      try {
        const outcome = await this.runOnce(rule, work);
        if (outcome === 'done') result.done += 1;
        if (outcome === 'failed') result.failed += 1;
        // Taken elsewhere: it made no write here.
        if (outcome === 'taken') budget += writes;
      } catch (error) {
        result.failed += 1;
        logger.error({ err: error, rule, subject: work.subject }, 'timed work was refused');
      }
    }
    if (result.done || result.failed || result.deferred) logger.info(result, 'timers');
    return result;
  }
}
