/**
 * The leak tripwire (product.md §9): a message holding ClickHouse Cloud secrets is fingerprinted
 * and looked up among the keys Keyhouse made. Matches are acted on at once, per
 * `security.leakAction` — the ClickHouse writes first, then the thread reply, the owners' DMs and
 * the security channel together — so it is done within seconds of the event. However many
 * strings a message holds, it costs a bounded number of store calls, one audit event of its own
 * and one Slack post per place told; only the keys of ours it names cost more (a write each).
 *
 * Nothing here keeps, logs or repeats the text or the secret: only its fingerprint is compared,
 * and audit and logs name the channel and message ts.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Auditor } from '../core/auditor.js';
import type { Clock } from '../core/clock.js';
import { fingerprint, secretCandidates } from '../core/fingerprint.js';
import type { KeyOwner, LeakSource, Store } from '../core/model.js';
import type { LeakAction } from '../core/policy-model.js';
import type { KeyApi } from '../core/ports.js';
import type {
  LeakedKey,
  LeakOutcome,
  LeakReport,
  PasteSite,
  WatchedKey,
  WatchMetrics,
  WatchNotifier,
} from '../core/watch-ports.js';
import type { Gate } from '../workflow/gate.js';
import { actOnLeak, ownersOf } from './leak-action.js';

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
  /** The one gate: a leaked key is marked once, and only the call that marks it writes to ClickHouse. */
  gate: Pick<Gate, 'markLeaked'>;
  /** Where the secret was found, kept on the mark (`slack` for a message). */
  source?: LeakSource;
}

/**
 * Store calls take the candidates in batches this large. A Slack message (40,000 characters at
 * most) holds at most 930 candidates, so it costs one claim and one look-up whatever it holds.
 */
const BATCH = 1_000;

export class Tripwire {
  readonly #deps: TripwireDeps;

  constructor(deps: TripwireDeps) {
    this.#deps = deps;
  }

  /**
   * Checks one message's text; resolves when everything it called for is done. The message is one
   * unit (product.md §9): every key of ours in it acted on, then one thread reply, one security
   * notice and one DM per owner. Null when it held nothing new (the usual message, or a redelivery).
   */
  async inspect(text: string, site: PasteSite): Promise<LeakReport | null> {
    const candidates = secretCandidates(text);
    if (candidates.length === 0) return null;
    // Fingerprints only from here on: the candidates themselves go out of scope with this line.
    const fresh = await this.#claim(candidates.map(fingerprint), site);
    if (fresh.length === 0) return null;
    const owners = await this.#owners(fresh);
    const keys: LeakedKey[] = [];
    for (const key of owners.map(watchedKey)) keys.push({ key, outcome: await this.#act(key, site) });
    const report: LeakReport = { site, keys, unknown: fresh.length - owners.length };
    await this.#record(report);
    await this.#tell(report);
    // Counts and where: never the text. Operators (and tests) see one line per message handled.
    this.#deps.logger.info(
      { channel: site.channel, messageTs: site.ts, keys: keys.length, unknown: report.unknown },
      'leak reported',
    );
    return report;
  }

  /**
   * The fingerprints not yet handled for this message. Slack redelivers events, edits repeat the
   * text, replicas may both receive it: each secret is handled once per message, and an edit that
   * adds one is handled for that one. The claims name a hash of the fingerprint, never the fingerprint.
   */
  async #claim(prints: readonly string[], site: PasteSite): Promise<string[]> {
    const { store, clock } = this.#deps;
    const byClaim = new Map<string, string>();
    for (const print of prints) {
      const tag = createHash('sha256').update(print).digest('hex').slice(0, 24);
      byClaim.set(`leak:${site.channel}:${site.ts}:${tag}`, print);
    }
    const fresh: string[] = [];
    for (const batch of batches([...byClaim.keys()])) {
      for (const claim of await store.claimActivities(batch, clock.now())) fresh.push(byClaim.get(claim)!);
    }
    return fresh;
  }

  /** Keyhouse's keys among the fingerprints, one look-up per batch however many there are. */
  async #owners(prints: readonly string[]): Promise<KeyOwner[]> {
    const owners: KeyOwner[] = [];
    for (const batch of batches(prints))
      owners.push(...(await this.#deps.store.findKeyOwnersByFingerprints(batch)));
    return owners;
  }

  /**
   * One audit event for the message, whatever it held (the keys acted on have their own), and the
   * counts for `/metrics`: a message of made-up strings costs one event, not one per string.
   */
  async #record(report: LeakReport): Promise<void> {
    const { audit, metrics } = this.#deps;
    const { site } = report;
    await audit.after({
      actorId: site.userId ?? 'unknown',
      action: 'leak.message',
      outcome: 'ok',
      detail: {
        channel: site.channel,
        messageTs: site.ts,
        issuedByKeyhouse: report.keys.length,
        notIssued: report.unknown,
      },
    });
    for (const { outcome } of report.keys) metrics?.leakCaught(true, outcome);
    if (report.unknown > 0) metrics?.leakCaught(false, 'reported', report.unknown);
  }

  /** The ClickHouse side of a leak of one of our keys (leak-action.ts, shared with leaks found outside Slack). */
  #act(key: WatchedKey, site: PasteSite): Promise<LeakOutcome> {
    return actOnLeak(this.#deps, key, this.#deps.source ?? 'slack', {
      channel: site.channel,
      messageTs: site.ts,
      postedBy: site.userId,
    });
  }

  async #tell(report: LeakReport): Promise<void> {
    const { notifier, logger, securityChannel } = this.#deps;
    const quietly = (what: string, effect: Promise<void>) =>
      effect.catch((error: unknown) =>
        logger.warn({ err: error, channel: report.site.channel }, `could not ${what}`),
      );
    await Promise.all([
      quietly('reply to the leaking message', notifier.leakThread(report)),
      quietly('tell the security channel about a leak', notifier.leakSecurity(securityChannel, report)),
      ...ownersOf(report).map((leak) => quietly('tell an owner about a leak', notifier.leakOwner(leak))),
    ]);
  }
}

/** A key owner row as the watch names the key. */
function watchedKey({ keyId, keyName, keySuffix, ownerId }: KeyOwner): WatchedKey {
  return { keyId, keyName, keySuffix, ownerId };
}

function batches<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH) out.push(items.slice(i, i + BATCH));
  return out;
}
