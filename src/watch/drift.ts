/**
 * Drift from the console (product.md §9): every 10 minutes one replica reads the organization's
 * activities since the last one it saw and reports each key event Keyhouse did not make itself —
 * `key_create`, `key_delete`, `openapi_key_update` — to the security channel; a Keyhouse key
 * changed elsewhere is also reported to its owner. With `unmanagedKeys: disable`, a key created
 * outside Keyhouse is disabled at once (never Keyhouse's own key).
 *
 * Once, across restarts and replicas: each activity is claimed in the store before it is
 * reported (insert-if-absent), and the cursor (the newest `createdAt` handled) is stored after.
 * The first run only sets the cursor: history from before Keyhouse watched is not reported.
 */
import type { Logger } from 'pino';
import type { Auditor } from '../core/auditor.js';
import type { Activity, ApiKey } from '../core/clickhouse.js';
import type { Clock } from '../core/clock.js';
import type { Store } from '../core/model.js';
import type { UnmanagedKeyAction } from '../core/policy-model.js';
import type { KeyApi } from '../core/ports.js';
import type { DriftNotice, WatchMetrics, WatchNotifier } from '../core/watch-ports.js';

export const DRIFT_CURSOR = 'drift.cursor';
const KEY_EVENTS = new Set(['key_create', 'key_delete', 'openapi_key_update']);

/** What drift needs of ClickHouse: the activities, and the keys to name them. */
export interface ActivitySource {
  listActivities(options?: { from?: string }): Promise<Activity[]>;
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
}

export class DriftWatch {
  readonly #deps: DriftDeps;

  constructor(deps: DriftDeps) {
    this.#deps = deps;
  }

  /** One pass; resolves to how many activities it reported. */
  async run(): Promise<{ reported: number }> {
    const { store, activities, clock, logger } = this.#deps;
    const cursor = await store.getWatchState(DRIFT_CURSOR);
    if (cursor === null) {
      await store.putWatchState(DRIFT_CURSOR, clock.now().toISOString(), clock.now());
      logger.info('drift watch starts from now');
      return { reported: 0 };
    }
    const seen = (await activities.listActivities({ from: cursor }))
      .filter((a) => KEY_EVENTS.has(a.type))
      .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
    if (seen.length === 0) return { reported: 0 };

    // The list Keyhouse had still names keys deleted since; then it is asked for fresh, since
    // these events may have changed any key.
    const before = await this.#deps.keys.listKeys().catch(() => [] as ApiKey[]);
    activities.invalidateKeyList?.();
    const fresh = await this.#deps.keys.listKeys({ fresh: true });
    const keys = [...fresh, ...before.filter((k) => !fresh.some((f) => f.id === k.id))];
    const self = keys.filter((k) => k.keySuffix === this.#deps.selfKeySuffix);
    const selfId = self.length === 1 ? self[0]!.id : null;

    let reported = 0;
    let newest = cursor;
    for (const activity of seen) {
      if (Date.parse(activity.createdAt) > Date.parse(newest)) newest = activity.createdAt;
      if (activity.actorType === 'api' && selfId !== null && activity.actorId === selfId) continue;
      if (!(await store.claimActivity(`drift:${activity.id}`, clock.now()))) continue;
      await this.#report(activity, keys, selfId);
      reported++;
    }
    await store.putWatchState(DRIFT_CURSOR, newest, clock.now());
    return { reported };
  }

  async #report(activity: Activity, keys: readonly ApiKey[], selfId: string | null): Promise<void> {
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
    if (
      created &&
      this.#deps.unmanagedKeys === 'disable' &&
      key &&
      !owner &&
      key.id !== selfId &&
      key.state === 'enabled'
    ) {
      notice.disabled = await this.#disable(key);
      if (notice.disabled) this.#deps.metrics?.unmanagedKeyDisabled();
    }
    const quietly = (what: string, effect: Promise<void>) =>
      effect.catch((error: unknown) =>
        logger.warn({ err: error, activityId: activity.id }, `could not ${what}`),
      );
    await Promise.all([
      quietly('report drift to the security channel', notifier.driftSecurity(securityChannel, notice)),
      owner
        ? quietly('tell the owner about drift', notifier.driftOwner({ ...notice, ownerId: owner.ownerId }))
        : null,
    ]);
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
