import { afterEach, describe, expect, it } from 'vitest';
import type { KeyRequest } from '../../src/core/model.js';
import { ACTION } from '../../src/views/ids.js';
import { ManualClock } from '../support/clock.js';
import { Harness, type HarnessOptions, USERS } from '../support/keyhouse.js';

const { alice, bob, eve } = USERS;

function credentialsIn(body: unknown): { keyId: string; secret: string } | null {
  const match = /curl --user '([^':]+):([^']+)'/.exec(JSON.stringify(body));
  return match?.[1] && match[2] ? { keyId: match[1], secret: match[2] } : null;
}

describe('Create key: the key is made on the requester click, its secret shown once', () => {
  let h: Harness;
  afterEach(async () => {
    expect(h.apiContractViolations()).toEqual([]);
    await h?.close();
  });

  async function approved(options: HarnessOptions = {}): Promise<KeyRequest> {
    h = await Harness.start(options);
    return h.approvedRequest(alice, {
      keyName: 'etl-reader',
      roleId: 'developer',
      expiry: '7d',
      reason: 'Reads the events table nightly',
    });
  }

  const userKeys = () => h.clickhouse.keys().filter((k) => k.name === 'etl-reader');
  /** Secrets Slack accepted on the response_url (failed attempts are checked through `traces`). */
  const reveals = () => h.slack.responseUrlPosts.filter((p) => p.status === 200 && credentialsIn(p.body));
  const state = async (id: string) => (await h.store.getRequest(id))?.state;

  /** The secret of the one delivered key, after checking it left no trace anywhere else. */
  function assertShownOnce(): string {
    const shown = reveals();
    expect(shown).toHaveLength(1);
    const secret = credentialsIn(shown[0]?.body)?.secret ?? '';
    expect(h.traces(secret)).toEqual({
      slackMessages: 1,
      slackAttempts: ['response_url:ok'],
      logs: 0,
      database: 0,
      clickhouseLog: 0,
    });
    return secret;
  }

  it('20 concurrent Create key clicks make one key and one delivery', async () => {
    const request = await approved();
    const clicks = await Promise.all(Array.from({ length: 20 }, () => h.createKey(alice, request.id)));
    expect(clicks.every((c) => c.response.status === 200)).toBe(true);
    await h.untilState(request.id, 'delivered');
    // The other 19 clicks are each answered with the reason, ephemerally.
    await h.slack.waitFor(() => h.slack.responseUrlPosts.length >= 20);
    expect(userKeys()).toHaveLength(1);
    expect(h.clickhouse.requests.filter((r) => r.route === 'createKey')).toHaveLength(1);
    assertShownOnce();
  });

  it("another user's crafted Create key click creates nothing", async () => {
    const request = await approved();
    await h.createKey(eve, request.id);
    const refusal = await h.slack.waitFor(() => h.slack.ephemerals().find((e) => e.user === eve));
    expect(JSON.stringify(refusal.body)).toMatch(/only the person who requested/i);
    expect(userKeys()).toHaveLength(0);
    expect(await state(request.id)).toBe('approved');
    expect(h.clickhouse.requests.filter((r) => r.route === 'createKey')).toHaveLength(0);
  });

  it('a click after claimTtl creates nothing and expires the request', async () => {
    const clock = new ManualClock(new Date());
    const request = await approved({ clock });
    clock.advance(24 * 3_600_000 + 1_000);
    await h.createKey(alice, request.id);
    const refusal = await h.slack.waitFor(() =>
      h.slack.ephemerals().find((e) => /expired/i.test(JSON.stringify(e.body))),
    );
    expect(refusal.user).toBe(alice);
    expect(userKeys()).toHaveLength(0);
    expect(await state(request.id)).toBe('expired');
  });

  it('a replayed approve or Create key after completion changes nothing', async () => {
    const request = await approved();
    await h.createKey(alice, request.id);
    await h.untilState(request.id, 'delivered');
    await h.quiet();
    const before = h.slack.calls.length;
    await h.approve(bob, request.id);
    await h.createKey(alice, request.id);
    await h.slack.waitFor(() => h.slack.ephemerals().length >= 3);
    // Only the answers (and a look-up of a clicker's language, to answer in it): nothing posted or changed.
    const locale = (c: { method: string; args: Record<string, unknown> }) =>
      c.method === 'users.info' && c.args.include_locale !== undefined;
    expect(
      h.slack.calls.slice(before).filter((c) => c.method !== 'chat.postEphemeral' && !locale(c)),
    ).toEqual([]);
    expect(userKeys()).toHaveLength(1);
    assertShownOnce();
  });

  it('retries a create answered 429 and delivers once', async () => {
    const request = await approved();
    h.clickhouse.failNext('createKey', 1, 429, { resetSeconds: 0.2 });
    await h.createKey(alice, request.id);
    await h.untilState(request.id, 'delivered');
    expect(h.clickhouse.requests.filter((r) => r.route === 'createKey').map((r) => r.status)).toEqual([
      429, 200,
    ]);
    expect(userKeys()).toHaveLength(1);
    assertShownOnce();
  });

  it('a 500 on create makes no key; the requester is told and may click again', async () => {
    const request = await approved();
    h.clickhouse.failNext('createKey', 1, 500);
    const first = await h.createKey(alice, request.id);
    const told = await h.slack.waitFor(() =>
      h.slack.responseUrlPosts.find((p) => first.responseUrl.endsWith(p.id) && !credentialsIn(p.body)),
    );
    expect(JSON.stringify(told.body)).toMatch(/ClickHouse/);
    await h.untilState(request.id, 'approved');
    expect(userKeys()).toHaveLength(0);

    await h.createKey(alice, request.id);
    await h.untilState(request.id, 'delivered');
    expect(userKeys()).toHaveLength(1);
    assertShownOnce();
  });

  it('create-then-fail leaves no key whose secret nobody got', async () => {
    const request = await approved();
    h.clickhouse.createThenFail(1, 'status500');
    await h.createKey(alice, request.id);
    await h.untilState(request.id, 'approved');
    expect(userKeys()).toHaveLength(0);
    const audit = await h.store.listAudit({ requestId: request.id });
    expect(audit.some((e) => e.action === 'key.deleted' && e.outcome === 'ok')).toBe(true);
    expect(reveals()).toHaveLength(0);

    await h.createKey(alice, request.id);
    await h.untilState(request.id, 'delivered');
    expect(userKeys()).toHaveLength(1);
    assertShownOnce();
  });

  it('when the ephemeral answer fails on every path, the key is deleted and a second click works', async () => {
    const request = await approved();
    h.slack.failNext('response_url', 1, { status: 500 });
    h.slack.failNext('chat.postEphemeral', 1, { error: 'channel_not_found' });
    const failed = await h.createKey(alice, request.id);
    await h.untilState(request.id, 'approved');
    expect(userKeys()).toHaveLength(0);
    // Both ephemeral paths were tried with the first secret; Slack accepted neither, so it reached nobody.
    const lost = h.slack.responseUrlPosts.find(
      (p) => failed.responseUrl.endsWith(p.id) && credentialsIn(p.body),
    );
    const lostSecret = credentialsIn(lost?.body)?.secret ?? '';
    expect(h.traces(lostSecret)).toEqual({
      slackMessages: 0,
      slackAttempts: [`chat.postEphemeral:${alice}:failed`, 'response_url:failed'],
      logs: 0,
      database: 0,
      clickhouseLog: 0,
    });
    const dm = await h.slack.waitFor(() =>
      h.slack
        .messages(alice)
        .find((m) => /deleted/i.test(JSON.stringify(m)) && !JSON.stringify(m).includes(ACTION.createKey)),
    );
    expect(dm).toBeTruthy();

    await h.createKey(alice, request.id);
    await h.untilState(request.id, 'delivered');
    expect(userKeys()).toHaveLength(1);
    expect(assertShownOnce()).not.toBe(lostSecret);
  });

  it('falls back to an ephemeral post in the DM when the response_url fails', async () => {
    const request = await approved();
    h.slack.failNext('response_url', 1, { status: 500 });
    await h.createKey(alice, request.id);
    await h.untilState(request.id, 'delivered');
    const posted = h.slack.callsTo('chat.postEphemeral').filter((c) => credentialsIn(c.args));
    expect(posted).toHaveLength(1);
    expect(posted[0]?.args.user).toBe(alice);
    const secret = credentialsIn(posted[0]?.args)?.secret ?? '';
    // Tried on the click's response_url first (Slack refused it), then ephemerally in the DM.
    expect(h.traces(secret)).toEqual({
      slackMessages: 1,
      slackAttempts: [`chat.postEphemeral:${alice}:ok`, 'response_url:failed'],
      logs: 0,
      database: 0,
      clickhouseLog: 0,
    });
  });

  it('an audit log that cannot be written stops the creation', async () => {
    const request = await approved();
    const append = h.store.appendAudit.bind(h.store);
    h.store.appendAudit = async (event) => {
      if (event.action === 'key.create') throw new Error('disk full');
      return append(event);
    };
    await h.createKey(alice, request.id);
    const told = await h.slack.waitFor(() =>
      h.slack.ephemerals().find((e) => /audit/i.test(JSON.stringify(e.body))),
    );
    expect(told.user).toBe(alice);
    expect(await state(request.id)).toBe('approved');
    expect(h.clickhouse.requests.filter((r) => r.route === 'createKey')).toHaveLength(0);
  });
});
