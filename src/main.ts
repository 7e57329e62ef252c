/**
 * Entry point: configuration, logger, store, ClickHouse client, then the app. Everything else
 * lives in `createApp`, which tests build the same way.
 */
import { existsSync } from 'node:fs';
import { WebClient } from '@slack/web-api';
import { ClickHouseCloudClient } from './api/index.js';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { isKeyhouseError } from './errors.js';
import { createLogger } from './logger.js';
import { loadPolicy, PolicyError } from './policy/index.js';
import { openStore } from './store/index.js';

async function main(): Promise<void> {
  // `.env` fills in what the real environment leaves unset (the environment wins).
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, name: 'keyhouse' });
  // One request's stray rejection must not take down every other conversation: log it loudly.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  const policy = await loadPolicy(config.policyPath);

  // The store first: a bad DATABASE_URL is reported before anything talks to Slack.
  const store = await openStore(config.databaseUrl, { logger });
  const slack = new WebClient(config.slack.botToken.reveal(), {
    slackApiUrl: config.slack.apiUrl,
    retryConfig: { retries: 2 },
  });
  const identity = await slack.auth.test();
  if (!identity.bot_id || !identity.user_id) {
    throw new Error('auth.test did not name the bot; is SLACK_BOT_TOKEN a bot token?');
  }

  const keys = new ClickHouseCloudClient({
    baseUrl: config.clickhouse.apiUrl,
    keyId: config.clickhouse.keyId,
    keySecret: config.clickhouse.keySecret,
    organizationId: config.clickhouse.organizationId ?? undefined,
    logger: logger.child({ component: 'clickhouse' }),
  });

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
    // A SQLite file has one user; PostgreSQL may be shared by replicas.
    replicas: { exclusive: config.databaseUrl.startsWith('sqlite:') },
  });
  const port = await keyhouse.listen(config.port);
  logger.info(
    { port, mode: keyhouse.mode, command: config.slack.command },
    keyhouse.mode === 'http' ? 'Keyhouse is serving /slack/events' : 'Keyhouse is connected in Socket Mode',
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

main().catch((error: unknown) => {
  // A bad environment or policy is reported as one message listing every problem, then exit.
  const message =
    error instanceof ConfigError || error instanceof PolicyError || isKeyhouseError(error, 'config_invalid')
      ? error.message
      : `Keyhouse failed to start: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
