/** The settings of leaks found outside Slack (product.md §5, §13): GITHUB_WEBHOOK_SECRET, LEAK_REPORT_TOKEN. */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const PEM = '-----BEGIN RSA PRIVATE KEY-----\\nMIIB\\n-----END RSA PRIVATE KEY-----';
const HOOK = 'whsec-0123456789abcdefghij';
const TOKEN = 'leak-report-token-0123456789abcdef0123';

function env(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    SLACK_BOT_TOKEN: 'xoxb-1-2-token',
    SLACK_SIGNING_SECRET: 'signing-secret-value-123',
    CLICKHOUSE_KEY_ID: 'KEYID1234567890AB',
    CLICKHOUSE_KEY_SECRET: 'clickhouse-key-secret',
    ...overrides,
  };
}

function problemsOf(source: Record<string, string | undefined>): readonly string[] {
  try {
    loadConfig(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected loadConfig to throw');
}

describe('leak settings', () => {
  it('are off by default', () => {
    const config = loadConfig(env());
    expect(config.leaks).toEqual({ githubWebhookSecret: null, reportToken: null });
    expect(config.github).toBeNull();
  });

  it('read the App, the webhook secret and the report token, and never print them', () => {
    const config = loadConfig(
      env({
        GITHUB_APP_ID: '12345',
        GITHUB_APP_PRIVATE_KEY: PEM,
        GITHUB_WEBHOOK_SECRET: HOOK,
        LEAK_REPORT_TOKEN: TOKEN,
      }),
    );
    expect(config.github?.appId).toBe('12345');
    expect(config.github?.privateKey.reveal()).toContain('\nMIIB\n');
    expect(config.leaks.githubWebhookSecret?.reveal()).toBe(HOOK);
    expect(config.leaks.reportToken?.reveal()).toBe(TOKEN);
    const printed = inspect(config, { depth: 10 }) + JSON.stringify(config);
    for (const secret of [HOOK, TOKEN, 'MIIB']) expect(printed).not.toContain(secret);
  });

  it('refuse a webhook secret without the App, short secrets, and half an App, all at once', () => {
    expect(
      problemsOf(
        env({ GITHUB_WEBHOOK_SECRET: 'short', LEAK_REPORT_TOKEN: 'also-short', GITHUB_APP_PRIVATE_KEY: PEM }),
      ),
    ).toEqual([
      'GITHUB_APP_ID is required when GITHUB_APP_PRIVATE_KEY is set',
      'GITHUB_WEBHOOK_SECRET must be at least 20 characters',
      "GITHUB_WEBHOOK_SECRET needs GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY (an alert's secret is read as the GitHub App)",
      'LEAK_REPORT_TOKEN must be at least 32 characters (e.g. openssl rand -hex 32)',
    ]);
  });
});
