/**
 * Entry point: configuration, logger, store, ClickHouse client, then the app. Everything else
 * lives in `createApp`, which tests build the same way.
 *
 * A start-up failure is one line saying which side failed: the environment or the policy file as
 * plain text (nothing else has started), the database or Slack as one JSON log line naming
 * `DATABASE_URL` or Slack's `auth.test` at `SLACK_API_URL`; either way on stderr. A ClickHouse key that does not work is
 * logged as a warning and Keyhouse keeps running (ClickHouse may be down briefly; `/readyz` shows it).
 */
import { existsSync } from 'node:fs';
import { WebClient } from '@slack/web-api';
import { type Logger, pino } from 'pino';
import { ClickHouseCloudClient } from './api/index.js';
import { createApp, type KeyhouseOptions } from './app.js';
import { ConfigError } from './config.js';
import type { DestinationWriter } from './core/delivery-ports.js';
import { isKeyhouseError } from './core/errors.js';
import type { DestinationClients } from './delivery/index.js';
import { boltLogger, createLogger } from './logger.js';
import { Metrics } from './metrics.js';
import { PolicyError } from './policy/index.js';
import { loadSettings } from './settings.js';
import { openStore } from './store/index.js';
import { networkCause } from './util/network-cause.js';

/** A failure of one side at start, logged as one JSON line with `side` and the setting to check. */
class StartupError extends Error {
  constructor(
    readonly side: 'database' | 'slack',
    readonly fields: Record<string, string>,
    message: string,
  ) {
    super(message);
  }
}

let log: Logger | null = null;

async function main(): Promise<void> {
  // `.env` fills in what the real environment leaves unset (the environment wins).
  if (existsSync('.env')) process.loadEnvFile('.env');
  const { config, policy } = await loadSettings();
  const logger = createLogger({ level: config.logLevel, name: 'keyhouse' });
  log = logger;
  // One request's stray rejection must not take down every other conversation: log it loudly.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));

  // The store first: a bad DATABASE_URL is reported before anything talks to Slack. A SQLite file
  // is held by this process alone (a second Keyhouse on it refuses to start).
  const databaseUrl = shownDatabaseUrl(config.databaseUrl);
  const store = await openStore(config.databaseUrl, { logger, exclusive: true }).catch((error: unknown) => {
    const cause = config.databaseUrl.startsWith('sqlite:') ? null : networkCause(error, config.databaseUrl);
    throw new StartupError(
      'database',
      { DATABASE_URL: databaseUrl, ...(cause ? { cause: cause.code } : {}) },
      `the database at DATABASE_URL=${databaseUrl} could not be opened: ${
        cause ? `${cause.code}: ${cause.hint}` : messageOf(error)
      }`,
    );
  });

  const metrics = new Metrics();
  // A wrong URL fails within a second or two, not after minutes of retries. Its retries' warnings
  // ("http request failed fetch failed") would only say vaguely what the one fatal line below says
  // with its cause: it logs errors only.
  const slack = new WebClient(config.slack.botToken.reveal(), {
    slackApiUrl: config.slack.apiUrl,
    logger: boltLogger(logger.child({}, { level: 'error' })),
    retryConfig: { retries: 1, factor: 1, minTimeout: 500, maxTimeout: 500 },
    timeout: 10_000,
    fetch: metrics.slackFetch(),
  });
  const identity = await slack.auth.test().catch((error: unknown) => {
    const cause = networkCause(error, config.slack.apiUrl);
    throw new StartupError(
      'slack',
      { SLACK_API_URL: config.slack.apiUrl, ...(cause ? { cause: cause.code } : {}) },
      `Slack's auth.test at ${config.slack.apiUrl} failed: ${
        cause ? `${cause.code}: ${cause.hint} (SLACK_API_URL)` : messageOf(error)
      }`,
    );
  });
  if (!identity.bot_id || !identity.user_id) {
    throw new StartupError(
      'slack',
      { SLACK_API_URL: config.slack.apiUrl },
      `Slack's auth.test at ${config.slack.apiUrl} did not name a bot: is SLACK_BOT_TOKEN a bot token (xoxb-)?`,
    );
  }

  const keys = new ClickHouseCloudClient({
    baseUrl: config.clickhouse.apiUrl,
    keyId: config.clickhouse.keyId,
    keySecret: config.clickhouse.keySecret,
    organizationId: config.clickhouse.organizationId ?? undefined,
    logger: logger.child({ component: 'clickhouse' }),
    observer: metrics.clickhouse,
  });

  // GitHub, Vault and delivery are loaded only when configured (most of a Keyhouse without them is
  // never touched); one GitHub App client serves delivery and the leak alerts, with a token each.
  const github = config.github
    ? new (await import('./github/index.js')).GitHubAppClient({
        apiUrl: config.github.apiUrl,
        appId: config.github.appId,
        privateKey: config.github.privateKey,
        // What each needs and no more (README: the GitHub App's permissions).
        permissions: {
          secrets: { secrets: 'write', environments: 'read' },
          alerts: { secret_scanning_alerts: 'write' },
        },
        logger: logger.child({ component: 'github' }),
      })
    : null;
  const vault = config.vault
    ? new (await import('./vault/index.js')).VaultClient({
        addr: config.vault.addr,
        auth: config.vault.auth,
        ...(config.vault.namespace ? { namespace: config.vault.namespace } : {}),
        logger: logger.child({ component: 'vault' }),
      })
    : null;
  const destinations = await destinationWriter({
    github,
    vault,
    logger: logger.child({ component: 'delivery' }),
  });
  // Leaks found outside Slack (product.md §13): each door opens with its setting.
  const leaks: NonNullable<KeyhouseOptions['leaks']> = {};
  if (github && config.leaks.githubWebhookSecret) {
    leaks.github = { alerts: github, webhookSecret: config.leaks.githubWebhookSecret.reveal() };
  }
  if (config.leaks.reportToken) leaks.reportToken = config.leaks.reportToken.reveal();

  const keyhouse = createApp({
    slack: {
      botToken: config.slack.botToken.reveal(),
      signingSecret: config.slack.signingSecret?.reveal() ?? null,
      appToken: config.slack.appToken?.reveal() ?? null,
      apiUrl: config.slack.apiUrl,
      command: config.slack.command,
      botId: identity.bot_id,
      botUserId: identity.user_id,
    },
    policy,
    store,
    keys,
    clickhouseApiUrl: config.clickhouse.apiUrl,
    clickhouseKeyId: config.clickhouse.keyId,
    logger,
    metrics,
    leaks,
    // A SQLite file has one user; PostgreSQL may be shared by replicas.
    replicas: { exclusive: config.databaseUrl.startsWith('sqlite:') },
    destinations,
  });
  const port = await keyhouse.listen(config.port);
  logger.info(
    { port, mode: keyhouse.mode, command: config.slack.command },
    keyhouse.mode === 'http' ? 'Keyhouse is serving /slack/events' : 'Keyhouse is connected in Socket Mode',
  );
  // After listening, so the first ack never waits for ClickHouse; not fatal, ClickHouse may be down briefly.
  keys.listOrganizations().then(
    () => logger.info({ clickhouseApiUrl: config.clickhouse.apiUrl }, 'ClickHouse accepted the admin key'),
    (error: unknown) => {
      const cause = networkCause(error, config.clickhouse.apiUrl);
      logger.warn(
        {
          side: 'clickhouse',
          CLICKHOUSE_API_URL: config.clickhouse.apiUrl,
          ...(cause ? { cause: cause.code } : {}),
        },
        cause
          ? `ClickHouse at ${config.clickhouse.apiUrl} could not be reached: ${cause.code}: ${cause.hint} (CLICKHOUSE_API_URL); ` +
              'Keyhouse keeps running, and /readyz reports it until it works'
          : `ClickHouse at ${config.clickhouse.apiUrl} did not accept CLICKHOUSE_KEY_ID/CLICKHOUSE_KEY_SECRET: ${messageOf(error)}; ` +
              'Keyhouse keeps running, and /readyz reports it until it works',
      );
    },
  );

  // Patterns of a services grant that match no service now: a warning, since services come and go.
  keyhouse.workflow.unmatchedServicePatterns().then(
    (unmatched) => {
      for (const { roleId, patterns } of unmatched) {
        logger.warn(
          { role: roleId, patterns },
          `policy role ${roleId}: ${patterns.join(', ')} match no ClickHouse service now; its requesters are offered only the services the other patterns match`,
        );
      }
    },
    (error: unknown) =>
      logger.warn({ err: error }, 'could not check the policy service patterns against ClickHouse'),
  );

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing work in flight');
    const { drained } = await keyhouse.close();
    await store.close();
    logger.info({ drained }, 'stopped');
    process.exit(0);
  };
  process.once('SIGTERM', (signal) => void stop(signal));
  process.once('SIGINT', (signal) => void stop(signal));
}

/**
 * The destinations' writer. With GitHub or Vault configured, loaded now; without either, no policy
 * destination can pass the start's check (settings.ts), and the writer loads only if it is ever asked
 * (it then answers as it always has: that type is not configured in this Keyhouse).
 */
async function destinationWriter(clients: DestinationClients): Promise<DestinationWriter> {
  if (clients.github || clients.vault) return new (await import('./delivery/index.js')).Destinations(clients);
  let writer: Promise<DestinationWriter> | null = null;
  const load = () => {
    writer ??= import('./delivery/index.js').then(({ Destinations }) => new Destinations(clients));
    return writer;
  };
  return {
    write: async (...args) => (await load()).write(...args),
    holds: async (...args) => (await load()).holds(...args),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `DATABASE_URL` as it may be logged: a PostgreSQL password is replaced. */
function shownDatabaseUrl(url: string): string {
  if (url.startsWith('sqlite:')) return url;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}

main().catch((error: unknown) => {
  if (error instanceof StartupError && log) {
    // On stderr, where every start-up failure goes (the environment's and the policy's as plain text).
    const fatal = createLogger({
      level: 'fatal',
      name: 'keyhouse',
      destination: pino.destination({ dest: 2, sync: true }),
    });
    fatal.fatal({ side: error.side, ...error.fields }, `Keyhouse failed to start: ${error.message}`);
    process.exit(1);
  }
  // A bad environment or policy is reported as one message listing every problem, then exit.
  const message =
    error instanceof ConfigError || error instanceof PolicyError || isKeyhouseError(error, 'config_invalid')
      ? error.message
      : `Keyhouse failed to start: ${messageOf(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
