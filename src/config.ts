import { z } from 'zod';
import { KeyhouseError } from './core/errors.js';
import { Secret } from './core/secret.js';
import { deepFreeze } from './util/deep-freeze.js';

/**
 * Configuration from the environment (product.md §5), validated once by one schema before anything
 * connects. Every problem is reported together, in the order of the table, and no problem message
 * ever repeats a value (tokens, secrets and database URLs with passwords included).
 */

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  slack: {
    /** `SLACK_BOT_TOKEN`, the bot token (`xoxb-…`). */
    botToken: Secret;
    /** `SLACK_SIGNING_SECRET`; verifies HTTP-mode requests. Null only in Socket Mode. */
    signingSecret: Secret | null;
    /** `SLACK_APP_TOKEN` (`xapp-…`); set means Socket Mode. */
    appToken: Secret | null;
    /** `SLACK_API_URL`, Web API base ending in `/api/`; tests point it at a local fake. */
    apiUrl: string;
    /** `SLACK_COMMAND`, the slash command, e.g. `/chkey`. */
    command: string;
    /** `socket` when an app token is set, else `http`. */
    mode: 'http' | 'socket';
  };
  /** `PORT`: HTTP listener (Slack events in HTTP mode, health endpoints always). 0 picks a free port. */
  port: number;
  clickhouse: {
    /** `CLICKHOUSE_API_URL`, the management API origin without `/v1` and without a trailing slash. */
    apiUrl: string;
    /** `CLICKHOUSE_KEY_ID`, the bot's own admin key id (Basic auth user). */
    keyId: string;
    /** `CLICKHOUSE_KEY_SECRET`, that key's secret. */
    keySecret: Secret;
    /** `CLICKHOUSE_ORG_ID`; null means discover it with `GET /v1/organizations`. */
    organizationId: string | null;
  };
  /** `DATABASE_URL`: `sqlite:<path>` or `postgres://…` / `postgresql://…`. */
  databaseUrl: string;
  /** `KEYHOUSE_POLICY`, path of the policy file (YAML or JSON). */
  policyPath: string;
  /** `LOG_LEVEL`, a pino level. */
  logLevel: LogLevel;
  /** GitHub as a GitHub App (product.md §12, §13); null when not configured. */
  github: GitHubConfig | null;
  /** Leaks found outside Slack (product.md §13): each endpoint is served only when its secret is set. */
  leaks: LeaksConfig;
}

export interface GitHubConfig {
  /** `GITHUB_APP_ID`: the app's id or client id (the JWT's `iss`). */
  appId: string;
  /** `GITHUB_APP_PRIVATE_KEY`: the app's private key, PEM (`\n` escapes allowed, for one-line env files). */
  privateKey: Secret;
  /** `GITHUB_API_URL`: `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise Server. */
  apiUrl: string;
}

export interface LeaksConfig {
  /** `GITHUB_WEBHOOK_SECRET`: verifies `POST /leaks/github` (needs the GitHub App to read alerts). */
  githubWebhookSecret: Secret | null;
  /** `LEAK_REPORT_TOKEN`: the bearer token of `POST /leaks/report`; unset, that endpoint is 404. */
  reportToken: Secret | null;
}

/** The environment is unusable; `problems` lists each problem, `VARIABLE what is wrong`. */
export class ConfigError extends KeyhouseError {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('config_invalid', `Invalid environment: ${problems.join('; ')}`);
    this.problems = Object.freeze([...problems]);
  }
}

// The order of product.md §5's table: problems are reported in this order.
const VARIABLES = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'SLACK_API_URL',
  'SLACK_COMMAND',
  'PORT',
  'CLICKHOUSE_API_URL',
  'CLICKHOUSE_KEY_ID',
  'CLICKHOUSE_KEY_SECRET',
  'CLICKHOUSE_ORG_ID',
  'DATABASE_URL',
  'KEYHOUSE_POLICY',
  'LOG_LEVEL',
  'GITHUB_APP_ID',
  'GITHUB_APP_PRIVATE_KEY',
  'GITHUB_API_URL',
  'GITHUB_WEBHOOK_SECRET',
  'LEAK_REPORT_TOKEN',
] as const;
type Variable = (typeof VARIABLES)[number];

const required = z.string({ error: 'is required' });
const optional = required.optional();

/** A value that must satisfy `ok`; the message says what is wrong without quoting the value. */
function text(ok: (value: string) => boolean, message: string) {
  return required.refine(ok, { error: message });
}

function httpUrl(value: string): URL | null {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

const CLICKHOUSE_URL_PROBLEM = 'must be an http(s) origin such as https://api.clickhouse.cloud';

/**
 * Plain http carries the bot token and the ClickHouse admin key in clear text, so it is only for
 * this machine (a local emulator, a fake Slack, a sidecar proxy): loopback hosts.
 */
function isLoopback(url: URL): boolean {
  const host = url.hostname;
  return host === 'localhost' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

const PLAIN_HTTP_PROBLEM = 'must use https (http is allowed only for loopback: 127.0.0.1, localhost, [::1])';

/** Problem with a ClickHouse API URL, or null. A path prefix (a proxy) is allowed; `/v1` is ours to add. */
function clickhouseUrlProblem(value: string): string | null {
  const url = httpUrl(value);
  if (!url) return CLICKHOUSE_URL_PROBLEM;
  if (url.protocol === 'http:' && !isLoopback(url)) return PLAIN_HTTP_PROBLEM;
  if (url.username || url.password)
    return 'must not contain credentials (use CLICKHOUSE_KEY_ID and CLICKHOUSE_KEY_SECRET)';
  if (url.search || url.hash) return 'must not have a query or fragment';
  if (/\/v1\/*$/.test(url.pathname)) return 'must not include /v1 (Keyhouse adds it)';
  return null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function databaseUrlOk(value: string): boolean {
  if (value.startsWith('sqlite:')) return value.length > 'sqlite:'.length;
  if (!/^postgres(ql)?:\/\//.test(value)) return false;
  try {
    return new URL(value).host !== '';
  } catch {
    return false;
  }
}

const envSchema = z.object({
  SLACK_BOT_TOKEN: text((v) => /^xoxb-\S+$/.test(v), 'must be a bot token starting with xoxb-'),
  SLACK_SIGNING_SECRET: optional,
  SLACK_APP_TOKEN: text(
    (v) => /^xapp-\S+$/.test(v),
    'must be an app-level token starting with xapp-',
  ).optional(),
  SLACK_API_URL: text(
    (v) => httpUrl(v)?.pathname.endsWith('/api/') === true && !/[?#]/.test(v),
    'must be an http(s) URL ending in /api/',
  )
    .refine((v) => httpUrl(v)?.protocol !== 'http:' || isLoopback(httpUrl(v) as URL), {
      error: PLAIN_HTTP_PROBLEM,
    })
    .default('https://slack.com/api/'),
  SLACK_COMMAND: text(
    (v) => /^\/\S{1,31}$/.test(v),
    'must start with / and be 2–32 characters without spaces',
  ).default('/chkey'),
  PORT: text(
    (v) => /^\d{1,5}$/.test(v) && Number(v) <= 65_535,
    // 0 is accepted on purpose: the OS then picks a free port, which tests rely on.
    'must be a number between 1 and 65535 (or 0 for any free port)',
  ).default('3000'),
  CLICKHOUSE_API_URL: required
    .superRefine((value, ctx) => {
      const problem = clickhouseUrlProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default('https://api.clickhouse.cloud'),
  CLICKHOUSE_KEY_ID: required,
  CLICKHOUSE_KEY_SECRET: required,
  CLICKHOUSE_ORG_ID: text((v) => UUID.test(v), 'must be a UUID').optional(),
  DATABASE_URL: text(databaseUrlOk, 'must be sqlite:<path> or a postgres:// (postgresql://) URL').default(
    'sqlite:./data/keyhouse.db',
  ),
  KEYHOUSE_POLICY: optional.default('./policy.yml'),
  LOG_LEVEL: text(
    (v) => (LOG_LEVELS as readonly string[]).includes(v.toLowerCase()),
    `must be one of ${LOG_LEVELS.join(', ')}`,
  ).default('info'),
  GITHUB_APP_ID: text(
    (v) => /^(\d{1,20}|Iv[0-9A-Za-z.]{4,40})$/.test(v),
    'must be the app ID (digits) or its client ID (Iv…)',
  ).optional(),
  GITHUB_APP_PRIVATE_KEY: text(
    (v) => /-----BEGIN (RSA )?PRIVATE KEY-----/.test(v),
    "must be the app's private key in PEM form (-----BEGIN RSA PRIVATE KEY-----…)",
  ).optional(),
  GITHUB_API_URL: required
    .superRefine((value, ctx) => {
      const problem = originProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default('https://api.github.com'),
  // A webhook secret or bearer token anyone could guess protects nothing.
  GITHUB_WEBHOOK_SECRET: text((v) => v.length >= 20, 'must be at least 20 characters').optional(),
  LEAK_REPORT_TOKEN: text(
    (v) => v.length >= 32,
    'must be at least 32 characters (e.g. openssl rand -hex 32)',
  ).optional(),
});

/** Problem with a GitHub or Vault URL (https, or http on loopback; no credentials, query or fragment), or null. */
function originProblem(value: string): string | null {
  const url = httpUrl(value);
  if (!url) return 'must be an http(s) URL';
  if (url.protocol === 'http:' && !isLoopback(url)) return PLAIN_HTTP_PROBLEM;
  if (url.username || url.password) return 'must not contain credentials';
  if (url.search || url.hash) return 'must not have a query or fragment';
  return null;
}

/** Variables that need another: half a GitHub App works nowhere, and an alert is read as the App. */
function pairProblems(raw: Partial<Record<Variable, string>>): { variable: Variable; message: string }[] {
  const problems: { variable: Variable; message: string }[] = [];
  if (raw.GITHUB_APP_ID && !raw.GITHUB_APP_PRIVATE_KEY)
    problems.push({ variable: 'GITHUB_APP_PRIVATE_KEY', message: 'is required when GITHUB_APP_ID is set' });
  if (raw.GITHUB_APP_PRIVATE_KEY && !raw.GITHUB_APP_ID)
    problems.push({ variable: 'GITHUB_APP_ID', message: 'is required when GITHUB_APP_PRIVATE_KEY is set' });
  if (raw.GITHUB_WEBHOOK_SECRET && !raw.GITHUB_APP_ID)
    problems.push({
      variable: 'GITHUB_WEBHOOK_SECRET',
      message: "needs GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY (an alert's secret is read as the GitHub App)",
    });
  return problems;
}

/**
 * Reads and validates the configuration from `env` (default `process.env`). Values are trimmed and
 * an empty value counts as unset. The result is deeply frozen; secrets are `Secret`s, so printing
 * a `Config` never prints one.
 * @throws ConfigError listing every problem at once.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const raw: Partial<Record<Variable, string>> = {};
  for (const name of VARIABLES) {
    const value = env[name]?.trim();
    if (value) raw[name] = value;
  }

  const problems: { variable: Variable; message: string }[] = [];
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push({ variable: issue.path[0] as Variable, message: issue.message });
    }
  }
  // Across variables, so checked on the raw values whatever else is wrong.
  if (!raw.SLACK_SIGNING_SECRET && !raw.SLACK_APP_TOKEN) {
    problems.push({
      variable: 'SLACK_SIGNING_SECRET',
      message: 'is required unless SLACK_APP_TOKEN is set (Socket Mode)',
    });
  }
  problems.push(...pairProblems(raw));
  if (problems.length > 0 || !parsed.success) {
    // Stable: table order, then the schema's order within one variable.
    const ordered = problems
      .map((p, i) => ({ ...p, i }))
      .sort((a, b) => VARIABLES.indexOf(a.variable) - VARIABLES.indexOf(b.variable) || a.i - b.i);
    throw new ConfigError(ordered.map((p) => `${p.variable} ${p.message}`));
  }

  const e = parsed.data;
  const appToken = e.SLACK_APP_TOKEN ? new Secret(e.SLACK_APP_TOKEN) : null;
  return deepFreeze<Config>({
    slack: {
      botToken: new Secret(e.SLACK_BOT_TOKEN),
      signingSecret: e.SLACK_SIGNING_SECRET ? new Secret(e.SLACK_SIGNING_SECRET) : null,
      appToken,
      apiUrl: e.SLACK_API_URL,
      command: e.SLACK_COMMAND,
      mode: appToken ? 'socket' : 'http',
    },
    port: Number(e.PORT),
    clickhouse: {
      apiUrl: e.CLICKHOUSE_API_URL.replace(/\/+$/, ''),
      keyId: e.CLICKHOUSE_KEY_ID,
      keySecret: new Secret(e.CLICKHOUSE_KEY_SECRET),
      organizationId: e.CLICKHOUSE_ORG_ID ?? null,
    },
    databaseUrl: e.DATABASE_URL,
    policyPath: e.KEYHOUSE_POLICY,
    logLevel: e.LOG_LEVEL.toLowerCase() as LogLevel,
    github:
      e.GITHUB_APP_ID && e.GITHUB_APP_PRIVATE_KEY
        ? {
            appId: e.GITHUB_APP_ID,
            // One-line env files hold the PEM with `\n` escapes.
            privateKey: new Secret(e.GITHUB_APP_PRIVATE_KEY.replace(/\\n/g, '\n')),
            apiUrl: e.GITHUB_API_URL.replace(/\/+$/, ''),
          }
        : null,
    leaks: {
      githubWebhookSecret: e.GITHUB_WEBHOOK_SECRET ? new Secret(e.GITHUB_WEBHOOK_SECRET) : null,
      reportToken: e.LEAK_REPORT_TOKEN ? new Secret(e.LEAK_REPORT_TOKEN) : null,
    },
  });
}
