import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import type { Logger } from 'pino';
import { type Clock, systemClock } from './clock.js';
import { createErrorHandler } from './handlers/errors.js';
import { registerHandlers } from './handlers/index.js';
import { boltLogger } from './logger.js';
import { Policy, type PolicyDocument } from './policy/index.js';
import { SlackNotifier } from './slack/notifier.js';
import type { Store } from './store/types.js';
import { type KeyApi, Workflow } from './workflow/index.js';

/** Slack refuses replays older than 5 minutes; Keyhouse also refuses requests stamped that far ahead. */
const MAX_CLOCK_SKEW_S = 5 * 60;

export interface KeyhouseOptions {
  slack: {
    botToken: string;
    signingSecret: string;
    /** Web API base URL ending in `/api/`. */
    apiUrl: string;
    command: string;
    /** From `auth.test`, so Bolt does not call it on its own at construction. */
    botId: string;
    botUserId: string;
    clientOptions?: Omit<WebClientOptions, 'slackApiUrl' | 'logger'>;
  };
  policy: PolicyDocument;
  store: Store;
  keys: KeyApi;
  /** ClickHouse API origin, shown in the `curl` example next to a new secret. */
  clickhouseApiUrl: string;
  /** Keyhouse's own key ID (only its last four characters are used, to mark that key in lists). */
  clickhouseKeyId: string;
  logger: Logger;
  clock?: Clock;
  /** Transport for `response_url` posts (defaults to the global fetch). */
  fetch?: typeof fetch;
  /**
   * The sweep expires overdue requests and settles interrupted key creation, every `intervalMs`
   * (default 30 s) unless `timer` is false (tests call `sweep()` themselves). A `creating` request
   * older than `staleAfterMs` (default 2 min) with no live attempt is settled.
   */
  sweep?: { intervalMs?: number; staleAfterMs?: number; timer?: boolean };
}

export interface Keyhouse {
  readonly app: App;
  readonly workflow: Workflow;
  readonly policy: Policy;
  /** Serves `/slack/events` and `/healthz` on `port` (0 = ephemeral); resolves to the bound port. */
  listen(port: number, host?: string): Promise<number>;
  /** One sweep now (what the timer does), under the replica-wide lease. */
  sweep(): Promise<void>;
  close(): Promise<void>;
}

/** Builds the whole app from what it is given; tests build the very same one. */
export function createApp(options: KeyhouseOptions): Keyhouse {
  const { logger, store } = options;
  const clock = options.clock ?? systemClock;
  // Bolt and its Web API client log whole message bodies at debug, and a secret's fallback path
  // goes through `chat.postEphemeral`: they are held at info whatever LOG_LEVEL says.
  const bolt = boltLogger(logger);
  const boltLevel = logger.isLevelEnabled('debug') ? LogLevel.INFO : bolt.getLevel();
  const receiver = new HTTPReceiver({
    signingSecret: options.slack.signingSecret,
    logger: bolt,
    logLevel: boltLevel,
  });
  const app = new App({
    receiver,
    token: options.slack.botToken,
    botId: options.slack.botId,
    botUserId: options.slack.botUserId,
    logger: bolt,
    logLevel: boltLevel,
    extendedErrorHandler: true,
    clientOptions: { ...options.slack.clientOptions, slackApiUrl: options.slack.apiUrl },
  });

  const policy = new Policy(options.policy, {
    clock,
    logger,
    resolveGroup: async (usergroup) => (await app.client.usergroups.users.list({ usergroup })).users ?? [],
  });
  const notifier = new SlackNotifier({
    client: app.client,
    approvalChannel: options.policy.approvalChannel,
    command: options.slack.command,
    fetch: options.fetch,
    logger,
  });
  const workflow = new Workflow({
    store,
    keys: options.keys,
    policy,
    notifier,
    clock,
    logger,
    apiUrl: options.clickhouseApiUrl,
    selfKeySuffix: options.clickhouseKeyId.slice(-4),
  });

  registerHandlers(app, { workflow, policy, command: options.slack.command, logger, fetch: options.fetch });
  app.error(createErrorHandler({ logger, client: app.client, fetch: options.fetch }));

  const instanceId = randomUUID();
  const sweepEvery = options.sweep?.intervalMs ?? 30_000;
  const staleAfterMs = options.sweep?.staleAfterMs ?? 120_000;
  const sweep = async (): Promise<void> => {
    // One replica sweeps at a time; the lease outlives a slow sweep so two never overlap.
    const leased = await store.tryLease('sweep', instanceId, sweepEvery * 2, clock.now());
    if (!leased) return;
    const result = await workflow.sweep(staleAfterMs);
    if (result.expired || result.settled) logger.info(result, 'sweep');
  };
  let timer: NodeJS.Timeout | null = null;
  let server: Server | null = null;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (req.method === 'POST' && path === '/slack/events') {
      const stamp = Number(req.headers['x-slack-request-timestamp']);
      if (Number.isFinite(stamp) && stamp > Date.now() / 1000 + MAX_CLOCK_SKEW_S) {
        logger.warn({ stamp }, 'refused a request signed in the future');
        res.writeHead(401).end();
        return;
      }
      receiver.requestListener(req, res);
      return;
    }
    res.writeHead(404).end();
  };

  return {
    app,
    workflow,
    policy,
    async listen(port, host = '0.0.0.0') {
      const listening = createServer(handle);
      server = listening;
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(port, host, resolve);
      });
      if (options.sweep?.timer !== false) {
        timer = setInterval(() => {
          sweep().catch((error: unknown) => logger.error({ err: error }, 'sweep failed'));
        }, sweepEvery);
        timer.unref();
      }
      return (listening.address() as AddressInfo).port;
    },
    sweep,
    async close() {
      if (timer) clearInterval(timer);
      const open = server;
      server = null;
      if (open) {
        await new Promise<void>((resolve) => {
          open.close(() => resolve());
          open.closeIdleConnections();
        });
      }
    },
  };
}
