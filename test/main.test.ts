/**
 * The real entry point, `src/main.ts`, started as its own process: each start-up failure is one
 * line saying which side failed, a second Keyhouse on one SQLite file refuses to start, and a
 * ClickHouse key that does not work is a warning, not an exit.
 */
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../dev/emulator/server.js';
import { type FakeSlack, startFakeSlack } from '../dev/fake-slack/index.js';
import { jsonLines, type RunningMain, runMain, startMain } from './support/main-process.js';
import { testPolicyFields } from './support/policy-fixture.js';
import { repoRoot } from './support/requirements.js';
import { SLACK_TEST_DEFAULTS } from './support/slack-payloads.js';

const FATAL = 60;
const WARN = 40;

describe('start-up refuses bad configuration with one message', { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyhouse-main-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists every environment problem together and exits 1', async () => {
    const result = await runMain(dir, {
      SLACK_BOT_TOKEN: 'xoxb-1',
      PORT: 'eighty',
      CLICKHOUSE_KEY_SECRET: 'kept-private',
    });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('SLACK_SIGNING_SECRET');
    expect(lines[0]).toContain('CLICKHOUSE_KEY_ID is required');
    expect(lines[0]).toContain('PORT');
    expect(result.stderr).not.toContain('kept-private');
    expect(result.stdout).toBe('');
  });

  it('names the policy file, and the path inside it, for every policy problem', async () => {
    const policy = join(dir, 'policy.yml');
    await writeFile(
      policy,
      [
        'approvalChannel: C0123',
        'approvers: [U1]',
        'admins: [U2]',
        'roles:',
        '  - { id: dev, label: Dev, grant: { roles: [developer] }, maxExpiry: 90d, approvals: 1 }',
        '  - { id: ops, label: Ops, grant: { roles: [admin] }, maxExpiry: soon, approvals: 1 }',
        'reqesters: ["*"]',
      ].join('\n'),
    );
    const result = await runMain(dir, {
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 'signing',
      CLICKHOUSE_KEY_ID: 'KEYID',
      CLICKHOUSE_KEY_SECRET: 'kept-private',
      KEYHOUSE_POLICY: policy,
      DATABASE_URL: `sqlite:${join(dir, 'k.db')}`,
    });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(policy);
    expect(lines[0]).toContain('roles[1].maxExpiry: expected <n>h, <n>d or never');
    expect(lines[0]).toContain('reqesters');
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/**
 * The one line on stderr, a JSON log line at level fatal (as the environment and policy errors are
 * one plain line there), after checking that every line on stdout is JSON too.
 */
function fatalLine(result: { stdout: string; stderr: string }): Record<string, unknown> {
  jsonLines(result.stdout);
  const lines = jsonLines(result.stderr);
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]?.level).toBe(FATAL);
  return lines[0]!;
}

describe('start-up failures say which side failed, in one JSON line', { timeout: 120_000 }, () => {
  let dir: string;
  let slack: FakeSlack;
  let clickhouse: Emulator;
  let running: RunningMain[];
  let env: Record<string, string>;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyhouse-start-'));
    slack = await startFakeSlack();
    clickhouse = await startEmulator();
    running = [];
    await writeFile(join(dir, 'policy.json'), JSON.stringify(testPolicyFields()));
    env = {
      SLACK_BOT_TOKEN: SLACK_TEST_DEFAULTS.botToken,
      SLACK_SIGNING_SECRET: 'signing',
      SLACK_API_URL: slack.apiUrl,
      CLICKHOUSE_API_URL: clickhouse.url,
      CLICKHOUSE_KEY_ID: clickhouse.adminKey.keyId,
      CLICKHOUSE_KEY_SECRET: clickhouse.adminKey.keySecret,
      DATABASE_URL: `sqlite:${join(dir, 'keyhouse.db')}`,
      KEYHOUSE_POLICY: join(dir, 'policy.json'),
    };
  });

  afterEach(async () => {
    await Promise.all(running.map((r) => r.kill()));
    await slack.close();
    await clickhouse.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function start(extra: Record<string, string> = {}): Promise<RunningMain> {
    const main = await startMain(dir, { ...env, ...extra });
    running.push(main);
    return main;
  }

  it("an unreachable SLACK_API_URL: Slack's auth.test at that URL failed, why (ECONNREFUSED) and what to check, with no vague line before", async () => {
    const port = await closedPort();
    const apiUrl = `http://127.0.0.1:${port}/api/`;
    const result = await runMain(dir, { ...env, SLACK_API_URL: apiUrl });
    expect(result.code).toBe(1);
    const fatal = fatalLine(result);
    expect(fatal.msg).toContain(
      `Slack's auth.test at ${apiUrl} failed: ECONNREFUSED: nothing is listening at 127.0.0.1:${port}`,
    );
    expect(fatal.msg).toContain('SLACK_API_URL');
    expect(fatal).toMatchObject({ side: 'slack', SLACK_API_URL: apiUrl, cause: 'ECONNREFUSED' });
    // The client's retries said only "http request failed fetch failed": not before the one line that says why.
    expect(jsonLines(result.stdout).filter((line) => (line.level as number) >= WARN)).toEqual([]);
    expect(result.stdout).not.toContain('fetch failed');
  });

  it('a port fetch refuses to dial (9, as in a copied example) is named as such', async () => {
    const result = await runMain(dir, { ...env, SLACK_API_URL: 'http://127.0.0.1:9/api/' });
    expect(result.code).toBe(1);
    const fatal = fatalLine(result);
    expect(fatal).toMatchObject({ side: 'slack', cause: 'bad_port' });
    expect(fatal.msg).toContain('block that port');
  });

  it('a token Slack refuses: the same line, with Slack’s error', async () => {
    const result = await runMain(dir, { ...env, SLACK_BOT_TOKEN: 'xoxb-not-this-one' });
    expect(result.code).toBe(1);
    const fatal = fatalLine(result);
    expect(fatal.msg).toContain(`Slack's auth.test at ${slack.apiUrl} failed`);
    expect(fatal.msg).toContain('invalid_auth');
    expect(result.stdout).not.toContain('xoxb-not-this-one');
  });

  it('sqlite:/proc/… fails at once, naming the directory and DATABASE_URL (no recursive mkdir spinning)', async () => {
    const result = await runMain(dir, { ...env, DATABASE_URL: 'sqlite:/proc/keyhouse-x/k.db' });
    expect(result.hung).toBe(false);
    expect(result.code).toBe(1);
    const fatal = fatalLine(result);
    expect(fatal.msg).toContain('DATABASE_URL=sqlite:/proc/keyhouse-x/k.db');
    expect(fatal.msg).toContain('cannot create the directory /proc/keyhouse-x');
    expect(fatal).toMatchObject({ side: 'database', DATABASE_URL: 'sqlite:/proc/keyhouse-x/k.db' });
    expect(slack.callsTo('auth.test')).toHaveLength(0);
  });

  it('a SQLite directory this user may not write: the file and DATABASE_URL are named', async () => {
    // As root every directory is writable: run main as nobody, as a container's `node` user would be.
    const root = process.getuid?.() === 0;
    const readOnly = join(dir, 'read-only');
    await mkdir(readOnly);
    await chmod(readOnly, 0o555);
    await chmod(dir, 0o755);
    await chmod(join(dir, 'policy.json'), 0o644);
    const url = `sqlite:${join(readOnly, 'k.db')}`;
    const result = await runMain(dir, { ...env, DATABASE_URL: url }, undefined, {
      ...(root ? { as: { uid: 65534, gid: 65534 } } : {}),
    });
    expect(result.code).toBe(1);
    const fatal = fatalLine(result);
    expect(fatal.msg).toContain(`DATABASE_URL=${url}`);
    expect(fatal.msg).toContain(`cannot open the SQLite file ${join(readOnly, 'k.db')}`);
    expect(fatal.msg).toContain('SQLITE_CANTOPEN');
  });

  it('a second Keyhouse on the same SQLite file refuses, naming it; after a SIGKILL the file is free again', async () => {
    const first = await start();
    const file = join(dir, 'keyhouse.db');
    const second = await runMain(dir, { ...env, PORT: '0' });
    expect(second.code).toBe(1);
    const fatal = fatalLine(second);
    expect(fatal.msg).toContain(`another Keyhouse process is using the SQLite file ${file}`);
    expect(fatal).toMatchObject({ side: 'database' });
    expect(first.alive()).toBe(true);

    // A crash leaves no lock behind: the OS released it with the process.
    await first.kill();
    const restarted = await start();
    expect((await fetch(`${restarted.url}/healthz`)).status).toBe(200);
  });

  it('a ClickHouse key that does not work is a warning at start, and Keyhouse keeps running', async () => {
    const main = await start({ CLICKHOUSE_KEY_SECRET: 'not-the-secret' });
    const warning = await main.line((line) => line.side === 'clickhouse');
    expect(warning.level).toBe(WARN);
    expect(warning.msg).toContain(
      `ClickHouse at ${clickhouse.url} did not accept CLICKHOUSE_KEY_ID/CLICKHOUSE_KEY_SECRET`,
    );
    expect(JSON.stringify(main.output())).not.toContain('not-the-secret');
    expect(main.alive()).toBe(true);
    expect((await fetch(`${main.url}/healthz`)).status).toBe(200);
  });
});

describe('the production build', () => {
  it('npm start and the image run Keyhouse with the same Node flags', async () => {
    const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as {
      scripts: { start: string };
    };
    const dockerfile = await readFile(join(repoRoot, 'Dockerfile'), 'utf8');
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(cmd).toBeDefined();
    expect((JSON.parse(cmd!) as string[]).join(' ')).toBe(pkg.scripts.start);
    // The heap settings BENCHMARKS.md measured (the RSS target of issue 12).
    expect(pkg.scripts.start).toContain('--max-semi-space-size=2 --heap-growing-percent=50');
  });

  it('src/ imports nothing from dev/ or test/, nor a test or dev-only package', async () => {
    const files = (await readdir(join(repoRoot, 'src'), { recursive: true })).filter((f) =>
      f.endsWith('.ts'),
    );
    expect(files.length).toBeGreaterThan(20);
    const devOnly = Object.keys(
      (JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: object })
        .devDependencies,
    );
    const offending: string[] = [];
    for (const file of files) {
      const text = await readFile(join(repoRoot, 'src', file), 'utf8');
      for (const [, specifier] of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        if (!specifier) continue;
        if (specifier.startsWith('.')) {
          const target = relative(repoRoot, resolve(join(repoRoot, 'src', file, '..'), specifier));
          if (!target.startsWith('src/')) offending.push(`${file} → ${specifier}`);
        } else if (devOnly.some((name) => specifier === name || specifier.startsWith(`${name}/`))) {
          // Type-only packages (`@types/…`) never appear as specifiers, so any hit is a runtime import.
          offending.push(`${file} → ${specifier}`);
        }
      }
    }
    expect(offending).toEqual([]);
  });
});
