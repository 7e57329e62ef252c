/**
 * GitHub secret scanning alerts (product.md §13). A verified `secret_scanning_alert` delivery is a
 * prompt, not a source of truth (a signature covers no timestamp, so it may be a replay): the alert is
 * read again through the REST API as the GitHub App, with its secret, and acted on only while open.
 * The secret is fingerprinted at once and goes nowhere else. A key of ours in it is acted on as in §9,
 * the owner told with Rotate, the security channel told with the repository, file and commit; then the
 * alert is resolved as `revoked` with a comment naming the key's suffix. A secret Keyhouse did not
 * issue is reported and its alert left open: only its key's owner can revoke it.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { fingerprint, secretCandidates } from '../core/fingerprint.js';
import type { Store } from '../core/model.js';
import type { Secret } from '../core/secret.js';
import type { AlertPlace, LeakedKey, LeakOutcome } from '../core/watch-ports.js';
import type { OutsideLeaks } from './outside-leaks.js';

/** The GitHub App's view of alerts (src/github's client implements it). */
export interface AlertSource {
  getAlert(
    repository: string,
    alertNumber: number,
  ): Promise<{
    state: string | null;
    secret: Secret | null;
    secretType: string | null;
    htmlUrl: string | null;
  }>;
  listAlertLocations(repository: string, alertNumber: number): Promise<AlertPlace[]>;
  resolveAlertAsRevoked(repository: string, alertNumber: number, comment: string): Promise<unknown>;
}

/** What a verified delivery says, parsed at the edge. */
export interface AlertEvent {
  deliveryId: string;
  /** `created`, `reopened`, `publicly_leaked`, `resolved`, `validated`, … */
  action: string;
  repository: string;
  alertNumber: number;
  /** The webhook alert's `secret_type`, when it has one. */
  secretType: string | null;
}

/** Actions that mean a secret is out there now; the others (resolved, assigned…) change nothing for us. */
const ACTED_ON = new Set(['created', 'reopened', 'publicly_leaked']);

/** Outcomes after which the key no longer works: the alert may be resolved as revoked. */
const REVOKED: ReadonlySet<LeakOutcome> = new Set([
  'disabled',
  'deleted',
  'already_disabled',
  'already_gone',
]);

/** Places named in the security notice; the rest are counted by the view. */
const MAX_PLACES = 5;

export type AlertHandling =
  | 'duplicate'
  | 'ignored'
  | 'not_open'
  | 'not_clickhouse'
  | 'seen_before'
  | 'resolved'
  | 'left_open';

export interface GitHubAlertsDeps {
  github: AlertSource;
  outside: Pick<OutsideLeaks, 'handle'>;
  store: Pick<Store, 'getWatchState' | 'putWatchState'>;
  clock: Clock;
  logger: Logger;
  /** `security.github.secretTypes`: the custom pattern's names; empty means every alert is read. */
  secretTypes: readonly string[];
  /** The comment the alert is resolved with, naming the keys (a view, in the policy's language). */
  resolutionComment: (keys: readonly LeakedKey[]) => string;
}

export class GitHubAlerts {
  readonly #deps: GitHubAlertsDeps;

  constructor(deps: GitHubAlertsDeps) {
    this.#deps = deps;
  }

  /** Handles one verified delivery; resolves when all it called for is done. */
  async delivered(event: AlertEvent): Promise<AlertHandling> {
    const { store, clock } = this.#deps;
    const about = { delivery: event.deliveryId, repository: event.repository, alert: event.alertNumber };
    // A delivery id handled before is a replay or a redelivery: ignored whatever it says. It is marked
    // handled once its work is done, so one cut short (GitHub or ClickHouse down, a crash) can be
    // redelivered from GitHub's settings; two copies at once are one by the claims of `outside`.
    const mark = `github-delivery:${event.deliveryId}`;
    if ((await store.getWatchState(mark)) !== null) return 'duplicate';
    const handled = await this.#handle(event, about);
    await store.putWatchState(mark, handled, clock.now());
    return handled;
  }

  async #handle(event: AlertEvent, about: Record<string, unknown>): Promise<AlertHandling> {
    const { github, outside, logger, secretTypes } = this.#deps;
    if (!ACTED_ON.has(event.action)) return 'ignored';
    if (secretTypes.length > 0 && (event.secretType === null || !secretTypes.includes(event.secretType)))
      return 'ignored';

    const alert = await github.getAlert(event.repository, event.alertNumber);
    if (alert.state !== 'open') return 'not_open';
    // Fingerprints only from here on; the secret itself goes out of scope with this line.
    const prints = secretCandidates(alert.secret?.reveal() ?? '').map(fingerprint);
    if (prints.length === 0) {
      logger.info({ ...about, secretType: alert.secretType }, 'GitHub alert holds no ClickHouse secret');
      return 'not_clickhouse';
    }
    const places = await github
      .listAlertLocations(event.repository, event.alertNumber)
      .catch((error: unknown) => {
        logger.warn({ err: error, ...about }, 'could not read where GitHub found the secret');
        return [] as AlertPlace[];
      });
    const report = await outside.handle(
      prints,
      {
        kind: 'github',
        repository: event.repository,
        alertNumber: event.alertNumber,
        alertUrl: alert.htmlUrl,
        places: places.slice(0, MAX_PLACES),
      },
      `github:${event.repository.toLowerCase()}:${event.alertNumber}`,
    );
    if (report === null) return 'seen_before';
    const revoked = report.unknown === 0 && report.keys.every(({ outcome }) => REVOKED.has(outcome));
    if (!revoked) return 'left_open';
    await github.resolveAlertAsRevoked(
      event.repository,
      event.alertNumber,
      this.#deps.resolutionComment(report.keys),
    );
    logger.info(about, 'GitHub alert resolved as revoked');
    return 'resolved';
  }
}
