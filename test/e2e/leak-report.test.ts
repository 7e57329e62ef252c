/**
 * `POST /leaks/report` (product.md §13) and `scripts/leak-report`: a scanner's fingerprints behind a
 * bearer token; 404 without `LEAK_REPORT_TOKEN`, 401 (and nothing else) without the right token.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/core/fingerprint.js';
import { ACTION } from '../../src/views/ids.js';
import { Harness, testPolicy, USERS } from '../support/keyhouse.js';

const run = promisify(execFile);
const { alice } = USERS;
const SECURITY = 'C0SECURITY';
const TOKEN = 'leak-report-token-for-tests-0123456789';

function strangerSecret(): string {
  const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return `4b1d${[...randomBytes(38)].map((b) => alnum[b % alnum.length]).join('')}`;
}

describe('POST /leaks/report', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    expect(h?.apiContractViolations() ?? []).toEqual([]);
    await h?.close();
    h = undefined;
  });

  async function start(): Promise<Harness> {
    h = await Harness.start({
      policy: testPolicy({ security: { channel: SECURITY } }),
      leaks: { reportToken: TOKEN },
    });
    return h;
  }

  async function alicesKey(harness: Harness) {
    const { key, keySecret } = harness.clickhouse.addKey({ name: 'etl-writer' });
    await harness.store.putKeyOwner({
      keyId: key.id,
      ownerId: alice,
      requestId: null,
      keyName: key.name,
      keySuffix: key.keySuffix,
      createdAt: new Date(),
      fingerprint: fingerprint(keySecret),
    });
    return { id: key.id, suffix: key.keySuffix, secret: keySecret };
  }

  const report = (harness: Harness, body: unknown, token: string | null = TOKEN) =>
    fetch(`${harness.url}/leaks/report`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('acts on each match within 5 s: the key disabled, the owner told with Rotate, security told once', async () => {
    const h = await start();
    const key = await alicesKey(h);
    const unknown = fingerprint(strangerSecret());
    const body = {
      fingerprints: [fingerprint(key.secret), unknown],
      source: 'gitleaks',
      url: 'https://ci.example.com/runs/42',
    };
    const started = Date.now();
    const answer = await report(h, body);
    expect(answer.status).toBe(202);
    expect(await answer.json()).toEqual({ ok: true, fingerprints: 2 });
    expect(Date.now() - started).toBeLessThan(3_000);
    await h.until(() => h.clickhouse.keys().find((k) => k.id === key.id)?.state === 'disabled', 'disabled');
    expect(Date.now() - started).toBeLessThan(5_000);

    const notice = await h.slack.waitFor(() => h.slack.messages(SECURITY)[0]);
    expect(notice.text).toContain('gitleaks');
    expect(notice.text).toContain('https://ci.example.com/runs/42');
    expect(notice.text).toContain(`…${key.suffix}`);
    expect(notice.text).toMatch(/not issued by Keyhouse/);
    const dm = await h.slack.waitFor(() => h.slack.messages(alice)[0]);
    expect(JSON.stringify(dm.blocks)).toContain(`"action_id":"${ACTION.rotateKey}"`);

    // The same report again: nothing new. Another report naming the key: no second write.
    expect((await report(h, body)).status).toBe(202);
    expect((await report(h, { ...body, url: 'https://ci.example.com/runs/43' })).status).toBe(202);
    await h.until(() => h.slack.messages(SECURITY).length === 2, 'the second report noticed');
    await h.quiet(300);
    expect(h.slack.messages(SECURITY)).toHaveLength(2);
    expect(h.slack.messages(SECURITY)[1]?.text).toMatch(/already disabled/);
    expect(h.clickhouse.requests.filter((r) => r.route === 'updateKey')).toHaveLength(1);
    expect((await h.store.getKeyOwner(key.id))?.leak?.source).toBe('report');
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(
      /^keyhouse_leaks_caught_total\{issued_by_keyhouse="true",outcome="disabled",source="report"\} 1$/m,
    );
  });

  it('without the token: 401 and nothing else, the body never read; oversized 413; bad bodies a clear 400', async () => {
    const h = await start();
    const key = await alicesKey(h);
    const body = { fingerprints: [fingerprint(key.secret)], source: 'gitleaks' };
    for (const token of [null, 'wrong', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      const answer = await report(h, body, token);
      expect(answer.status).toBe(401);
      expect(await answer.text()).toBe('');
    }
    const basic = await fetch(`${h.url}/leaks/report`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` },
      body: JSON.stringify(body),
    });
    expect(basic.status).toBe(401);

    const big = await report(h, { fingerprints: ['x'.repeat(1024 * 1024)], source: 's' });
    expect(big.status).toBe(413);

    // A secret sent instead of its fingerprint: refused, and the answer does not repeat it.
    const secretSent = await report(h, { fingerprints: [key.secret], source: 'oops' });
    expect(secretSent.status).toBe(400);
    const said = await secretSent.text();
    expect(said).toMatch(/fingerprints\[0\]: is not a SHA-256 fingerprint/);
    expect(said).not.toContain(key.secret);
    const cases: unknown[] = [
      'not json',
      [],
      {},
      { fingerprints: [], source: 'x' },
      { fingerprints: 'a', source: 'x' },
    ];
    for (const bad of cases) expect((await report(h, bad)).status).toBe(400);

    await h.quiet();
    expect(h.slack.calls.filter((c) => c.method === 'chat.postMessage')).toEqual([]);
    expect(h.clickhouse.keys().find((k) => k.id === key.id)?.state).toBe('enabled');
    expect(h.traces(key.secret)).toMatchObject({ logs: 0, database: 0, slackMessages: 0 });
  });

  it('is 404 when LEAK_REPORT_TOKEN is not set', async () => {
    h = await Harness.start({ policy: testPolicy({ security: { channel: SECURITY } }) });
    expect((await report(h, { fingerprints: [], source: 'x' })).status).toBe(404);
  });

  it('scripts/leak-report turns a gitleaks report into that call, printing no secret', async () => {
    const h = await start();
    const key = await alicesKey(h);
    // Outside the harness's directory, whose every byte counts as the database's.
    const dir = await mkdtemp(join(tmpdir(), 'gitleaks-'));
    const file = join(dir, 'gitleaks.json');
    const finding = (secret: string, file: string) => ({
      Description: 'ClickHouse Cloud API secret key',
      StartLine: 3,
      EndLine: 3,
      StartColumn: 10,
      EndColumn: 52,
      Match: `CLICKHOUSE_SECRET=${secret}`,
      Secret: secret,
      File: file,
      Commit: 'c'.repeat(40),
      RuleID: 'clickhouse-api-secret-key',
      Fingerprint: `${'c'.repeat(40)}:${file}:clickhouse-api-secret-key:3`,
    });
    await writeFile(
      file,
      JSON.stringify([
        finding(key.secret, 'ci/.env'),
        finding(key.secret, 'ci/.env.copy'),
        { ...finding('not-a-clickhouse-secret', 'x'), RuleID: 'generic-api-key' },
      ]),
    );
    const result = await run('sh', ['scripts/leak-report', file, '--url', 'https://ci.example.com/runs/7'], {
      env: { ...process.env, KEYHOUSE_URL: h.url, LEAK_REPORT_TOKEN: TOKEN },
    });
    expect(result.stdout).toMatch(/1 ClickHouse Cloud secret fingerprint\(s\) sent/);
    expect(result.stdout + result.stderr).not.toContain(key.secret);
    await h.until(() => h.clickhouse.keys().find((k) => k.id === key.id)?.state === 'disabled', 'disabled');
    const notice = await h.slack.waitFor(() => h.slack.messages(SECURITY)[0]);
    expect(notice.text).toContain('https://ci.example.com/runs/7');

    // A wrong token: the script fails loudly (exit 1), still printing no secret.
    const refused = await run('node', ['scripts/leak-report.mjs', file], {
      env: { ...process.env, KEYHOUSE_URL: h.url, LEAK_REPORT_TOKEN: 'wrong' },
    }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect(refused).toMatchObject({ code: 1 });
    expect((refused as { stderr: string }).stderr).toMatch(/answered 401/);
    expect(h.traces(key.secret)).toMatchObject({ logs: 0, database: 0, slackMessages: 0 });
    await rm(dir, { recursive: true, force: true });
  });
});
