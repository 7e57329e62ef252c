/**
 * The ClickHouse side of a leak of one of Keyhouse's keys, wherever its secret was found (a Slack
 * message, a GitHub alert, a scanner's report): audited, then per `security.leakAction`. One write per
 * leaked key, however often and wherever its secret turns up: only the call that marks the key leaked
 * through the gate writes. Should that write be lost, the timers disable a marked key they find enabled.
 */
import type { Logger } from 'pino';
import { NotFoundError } from '../core/api-errors.js';
import type { Auditor } from '../core/auditor.js';
import { urgently } from '../core/budget.js';
import type { LeakSource, Store } from '../core/model.js';
import type { LeakAction } from '../core/policy-model.js';
import type { KeyApi } from '../core/ports.js';
import type { LeakedKey, LeakOutcome, WatchedKey } from '../core/watch-ports.js';
import type { Gate } from '../workflow/gate.js';

export interface LeakActionDeps {
  store: Pick<Store, 'deleteKeyOwner'>;
  keys: Pick<KeyApi, 'updateKey' | 'deleteKey'>;
  audit: Auditor;
  logger: Logger;
  leakAction: Exclude<LeakAction, 'off'>;
  gate: Pick<Gate, 'markLeaked'>;
}

/** Acts on one leaked key; `detail` says where it was found (audit only: never the secret). */
export async function actOnLeak(
  deps: LeakActionDeps,
  key: WatchedKey,
  source: LeakSource,
  detail: Record<string, unknown>,
): Promise<LeakOutcome> {
  const { keys, audit, leakAction, logger } = deps;
  const about = {
    actorId: 'system',
    keyId: key.keyId,
    keyName: key.keyName,
    keySuffix: key.keySuffix,
    detail: { ...detail, source, leakAction },
  };
  await audit.after({ ...about, action: 'leak.detected', outcome: 'ok' });
  if (leakAction === 'report') return 'reported';
  if (!(await deps.gate.markLeaked(key.keyId, source))) return 'already_disabled';
  try {
    if (leakAction === 'delete') {
      // PRIORITY: leak — urgent, on the finder's share: the key is usable by anyone who read it.
      await audit.effect({ ...about, action: 'leak.delete' }, () =>
        urgently(() => keys.deleteKey(key.keyId)),
      );
      await deps.store.deleteKeyOwner(key.keyId);
      return 'deleted';
    }
    // PRIORITY: leak — urgent, taking turns with other people's urgent work (api/limiter.ts).
    await audit.effect({ ...about, action: 'leak.disable' }, () =>
      urgently(() => keys.updateKey(key.keyId, { state: 'disabled' })),
    );
    return 'disabled';
  } catch (error) {
    if (error instanceof NotFoundError) return 'already_gone';
    logger.error({ err: error, keyId: key.keyId }, 'could not act on a leaked key');
    return 'failed';
  }
}

/**
 * A report split by owner, each owner once, in the order their keys were found: one DM each,
 * whatever the report held (a message in Slack, an alert or a scanner's report from outside).
 */
export function ownersOf<Site>(report: {
  site: Site;
  keys: readonly LeakedKey[];
}): { ownerId: string; site: Site; keys: LeakedKey[] }[] {
  const byOwner = new Map<string, { ownerId: string; site: Site; keys: LeakedKey[] }>();
  for (const leaked of report.keys) {
    const { ownerId } = leaked.key;
    const leak = byOwner.get(ownerId) ?? { ownerId, site: report.site, keys: [] };
    leak.keys.push(leaked);
    byOwner.set(ownerId, leak);
  }
  return [...byOwner.values()];
}
