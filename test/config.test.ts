import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { isKeyhouseError } from '../src/core/errors.js';
import { Secret } from '../src/core/secret.js';

const BOT_TOKEN = 'xoxb-111-222-bottokenvalue';
const SIGNING_SECRET = 'signing-secret-value-123';
const APP_TOKEN = 'xapp-1-A111-app-token-value';
const KEY_SECRET = 'clickhouse-key-secret-value-456';

/** The smallest environment that works in HTTP mode, with overrides. */
function env(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    CLICKHOUSE_KEY_ID: 'KEYID1234567890AB',
    CLICKHOUSE_KEY_SECRET: KEY_SECRET,
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

describe('loadConfig', () => {
  it('reads a minimal HTTP-mode environment and fills in the defaults', () => {
    const config = loadConfig(env());
    expect(config.slack.mode).toBe('http');
    expect(config.slack.botToken).toBeInstanceOf(Secret);
    expect(config.slack.botToken.reveal()).toBe(BOT_TOKEN);
    expect(config.slack.signingSecret?.reveal()).toBe(SIGNING_SECRET);
    expect(config.slack.appToken).toBeNull();
    expect(config.slack.apiUrl).toBe('https://slack.com/api/');
    expect(config.slack.command).toBe('/chkey');
    expect(config.port).toBe(3000);
    expect(config.clickhouse).toMatchObject({
      apiUrl: 'https://api.clickhouse.cloud',
      keyId: 'KEYID1234567890AB',
      organizationId: null,
    });
    expect(config.clickhouse.keySecret.reveal()).toBe(KEY_SECRET);
    expect(config.databaseUrl).toBe('sqlite:./data/keyhouse.db');
    expect(config.policyPath).toBe('./policy.yml');
    expect(config.logLevel).toBe('info');
  });

  it('runs in Socket Mode when an app token is set, without a signing secret', () => {
    const config = loadConfig(env({ SLACK_SIGNING_SECRET: undefined, SLACK_APP_TOKEN: APP_TOKEN }));
    expect(config.slack.mode).toBe('socket');
    expect(config.slack.appToken?.reveal()).toBe(APP_TOKEN);
    expect(config.slack.signingSecret).toBeNull();
  });

  it('takes every variable when given', () => {
    const config = loadConfig(
      env({
        SLACK_API_URL: 'http://127.0.0.1:9999/api/',
        SLACK_COMMAND: '/keys',
        PORT: '8080',
        CLICKHOUSE_API_URL: 'http://127.0.0.1:8124/',
        CLICKHOUSE_ORG_ID: '2f9a3c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b',
        DATABASE_URL: 'postgresql://keyhouse:pw@db.internal:5432/keyhouse',
        KEYHOUSE_POLICY: '/etc/keyhouse/policy.json',
        LOG_LEVEL: 'DEBUG',
      }),
    );
    expect(config.slack.apiUrl).toBe('http://127.0.0.1:9999/api/');
    expect(config.slack.command).toBe('/keys');
    expect(config.port).toBe(8080);
    // The trailing slash is dropped so paths can be appended as `${apiUrl}/v1/…`.
    expect(config.clickhouse.apiUrl).toBe('http://127.0.0.1:8124');
    expect(config.clickhouse.organizationId).toBe('2f9a3c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b');
    expect(config.databaseUrl).toBe('postgresql://keyhouse:pw@db.internal:5432/keyhouse');
    expect(config.policyPath).toBe('/etc/keyhouse/policy.json');
    expect(config.logLevel).toBe('debug');
  });

  it('refuses plain http to Slack or ClickHouse unless the host is loopback (issue 9, item 8)', () => {
    const problems = problemsOf(
      env({ SLACK_API_URL: 'http://slack.example.com/api/', CLICKHOUSE_API_URL: 'http://10.0.0.8:8124' }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^SLACK_API_URL must use https \(http is allowed only for loopback/),
      expect.stringMatching(/^CLICKHOUSE_API_URL must use https \(http is allowed only for loopback/),
    ]);
    for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', '[::1]']) {
      const config = loadConfig(
        env({ SLACK_API_URL: `http://${host}:9/api/`, CLICKHOUSE_API_URL: `http://${host}:8124` }),
      );
      expect(config.clickhouse.apiUrl).toBe(`http://${host}:8124`);
    }
  });

  it('accepts port 0 (any free port) and sqlite paths', () => {
    expect(loadConfig(env({ PORT: '0' })).port).toBe(0);
    expect(loadConfig(env({ DATABASE_URL: 'sqlite:/var/lib/keyhouse/k.db' })).databaseUrl).toBe(
      'sqlite:/var/lib/keyhouse/k.db',
    );
    expect(loadConfig(env({ DATABASE_URL: 'postgres://h/db' })).databaseUrl).toBe('postgres://h/db');
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig(env());
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.slack)).toBe(true);
    expect(Object.isFrozen(config.clickhouse)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (config.slack as { command: string }).command = '/other';
    }).toThrow(TypeError);
  });

  it('never prints a secret when the config is logged or serialized', () => {
    const config = loadConfig(env({ SLACK_APP_TOKEN: APP_TOKEN }));
    for (const printed of [
      JSON.stringify(config),
      inspect(config, { depth: 10 }),
      `${config.slack.botToken}`,
    ]) {
      for (const secret of [BOT_TOKEN, SIGNING_SECRET, APP_TOKEN, KEY_SECRET]) {
        expect(printed).not.toContain(secret);
      }
    }
  });

  it('treats empty and blank values as unset', () => {
    const config = loadConfig(
      env({ PORT: '', SLACK_API_URL: '  ', SLACK_APP_TOKEN: '', CLICKHOUSE_ORG_ID: '', LOG_LEVEL: '' }),
    );
    expect(config.port).toBe(3000);
    expect(config.slack.apiUrl).toBe('https://slack.com/api/');
    expect(config.slack.mode).toBe('http');
    expect(config.clickhouse.organizationId).toBeNull();
    expect(config.logLevel).toBe('info');

    expect(problemsOf(env({ SLACK_BOT_TOKEN: '', CLICKHOUSE_KEY_SECRET: ' ' }))).toEqual([
      'SLACK_BOT_TOKEN is required',
      'CLICKHOUSE_KEY_SECRET is required',
    ]);
  });

  it('reports every problem at once, in table order, in one message', () => {
    let caught: unknown;
    try {
      loadConfig({
        SLACK_BOT_TOKEN: 'xoxp-user-token-not-a-bot-token',
        SLACK_API_URL: 'https://slack.com/api',
        SLACK_COMMAND: 'chkey',
        PORT: '70000',
        CLICKHOUSE_API_URL: 'https://api.clickhouse.cloud/v1',
        CLICKHOUSE_KEY_SECRET: KEY_SECRET,
        CLICKHOUSE_ORG_ID: 'not-a-uuid',
        DATABASE_URL: 'mysql://root:hunter2@db/keyhouse',
        LOG_LEVEL: 'verbose',
      });
    } catch (error) {
      caught = error;
    }
    expect(isKeyhouseError(caught, 'config_invalid')).toBe(true);
    const error = caught as ConfigError;
    expect(error.problems).toEqual([
      'SLACK_BOT_TOKEN must be a bot token starting with xoxb-',
      'SLACK_SIGNING_SECRET is required unless SLACK_APP_TOKEN is set (Socket Mode)',
      'SLACK_API_URL must be an http(s) URL ending in /api/',
      'SLACK_COMMAND must start with / and be 2–32 characters without spaces',
      'PORT must be a number between 1 and 65535 (or 0 for any free port)',
      'CLICKHOUSE_API_URL must not include /v1 (Keyhouse adds it)',
      'CLICKHOUSE_KEY_ID is required',
      'CLICKHOUSE_ORG_ID must be a UUID',
      'DATABASE_URL must be sqlite:<path> or a postgres:// (postgresql://) URL',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    ]);
    expect(error.message).toBe(`Invalid environment: ${error.problems.join('; ')}`);
  });

  it('never repeats a secret value in its problems', () => {
    const badSecrets = {
      SLACK_BOT_TOKEN: 'xoxp-LEAKED-BOT',
      SLACK_APP_TOKEN: 'xoxb-LEAKED-APP',
      SLACK_SIGNING_SECRET: 'LEAKED-SIGNING',
      CLICKHOUSE_KEY_SECRET: 'LEAKED-KEY-SECRET',
      DATABASE_URL: 'mysql://root:LEAKED-PASSWORD@db/k',
      CLICKHOUSE_API_URL: 'https://user:LEAKED-URL-PASSWORD@api.clickhouse.cloud',
    };
    let message = '';
    try {
      loadConfig(badSecrets);
    } catch (error) {
      message = `${(error as Error).message} ${inspect(error)}`;
    }
    expect(message).toContain('SLACK_BOT_TOKEN must be a bot token');
    expect(message).toContain('CLICKHOUSE_API_URL must not contain credentials');
    expect(message).not.toContain('LEAKED');
  });

  it.each([
    ['SLACK_APP_TOKEN', 'xoxb-wrong-kind', 'SLACK_APP_TOKEN must be an app-level token starting with xapp-'],
    ['SLACK_API_URL', 'ftp://slack.com/api/', 'SLACK_API_URL must be an http(s) URL ending in /api/'],
    ['SLACK_API_URL', 'https://slack.com/api/?x=1', 'SLACK_API_URL must be an http(s) URL ending in /api/'],
    ['SLACK_COMMAND', '/', 'SLACK_COMMAND must start with / and be 2–32 characters without spaces'],
    ['SLACK_COMMAND', '/two words', 'SLACK_COMMAND must start with / and be 2–32 characters without spaces'],
    [
      'SLACK_COMMAND',
      `/${'a'.repeat(32)}`,
      'SLACK_COMMAND must start with / and be 2–32 characters without spaces',
    ],
    ['PORT', '-1', 'PORT must be a number between 1 and 65535 (or 0 for any free port)'],
    ['PORT', '80.5', 'PORT must be a number between 1 and 65535 (or 0 for any free port)'],
    ['PORT', 'http', 'PORT must be a number between 1 and 65535 (or 0 for any free port)'],
    [
      'CLICKHOUSE_API_URL',
      'api.clickhouse.cloud',
      'CLICKHOUSE_API_URL must be an http(s) origin such as https://api.clickhouse.cloud',
    ],
    [
      'CLICKHOUSE_API_URL',
      'https://api.clickhouse.cloud/v1/',
      'CLICKHOUSE_API_URL must not include /v1 (Keyhouse adds it)',
    ],
    [
      'CLICKHOUSE_API_URL',
      'https://api.clickhouse.cloud/?a=b',
      'CLICKHOUSE_API_URL must not have a query or fragment',
    ],
    ['DATABASE_URL', 'sqlite:', 'DATABASE_URL must be sqlite:<path> or a postgres:// (postgresql://) URL'],
    [
      'DATABASE_URL',
      './data/k.db',
      'DATABASE_URL must be sqlite:<path> or a postgres:// (postgresql://) URL',
    ],
  ])('rejects %s=%j', (name, value, problem) => {
    expect(problemsOf(env({ [name]: value }))).toEqual([problem]);
  });

  it('reads process.env when no source is given', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, env({ SLACK_COMMAND: '/from-process-env' }));
      expect(loadConfig().slack.command).toBe('/from-process-env');
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});
