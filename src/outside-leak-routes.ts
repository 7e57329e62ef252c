/**
 * The doors for leaks found outside Slack (product.md §13), wired: `POST /leaks/github` (GitHub's
 * secret scanning alerts, read again as the App) and `POST /leaks/report` (any scanner's fingerprints).
 * `createApp` loads this module only when one of them is configured, so a Keyhouse without them
 * never loads the webhook's schemas, the alert reader or the outside-leak flow.
 */
import type { Logger } from 'pino';
import { runAs } from './api/index.js';
import type { Clock } from './core/clock.js';
import type { Store } from './core/model.js';
import { Secret } from './core/secret.js';
import { SecretScanningAlertEventSchema, verifyWebhookSignature } from './github/webhook.js';
import { githubWebhookRoute, type Intake, leakReportRoute } from './http/leak-routes.js';
import type { Handler, Routes } from './http/server.js';
import type { InFlight } from './util/in-flight.js';
import { WorkQueue } from './util/work-queue.js';
import type { alertResolutionComment } from './views/outside-leaks.js';
import { type AlertSource, GitHubAlerts } from './watch/github-alerts.js';
import { parseLeakReport } from './watch/leak-report.js';
import { OutsideLeaks, type OutsideLeaksDeps } from './watch/outside-leaks.js';

/** Work after an answer, per door: a few at once, a bounded queue, and 503 past it (the sender retries). */
const LEAK_WORK = { concurrency: 2, maxQueued: 100 } as const;

export interface OutsideLeakRoutesOptions {
  /** What the leaks found outside are acted on with (the tripwire's flow, watch/outside-leaks.ts). */
  leaks: OutsideLeaksDeps;
  github: { alerts: AlertSource; webhookSecret: string } | undefined;
  reportToken: string | undefined;
  store: Store;
  clock: Clock;
  logger: Logger;
  secretTypes: readonly string[];
  comment: (keys: Parameters<typeof alertResolutionComment>[1]) => string;
  inFlight: InFlight;
  stopping: () => boolean;
}

/**
 * `POST /leaks/github` and `POST /leaks/report` (product.md §13), each when configured. Their work runs
 * after the answer, on its own budget owner (`github`, `leak-report`): like any one person, a flood of
 * deliveries or reports takes at most half of ClickHouse's budget, so no one's Create key waits on it.
 */
export function outsideLeakRoutes(options: OutsideLeakRoutesOptions): Routes {
  const { github, reportToken, logger, inFlight, stopping } = options;
  const outside = new OutsideLeaks(options.leaks);
  const queue = (owner: string) =>
    new WorkQueue({
      ...LEAK_WORK,
      track: () => inFlight.begin(),
      onError: (error) =>
        logger.error({ err: error, owner }, 'a leak found outside Slack could not be handled'),
    });
  const routes: Record<string, Handler> = {};
  if (github) {
    const alerts = new GitHubAlerts({
      github: github.alerts,
      outside,
      store: options.store,
      clock: options.clock,
      logger,
      secretTypes: options.secretTypes,
      resolutionComment: options.comment,
    });
    const work = queue('github');
    const secret = new Secret(github.webhookSecret);
    routes['POST /leaks/github'] = githubWebhookRoute({
      verify: (body, signature) => verifyWebhookSignature(secret, body, signature),
      logger,
      stopping,
      accept: ({ id, event, body }): Intake => {
        // GitHub's ping on creating the hook, and events the hook was not meant for: received, nothing to do.
        if (event !== 'secret_scanning_alert') return { status: 200 };
        const parsed = SecretScanningAlertEventSchema.safeParse(body);
        if (!parsed.success) return { status: 400, problems: ['not a secret_scanning_alert payload'] };
        const delivery = {
          deliveryId: id,
          action: parsed.data.action,
          repository: parsed.data.repository.full_name,
          alertNumber: parsed.data.alert.number,
          secretType: parsed.data.alert.secret_type ?? null,
        };
        const accepted = work.offer(() =>
          runAs('github', async () => {
            const handled = await alerts.delivered(delivery);
            logger.info(
              { delivery: id, alert: delivery.alertNumber, handled },
              'GitHub alert delivery handled',
            );
          }),
        );
        return accepted ? { status: 202 } : { status: 503 };
      },
    });
  }
  if (reportToken) {
    const work = queue('leak-report');
    routes['POST /leaks/report'] = leakReportRoute({
      token: reportToken,
      logger,
      stopping,
      accept: (body) => {
        const parsed = parseLeakReport(body);
        if (!parsed.ok) return { status: 400, problems: parsed.problems };
        const { fingerprints, source, url } = parsed.report;
        const accepted = work.offer(() =>
          runAs('leak-report', () =>
            outside.handle(fingerprints, { kind: 'report', source, url }, `report:${source}\n${url ?? ''}`),
          ),
        );
        return accepted ? { status: 202, fingerprints: fingerprints.length } : { status: 503 };
      },
    });
  }
  return routes;
}
