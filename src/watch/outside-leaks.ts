/**
 * Leaks found outside Slack (product.md §13): a GitHub secret scanning alert, or a scanner's report
 * of fingerprints. The tripwire's flow (fingerprints → claims → store → ClickHouse → notices), with the
 * place it was found instead of a message: each fingerprint handled once per place (an alert, a
 * report), every key of ours acted on (one write per key, leak-action.ts), then one security notice
 * for the place and one DM per owner with Rotate. Never given a secret: fingerprints only.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Auditor } from '../core/auditor.js';
import type { Clock } from '../core/clock.js';
import type { KeyOwner, LeakSource, Store } from '../core/model.js';
import type {
  LeakedKey,
  OutsideLeakReport,
  OutsideSite,
  WatchMetrics,
  WatchNotifier,
} from '../core/watch-ports.js';
import { actOnLeak, type LeakActionDeps, ownersOf } from './leak-action.js';

export interface OutsideLeaksDeps extends LeakActionDeps {
  store: Pick<Store, 'claimActivities' | 'findKeyOwnersByFingerprints' | 'deleteKeyOwner'>;
  notifier: Pick<WatchNotifier, 'outsideLeakSecurity' | 'outsideLeakOwner'>;
  audit: Auditor;
  clock: Clock;
  logger: Logger;
  metrics?: Pick<WatchMetrics, 'leakCaught'>;
  securityChannel: string;
}

/** Fingerprints of one place handled at most: a report of more is cut here (the caller says so first). */
export const MAX_FINGERPRINTS = 1_000;

export class OutsideLeaks {
  readonly #deps: OutsideLeaksDeps;

  constructor(deps: OutsideLeaksDeps) {
    this.#deps = deps;
  }

  /**
   * Acts on `prints` found at `site`; `place` names the place for the claims (an alert, a report), so
   * a second delivery of the same alert or report finds nothing new. Null when nothing was new.
   */
  async handle(
    prints: readonly string[],
    site: OutsideSite,
    place: string,
  ): Promise<OutsideLeakReport | null> {
    const fresh = await this.#claim([...new Set(prints)].slice(0, MAX_FINGERPRINTS), place);
    if (fresh.length === 0) return null;
    const owners: KeyOwner[] = await this.#deps.store.findKeyOwnersByFingerprints(fresh);
    const source: LeakSource = site.kind;
    const keys: LeakedKey[] = [];
    for (const { keyId, keyName, keySuffix, ownerId } of owners) {
      const key = { keyId, keyName, keySuffix, ownerId };
      keys.push({ key, outcome: await actOnLeak(this.#deps, key, source, where(site)) });
    }
    const report: OutsideLeakReport = { site, keys, unknown: fresh.length - owners.length };
    await this.#record(report);
    await this.#tell(report);
    this.#deps.logger.info({ ...where(site), keys: keys.length, unknown: report.unknown }, 'leak reported');
    return report;
  }

  /** The fingerprints not yet handled at this place; claims name a hash of each, never the fingerprint. */
  async #claim(prints: readonly string[], place: string): Promise<string[]> {
    const { store, clock } = this.#deps;
    const scope = createHash('sha256').update(place).digest('hex').slice(0, 24);
    const byClaim = new Map<string, string>();
    for (const print of prints) {
      const tag = createHash('sha256').update(print).digest('hex').slice(0, 24);
      byClaim.set(`leak:outside:${scope}:${tag}`, print);
    }
    if (byClaim.size === 0) return [];
    const claimed = await store.claimActivities([...byClaim.keys()], clock.now());
    return claimed.map((claim) => byClaim.get(claim)!);
  }

  async #record(report: OutsideLeakReport): Promise<void> {
    const { audit, metrics } = this.#deps;
    await audit.after({
      actorId: report.site.kind,
      action: 'leak.outside',
      outcome: 'ok',
      detail: { ...where(report.site), issuedByKeyhouse: report.keys.length, notIssued: report.unknown },
    });
    for (const { outcome } of report.keys) metrics?.leakCaught(true, outcome, 1, report.site.kind);
    if (report.unknown > 0) metrics?.leakCaught(false, 'reported', report.unknown, report.site.kind);
  }

  async #tell(report: OutsideLeakReport): Promise<void> {
    const { notifier, logger, securityChannel } = this.#deps;
    const quietly = (what: string, effect: Promise<void>) =>
      effect.catch((error: unknown) =>
        logger.warn({ err: error, ...where(report.site) }, `could not ${what}`),
      );
    await Promise.all([
      quietly(
        'tell the security channel about a leak',
        notifier.outsideLeakSecurity(securityChannel, report),
      ),
      ...ownersOf(report).map((leak) =>
        quietly('tell an owner about a leak', notifier.outsideLeakOwner(leak)),
      ),
    ]);
  }
}

/** The place, for audit and logs: repository and alert, or the scanner and its URL. */
function where(site: OutsideSite): Record<string, unknown> {
  return site.kind === 'github'
    ? { repository: site.repository, alert: site.alertNumber }
    : { reportSource: site.source, url: site.url };
}
