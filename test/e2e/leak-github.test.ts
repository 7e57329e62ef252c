/**
 * `POST /leaks/github` (product.md §13) end to end: the fake GitHub sends signed
 * `secret_scanning_alert` deliveries (held to the webhook schema) and serves the alert and its
 * locations (held to the REST description, checked at the end of the file); Keyhouse reads the
 * secret as the App, disables the key, tells the owner and the security channel, and resolves
 * the alert as revoked. Forged, replayed and oversized deliveries change nothing.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { signatures } from '../../dev/fake-github/webhook.js';
import { fingerprint } from '../../src/core/fingerprint.js';
import { ACTION } from '../../src/views/ids.js';
import {
  checkDescriptionsAtEnd,
  type GitHubWorld,
  seenInFile,
  startGitHubWorld,
  stopGitHubWorld,
} from '../support/github.js';
import { Harness, testPolicy, USERS } from '../support/keyhouse.js';

const { alice } = USERS;
const SECURITY = 'C0SECURITY';
const HOOK_SECRET = 'whsec-keyhouse-tests-0123456789';
const REPO = 'acme/infra';
const seen = seenInFile();

function strangerSecret(): string {
  const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return `4b1d${[...randomBytes(38)].map((b) => alnum[b % alnum.length]).join('')}`;
}

describe('POST /leaks/github', () => {
  let h: Harness | undefined;
  let gh: GitHubWorld | undefined;
  afterEach(async () => {
    expect(h?.apiContractViolations() ?? []).toEqual([]);
    await h?.close();
    await stopGitHubWorld(gh);
    h = undefined;
    gh = undefined;
  });

  async function start(security: Record<string, unknown> = {}) {
    gh = await startGitHubWorld(seen);
    gh.fake.addRepository(REPO);
    h = await Harness.start({
      policy: testPolicy({ security: { channel: SECURITY, ...security } }),
      leaks: { github: { alerts: gh.client, webhookSecret: HOOK_SECRET } },
    });
    return { h, gh, hook: `${h.url}/leaks/github` };
  }

  async function alicesKey(harness: Harness) {
    const { key, keySecret } = harness.clickhouse.addKey({ name: 'terraform-ci' });
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

  it('disables the key within 5 s, tells the owner (Rotate) and security (repository, file, commit), resolves the alert', async () => {
    const { h, gh, hook } = await start();
    const key = await alicesKey(h);
    const commit = 'a'.repeat(40);
    const alert = gh.fake.addAlert(REPO, {
      secret: key.secret,
      locations: [{ type: 'commit', path: 'terraform/prod.tfvars', commitSha: commit, startLine: 7 }],
    });

    const started = Date.now();
    const sent = await gh.fake.sendAlertWebhook(hook, HOOK_SECRET, alert);
    expect(sent.status).toBe(202);
    expect(Date.now() - started).toBeLessThan(3_000);
    await h.until(() => h.clickhouse.keys().find((k) => k.id === key.id)?.state === 'disabled', 'disabled');
    expect(Date.now() - started).toBeLessThan(5_000);

    await h.until(() => gh.fake.alert(alert).state === 'resolved', 'alert resolved');
    expect(gh.fake.alert(alert)).toMatchObject({ resolution: 'revoked' });
    expect(gh.fake.alert(alert).resolutionComment).toContain(`…${key.suffix}`);

    const notice = await h.slack.waitFor(() => h.slack.messages(SECURITY)[0]);
    expect(notice.text).toContain(REPO);
    expect(notice.text).toContain('terraform/prod.tfvars');
    expect(notice.text).toContain(commit.slice(0, 12));
    expect(notice.text).toContain(`<@${alice}>`);
    const dm = await h.slack.waitFor(() => h.slack.messages(alice)[0]);
    expect(dm.text).toContain(`…${key.suffix}`);
    expect(JSON.stringify(dm.blocks)).toContain(`"action_id":"${ACTION.rotateKey}"`);
    expect(JSON.stringify(dm.blocks)).toContain(`"value":"${key.id}"`);

    // The same delivery again (a replay), and a new delivery of the same alert: nothing more.
    const githubCalls = gh.fake.requests.length;
    expect(
      (await gh.fake.sendAlertWebhook(hook, HOOK_SECRET, alert, { deliveryId: sent.deliveryId })).status,
    ).toBe(202);
    expect((await gh.fake.sendAlertWebhook(hook, HOOK_SECRET, alert, { action: 'reopened' })).status).toBe(
      202,
    );
    await h.quiet(300);
    expect(h.slack.messages(SECURITY)).toHaveLength(1);
    expect(h.slack.messages(alice)).toHaveLength(1);
    expect(h.clickhouse.requests.filter((r) => r.route === 'updateKey')).toHaveLength(1);
    // The replay read nothing; the reopened delivery re-read the alert, found it resolved, and stopped.
    const later = gh.fake.requests.slice(githubCalls).map((r) => r.route);
    expect(later.filter((route) => route === 'secret-scanning/get-alert')).toHaveLength(1);
    expect(later).not.toContain('secret-scanning/update-alert');

    const audit = (await h.store.listAudit({ keyId: key.id })).map((e) => `${e.action}:${e.outcome}`);
    expect(audit).toEqual(expect.arrayContaining(['leak.detected:ok', 'leak.disable:ok']));
    expect((await h.store.getKeyOwner(key.id))?.leak?.source).toBe('github');
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(
      /^keyhouse_leaks_caught_total\{issued_by_keyhouse="true",outcome="disabled",source="github"\} 1$/m,
    );
    expect(h.traces(key.secret)).toMatchObject({ slackMessages: 0, logs: 0, database: 0 });
  });

  it('a secret Keyhouse did not issue: security told, the alert left open', async () => {
    const { h, gh, hook } = await start();
    const pasted = strangerSecret();
    const alert = gh.fake.addAlert(REPO, { secret: pasted });
    expect((await gh.fake.sendAlertWebhook(hook, HOOK_SECRET, alert)).status).toBe(202);
    const notice = await h.slack.waitFor(() => h.slack.messages(SECURITY)[0]);
    expect(notice.text).toMatch(/not issued by Keyhouse/);
    expect(notice.text).toMatch(/alert stays open/);
    await h.quiet();
    expect(gh.fake.alert(alert).state).toBe('open');
    expect(h.traces(pasted)).toMatchObject({ slackMessages: 0, logs: 0, database: 0 });
  });

  it('forged, unsigned and oversized deliveries get 401 or 413 and change nothing', async () => {
    const { h, gh, hook } = await start();
    const key = await alicesKey(h);
    const alert = gh.fake.addAlert(REPO, { secret: key.secret });
    const slackBefore = h.slack.calls.length;

    const forged = await gh.fake.sendAlertWebhook(hook, HOOK_SECRET, alert, { signWith: 'not-the-secret' });
    const unsigned = await gh.fake.sendAlertWebhook(hook, HOOK_SECRET, alert, { signWith: false });
    expect([forged.status, unsigned.status]).toEqual([401, 401]);
    expect([forged.responseBody, unsigned.responseBody]).toEqual(['', '']);

    const big = JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 10) });
    const oversized = await fetch(hook, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'secret_scanning_alert',
        'x-github-delivery': 'big-1',
        ...signatures(HOOK_SECRET, big),
      },
      body: big,
    });
    expect(oversized.status).toBe(413);
    const unsignedBig = await fetch(hook, {
      method: 'POST',
      headers: { 'x-github-event': 'secret_scanning_alert', 'x-github-delivery': 'big-2' },
      body: big,
    });
    expect(unsignedBig.status).toBe(401);

    // Signed, but not JSON, or not an alert: a clear 400, nothing done.
    const junk = 'not json';
    const notJson = await fetch(hook, {
      method: 'POST',
      headers: {
        'x-github-event': 'secret_scanning_alert',
        'x-github-delivery': 'junk-1',
        ...signatures(HOOK_SECRET, junk),
      },
      body: junk,
    });
    expect(notJson.status).toBe(400);

    await h.quiet();
    expect(gh.fake.requests).toEqual([]);
    expect(h.slack.calls.length).toBe(slackBefore);
    expect(h.clickhouse.keys().find((k) => k.id === key.id)?.state).toBe('enabled');
    expect(gh.fake.alert(alert).state).toBe('open');
  });

  it('answers GitHub’s ping and ignores other actions and secret types', async () => {
    const { h, gh, hook } = await start({ github: { secretTypes: ['acme_clickhouse_key'] } });
    const key = await alicesKey(h);
    const ping = '{"zen":"Design for failure."}';
    const pinged = await fetch(hook, {
      method: 'POST',
      headers: { 'x-github-event': 'ping', 'x-github-delivery': 'ping-1', ...signatures(HOOK_SECRET, ping) },
      body: ping,
    });
    expect(pinged.status).toBe(200);
    const other = gh.fake.addAlert(REPO, { secret: key.secret, secretType: 'clickhouse_cloud_key' });
    expect((await gh.fake.sendAlertWebhook(hook, HOOK_SECRET, other)).status).toBe(202);
    const resolvedAction = gh.fake.addAlert(REPO, { secret: key.secret, secretType: 'acme_clickhouse_key' });
    expect(
      (await gh.fake.sendAlertWebhook(hook, HOOK_SECRET, resolvedAction, { action: 'resolved' })).status,
    ).toBe(202);
    await h.quiet(300);
    expect(gh.fake.requests.filter((r) => r.route === 'secret-scanning/get-alert')).toEqual([]);
    expect(h.clickhouse.keys().find((k) => k.id === key.id)?.state).toBe('enabled');

    const ours = gh.fake.addAlert(REPO, { secret: key.secret, secretType: 'acme_clickhouse_key' });
    expect((await gh.fake.sendAlertWebhook(hook, HOOK_SECRET, ours)).status).toBe(202);
    await h.until(() => gh.fake.alert(ours).state === 'resolved', 'alert of the configured type resolved');
  });

  it('a delivery cut short (GitHub down) is handled when GitHub redelivers it', async () => {
    const { h, gh, hook } = await start();
    const key = await alicesKey(h);
    const alert = gh.fake.addAlert(REPO, { secret: key.secret });
    // Every attempt the client makes at reading the alert fails.
    gh.fake.failNext('secret-scanning/get-alert', 4, { kind: 'status', status: 503 });
    const first = await gh.fake.sendAlertWebhook(hook, HOOK_SECRET, alert);
    expect(first.status).toBe(202);
    await h.until(
      () => h.logs.includes('a leak found outside Slack could not be handled'),
      'the failure logged',
    );
    expect(h.clickhouse.keys().find((k) => k.id === key.id)?.state).toBe('enabled');

    const again = await gh.fake.sendAlertWebhook(hook, HOOK_SECRET, alert, { deliveryId: first.deliveryId });
    expect(again.status).toBe(202);
    await h.until(() => gh.fake.alert(alert).state === 'resolved', 'the redelivery handled');
    expect(h.clickhouse.keys().find((k) => k.id === key.id)?.state).toBe('disabled');
  });

  it('is 404 when GITHUB_WEBHOOK_SECRET is not set', async () => {
    h = await Harness.start({ policy: testPolicy({ security: { channel: SECURITY } }) });
    const answer = await fetch(`${h.url}/leaks/github`, { method: 'POST', body: '{}' });
    expect(answer.status).toBe(404);
  });
});

checkDescriptionsAtEnd(seen);
