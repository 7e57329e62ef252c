/**
 * The leak tripwire (product.md §9): a message holding a ClickHouse Cloud secret is fingerprinted
 * and looked up among the keys Keyhouse made. A match is acted on at once, per
 * `security.leakAction` — the ClickHouse write first, then the thread reply, the owner's DM and
 * the security channel together — so it is done within seconds of the event.
 *
 * Nothing here keeps, logs or repeats the text or the secret: only its fingerprint is compared,
 * and audit and logs name the channel and message ts.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { NotFoundError } from '../core/api-errors.js';
import type { Auditor } from '../core/auditor.js';
import { urgently } from '../core/budget.js';
import type { Clock } from '../core/clock.js';
import { fingerprint, secretCandidates } from '../core/fingerprint.js';
import type { Store } from '../core/model.js';
import type { LeakAction } from '../core/policy-model.js';
import type { KeyApi } from '../core/ports.js';
import type {
  LeakNotice,
  LeakOutcome,
  PasteSite,
  WatchedKey,
  WatchMetrics,
  WatchNotifier,
} from '../core/watch-ports.js';

export interface TripwireDeps {
  store: Store;
  keys: Pick<KeyApi, 'getKey' | 'updateKey' | 'deleteKey'>;
  notifier: WatchNotifier;
  audit: Auditor;
  clock: Clock;
  logger: Logger;
  /** Counts leaks caught and keys disabled (`/metrics`). */
  metrics?: Pick<WatchMetrics, 'leakCaught'>;
  leakAction: Exclude<LeakAction, 'off'>;
  securityChannel: string;
  /** Called after Keyhouse changed a key itself, so lists show it (the client's cache is updated already). */
  onKeyChanged?: (keyId: string) => void;
}

export class Tripwire {
  readonly #deps: TripwireDeps;

  constructor(deps: TripwireDeps) {
    this.#deps = deps;
  }

  /**
   * Checks one message's text; resolves when everything it called for is done. Returns how many
   * candidates were acted on (0 for the usual message), for tests and logs.
   */
  async inspect(text: string, site: PasteSite): Promise<number> {
    const candidates = secretCandidates(text);
    if (candidates.length === 0) return 0;
    // Fingerprints only from here on: the candidates themselves go out of scope with this line.
    const prints = candidates.map(fingerprint);
    let acted = 0;
    for (const print of prints) if (await this.#one(print, site)) acted++;
    return acted;
  }

  async #one(print: string, site: PasteSite): Promise<boolean> {
    const { store, clock } = this.#deps;
    // Slack redelivers events, edits repeat the text, replicas may both receive it: once per
    // message and secret. The claim names a hash of the fingerprint, never the fingerprint.
    const tag = createHash('sha256').update(print).digest('hex').slice(0, 24);
    if (!(await store.claimActivity(`leak:${site.channel}:${site.ts}:${tag}`, clock.now()))) return false;
    const owner = await store.findKeyOwnerByFingerprint(print);
    const notice: LeakNotice = owner
      ? {
          kind: 'known',
          key: {
            keyId: owner.keyId,
            keyName: owner.keyName,
            keySuffix: owner.keySuffix,
            ownerId: owner.ownerId,
          },
          outcome: await this.#act(owner, site),
          site,
        }
      : { kind: 'unknown', site };
    if (notice.kind === 'unknown') {
      await this.#deps.audit.after({
        actorId: site.userId ?? 'unknown',
        action: 'leak.detected',
        outcome: 'ok',
        detail: { issuedByKeyhouse: false, channel: site.channel, messageTs: site.ts },
      });
    }
    this.#deps.metrics?.leakCaught(
      notice.kind !== 'unknown',
      notice.kind === 'unknown' ? 'reported' : notice.outcome,
    );
    await this.#tell(notice);
    return true;
  }

  /** The ClickHouse side of a leak of one of our keys. */
  async #act(key: WatchedKey, site: PasteSite): Promise<LeakOutcome> {
    const { keys, audit, leakAction, logger } = this.#deps;
    const about = {
      actorId: 'system',
      keyId: key.keyId,
      keyName: key.keyName,
      keySuffix: key.keySuffix,
      detail: { channel: site.channel, messageTs: site.ts, postedBy: site.userId, leakAction },
    };
    await audit.after({ ...about, action: 'leak.detected', outcome: 'ok' });
    if (leakAction === 'report') return 'reported';
    try {
      if (leakAction === 'delete') {
        // PRIORITY: leak — the key is usable by anyone who read the message: front of the budget.
        await audit.effect({ ...about, action: 'leak.delete' }, () =>
          urgently(() => keys.deleteKey(key.keyId)),
        );
        await this.#deps.store.deleteKeyOwner(key.keyId);
        this.#deps.onKeyChanged?.(key.keyId);
        return 'deleted';
      }
      // PRIORITY: leak — front of the ClickHouse budget, ahead of everyone's queued work.
      await audit.effect({ ...about, action: 'leak.disable' }, () =>
        urgently(() => keys.updateKey(key.keyId, { state: 'disabled' })),
      );
      this.#deps.onKeyChanged?.(key.keyId);
      return 'disabled';
    } catch (error) {
      if (error instanceof NotFoundError) return 'already_gone';
      logger.error({ err: error, keyId: key.keyId }, 'could not act on a leaked key');
      return 'failed';
    }
  }

  async #tell(notice: LeakNotice): Promise<void> {
    const { notifier, logger, securityChannel } = this.#deps;
    const quietly = (what: string, effect: Promise<void>) =>
      effect.catch((error: unknown) =>
        logger.warn({ err: error, channel: notice.site.channel }, `could not ${what}`),
      );
    await Promise.all([
      quietly('reply to the leaking message', notifier.leakThread(notice)),
      quietly('tell the security channel about a leak', notifier.leakSecurity(securityChannel, notice)),
      notice.kind === 'known'
        ? quietly('tell the owner about a leak', notifier.leakOwner(notice))
        : Promise.resolve(),
    ]);
  }
}
