/**
 * Drift from the console (product.md §9): every 10 minutes one replica reads the organization's
 * activities since the last one it saw and reports each key event Keyhouse did not make itself —
 * `key_create`, `key_delete`, `openapi_key_update` — to the security channel; a Keyhouse key
 * changed elsewhere is also reported to its owner. With `unmanagedKeys: disable`, a key created
 * outside Keyhouse is disabled at once (never Keyhouse's own key).
 *
 * Once, across restarts and replicas, and never lost to a failed post: each report is a timer mark
 * (`drift.report`, one per activity) claimed before it is made and settled after, as the
 * scheduler's are. A report a Slack post failed is settled `failed` with what it had done (audited,
 * disabled, which posts went out) and holds the cursor, so the next pass reads it again and does
 * only what is missing, for up to `REPORT_ATTEMPTS` passes. Otherwise the cursor (the newest
 * `createdAt` read) moves past every activity read, key event or not; an entry that does not parse
 * is set aside — logged and audited by where it was and what was wrong, never by what it said —
 * and read past too. The first run only sets the cursor: history from before Keyhouse watched is
 * not reported.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Auditor } from '../core/auditor.js';
import type { Activity, ActivityList, ApiKey, MalformedActivity } from '../core/clickhouse.js';
import type { Clock } from '../core/clock.js';
import type { Store, TimerMark } from '../core/model.js';
import type { UnmanagedKeyAction } from '../core/policy-model.js';
import type { KeyApi } from '../core/ports.js';
import type { DriftNotice, WatchMetrics, WatchNotifier } from '../core/watch-ports.js';

export const DRIFT_CURSOR = 'drift.cursor';
/** The rule of the reports' timer marks (subject: the activity id). */
export const DRIFT_REPORT_RULE = 'drift.report';
const KEY_EVENTS = new Set(['key_create', 'key_delete', 'openapi_key_update']);
/** Passes a report is tried in before it is given up: an hour of Slack trouble at one pass per 10 minutes. */
export const REPORT_ATTEMPTS = 6;
/**
 * A report claimed this long ago and never settled was abandoned by a process that died in the
 * middle, and is taken again: posted twice at worst, rather than never. Far longer than a pass.
 */
const ABANDONED_AFTER_MS = 10 * 60_000;
/** Entries that do not parse, described one by one in their audit event; the rest are counted. */
const MALFORMED_DESCRIBED = 10;

/** What drift needs of ClickHouse: the activities, and the keys to name them. */
export interface ActivitySource {
  listActivities(options?: { from?: string }): Promise<ActivityList>;
  /** Forget cached keys: they changed behind Keyhouse's back. */
  invalidateKeyList?(): void;
}

export interface DriftDeps {
  store: Store;
  keys: Pick<KeyApi, 'listKeys' | 'updateKey'>;
  activities: ActivitySource;
  notifier: WatchNotifier;
  audit: Auditor;
  clock: Clock;
  logger: Logger;
  /** Counts keys made outside Keyhouse that were disabled (`/metrics`). */
  metrics?: Pick<WatchMetrics, 'unmanagedKeyDisabled'>;
  securityChannel: string;
  unmanagedKeys: UnmanagedKeyAction;
  /** Last four characters of Keyhouse's own key ID: its own key's actions are not drift. */
  selfKeySuffix: string;
  /** Who holds the report marks this watch claims (default: an id of its own). */
  instanceId?: string;
}

/** What a report has done so far, kept on its mark from one attempt to the next. */
const progressSchema = z.object({
  audited: z.boolean().default(false),
  disabled: z.enum(['disabled', 'failed']).nullable().default(null),
  security: z.boolean().default(false),
  owner: z.boolean().default(false),
});
type Progress = z.infer<typeof progressSchema>;

/** A report's mark as a pass sees it: to make now, being made elsewhere, or over (done or given up). */
type MarkStanding = 'due' | 'busy' | 'over';

export class DriftWatch {
  readonly #deps: DriftDeps;
  readonly #holder: string;

  constructor(deps: DriftDeps) {
    this.#deps = deps;
    this.#holder = deps.instanceId ?? randomUUID();
  }

  /** One pass; resolves to how many activities it reported (completed reports, retries included). */
  async run(): Promise<{ reported: number }> {
    const { store, activities, clock, logger } = this.#deps;
    const cursor = await store.getWatchState(DRIFT_CURSOR);
    if (cursor === null) {
      await store.putWatchState(DRIFT_CURSOR, clock.now().toISOString(), clock.now());
      logger.info('drift watch starts from now');
      return { reported: 0 };
    }
    const listed = await activities.listActivities({ from: cursor });
    await this.#setAside(listed.malformed);
    const events = listed.activities
      .filter((a) => KEY_EVENTS.has(a.type))
      .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
    const { reported, unfinished } = await this.#reportAll(events);
    await store.putWatchState(DRIFT_CURSOR, nextCursor(cursor, listed, unfinished), clock.now());
    return { reported };
  }

  /** Reports every key event not reported yet; those left unfinished hold the cursor. */
  async #reportAll(events: readonly Activity[]): Promise<{ reported: number; unfinished: Activity[] }> {
    const result = { reported: 0, unfinished: [] as Activity[] };
    if (events.length === 0) return result;
    const { store, clock } = this.#deps;
    const marks = await store.listTimerMarks({
      rules: [DRIFT_REPORT_RULE],
      subjects: events.map((a) => a.id),
    });
    const markOf = new Map(marks.map((mark) => [mark.subject, mark]));
    const due: Activity[] = [];
    for (const activity of events) {
      const standing = standingOf(markOf.get(activity.id), clock.now());
      if (standing === 'due') due.push(activity);
      if (standing === 'busy') result.unfinished.push(activity);
    }
    // A pass with nothing left to report (a cursor held at a report made since) asks ClickHouse nothing more.
    if (due.length === 0) return result;
    const keys = await this.#keysNow();
    const self = keys.filter((k) => k.keySuffix === this.#deps.selfKeySuffix);
    const selfId = self.length === 1 ? self[0]!.id : null;
    for (const activity of due) {
      if (activity.actorType === 'api' && selfId !== null && activity.actorId === selfId) continue;
      const outcome = await this.#reportOnce(activity, markOf.get(activity.id) ?? null, keys, selfId);
      if (outcome === 'reported') result.reported++;
      if (outcome === 'unfinished') result.unfinished.push(activity);
    }
    return result;
  }

  /**
   * The list Keyhouse had still names keys deleted since; then it is asked for fresh, since these
   * events may have changed any key.
   */
  async #keysNow(): Promise<ApiKey[]> {
    const { keys, activities } = this.#deps;
    const before = await keys.listKeys().catch(() => [] as ApiKey[]);
    activities.invalidateKeyList?.();
    const fresh = await keys.listKeys({ fresh: true });
    return [...fresh, ...before.filter((k) => !fresh.some((f) => f.id === k.id))];
  }

  /** Claims the activity's report, makes what is missing of it, and settles the mark. */
  async #reportOnce(
    activity: Activity,
    mark: TimerMark | null,
    keys: readonly ApiKey[],
    selfId: string | null,
  ): Promise<'reported' | 'unfinished' | 'given_up'> {
    const { store, clock, logger } = this.#deps;
    const progress = progressSchema.catch(progressSchema.parse({})).parse(mark?.detail ?? {});
    const now = clock.now();
    const ids = { rule: DRIFT_REPORT_RULE, subject: activity.id, threshold: 'report', holder: this.#holder };
    const claimed = await store.claimTimer({
      ...ids,
      dueAt: now,
      at: now,
      detail: progress,
      maxAttempts: REPORT_ATTEMPTS,
      abandonedBefore: new Date(now.getTime() - ABANDONED_AFTER_MS),
    });
    // Another replica took it since the marks were read: the next pass sees how it ended.
    if (!claimed) return 'unfinished';
    let complete = false;
    try {
      complete = await this.#report(activity, keys, selfId, progress);
    } finally {
      // What was done is kept whatever happened, so a later attempt does not do it twice.
      await store
        .settleTimer({ ...ids, state: complete ? 'done' : 'failed', at: clock.now(), detail: progress })
        .catch((error: unknown) => logger.error({ err: error, ...ids }, 'could not settle a drift report'));
    }
    if (complete) return 'reported';
    if (claimed.attempts < REPORT_ATTEMPTS) return 'unfinished';
    logger.error(
      { activityId: activity.id, attempts: claimed.attempts },
      'gave up reporting drift: Slack did not take the report',
    );
    return 'given_up';
  }

  /**
   * Sets aside what ClickHouse sent that does not parse: logged and audited once each, by where
   * it was and what was wrong, so it neither hides the other activities nor stops the cursor.
   */
  async #setAside(malformed: readonly MalformedActivity[]): Promise<void> {
    if (malformed.length === 0) return;
    const { store, audit, clock, logger } = this.#deps;
    // Once each, though a cursor held at an unfinished report reads them again.
    const claimOf = (entry: MalformedActivity) => `drift-malformed:${entry.digest}`;
    const fresh = new Set(await store.claimActivities(malformed.map(claimOf), clock.now()));
    const skipped = malformed.filter((entry) => fresh.has(claimOf(entry)));
    if (skipped.length === 0) return;
    const described = skipped
      .slice(0, MALFORMED_DESCRIBED)
      .map(({ index, createdAt, problems }) => ({ index, createdAt, problems }));
    logger.warn(
      { skipped: skipped.length, described },
      'skipped activities ClickHouse sent that do not parse',
    );
    await audit.after({
      actorId: 'system',
      action: 'drift.malformed',
      outcome: 'failed',
      detail: { skipped: skipped.length, described },
    });
  }

  /**
   * Makes what is missing of one report: the audit event, following a rename, disabling a key
   * made outside Keyhouse (each once), then the security channel's notice and the owner's DM
   * (each until it goes out). True when nothing is missing any more.
   */
  async #report(
    activity: Activity,
    keys: readonly ApiKey[],
    selfId: string | null,
    progress: Progress,
  ): Promise<boolean> {
    const { store, audit, notifier, securityChannel, logger } = this.#deps;
    const keyId = activity.targetKeyId;
    const key = keyId ? (keys.find((k) => k.id === keyId) ?? null) : null;
    const owner = keyId ? await store.getKeyOwner(keyId) : null;
    const created = activity.type === 'key_create' || activity.keyUpdateType === 'created';
    const notice: DriftNotice = {
      activityId: activity.id,
      at: new Date(activity.createdAt),
      type: activity.type,
      updateType: activity.keyUpdateType,
      actorType: activity.actorType,
      actorDetails: activity.actorDetails,
      actorId: activity.actorId,
      keyId,
      keyName: key?.name ?? owner?.keyName ?? null,
      keySuffix: key?.keySuffix ?? owner?.keySuffix ?? null,
      ownerId: owner?.ownerId ?? null,
      disabled: null,
    };
    if (!progress.audited) {
      await audit.after({
        actorId: 'system',
        action: 'drift.detected',
        outcome: 'ok',
        keyId,
        keyName: notice.keyName,
        keySuffix: notice.keySuffix,
        detail: {
          activityId: activity.id,
          type: activity.type,
          keyUpdateType: activity.keyUpdateType,
          actorType: activity.actorType,
          actorId: activity.actorId,
          actorDetails: activity.actorDetails,
        },
      });
      // The owner record keeps the key's name for lists and audit; follow a rename made elsewhere.
      if (owner && key && key.name !== owner.keyName) await store.renameKeyOwner(owner.keyId, key.name);
      const unmanaged = !owner && key && key.id !== selfId && key.state === 'enabled';
      if (created && this.#deps.unmanagedKeys === 'disable' && unmanaged) {
        progress.disabled = await this.#disable(key);
        if (progress.disabled === 'disabled') this.#deps.metrics?.unmanagedKeyDisabled();
      }
      progress.audited = true;
    }
    notice.disabled = progress.disabled;
    const posted = (what: string, effect: () => Promise<void>) =>
      effect().then(
        () => true,
        (error: unknown) => {
          logger.warn({ err: error, activityId: activity.id }, `could not ${what}; tried again next pass`);
          return false;
        },
      );
    const [security, told] = await Promise.all([
      progress.security ||
        posted('report drift to the security channel', () => notifier.driftSecurity(securityChannel, notice)),
      !owner ||
        progress.owner ||
        posted('tell the owner about drift', () =>
          notifier.driftOwner({ ...notice, ownerId: owner.ownerId }),
        ),
    ]);
    progress.security = security;
    progress.owner = Boolean(owner) && told;
    return security && told;
  }

  async #disable(key: ApiKey): Promise<'disabled' | 'failed'> {
    const { audit, keys, logger } = this.#deps;
    try {
      await audit.effect(
        {
          actorId: 'system',
          action: 'drift.disable',
          keyId: key.id,
          keyName: key.name,
          keySuffix: key.keySuffix,
          detail: { why: 'created outside Keyhouse', policy: 'unmanagedKeys: disable' },
        },
        () => keys.updateKey(key.id, { state: 'disabled' }),
      );
      return 'disabled';
    } catch (error) {
      logger.error({ err: error, keyId: key.id }, 'could not disable a key made outside Keyhouse');
      return 'failed';
    }
  }
}

/** Where a report stands, from its mark as read at the start of the pass. */
function standingOf(mark: TimerMark | undefined, now: Date): MarkStanding {
  if (!mark) return 'due';
  if (mark.state === 'done') return 'over';
  const abandoned =
    mark.state === 'claimed' && mark.claimedAt.getTime() <= now.getTime() - ABANDONED_AFTER_MS;
  if (mark.state === 'claimed' && !abandoned) return 'busy';
  return mark.attempts < REPORT_ATTEMPTS ? 'due' : 'over';
}

/**
 * Past every activity read (key events or not, parsed or not), unless a report is unfinished:
 * then at the oldest such, so the next pass reads it again (what is done since is skipped by its
 * mark). Never back.
 */
function nextCursor(cursor: string, listed: ActivityList, unfinished: readonly Activity[]): string {
  const times = (list: readonly string[]) => list.map((text) => ({ text, at: Date.parse(text) }));
  if (unfinished.length > 0) {
    const oldest = times(unfinished.map((a) => a.createdAt)).reduce((a, b) => (b.at < a.at ? b : a));
    return oldest.at > Date.parse(cursor) ? oldest.text : cursor;
  }
  const read = [
    cursor,
    ...listed.activities.map((a) => a.createdAt),
    ...listed.malformed.flatMap((entry) => (entry.createdAt === null ? [] : [entry.createdAt])),
  ];
  return times(read).reduce((a, b) => (b.at > a.at ? b : a)).text;
}
