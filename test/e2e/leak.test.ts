import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/views/ids.js';
import { Harness, occurrences, testPolicy, USERS } from '../support/keyhouse.js';
import { pgUrl } from '../support/postgres.js';

const { alice, carol } = USERS;
const SECURITY = 'C0SECURITY';
const GENERAL = 'C0GENERAL';

function credentialsIn(body: unknown): { keyId: string; secret: string } | null {
  const match = /curl --user '([^':]+):([^']+)'/.exec(JSON.stringify(body));
  return match?.[1] && match[2] ? { keyId: match[1], secret: match[2] } : null;
}

/** A secret in ClickHouse's format that no key has. */
function strangerSecret(): string {
  const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return `4b1d${[...randomBytes(38)].map((b) => alnum[b % alnum.length]).join('')}`;
}

describe('leak tripwire', () => {
  let h: Harness;
  afterEach(async () => {
    expect(h.apiContractViolations()).toEqual([]);
    await h?.close();
  });

  async function start(security: Record<string, unknown> = {}) {
    h = await Harness.start({ policy: testPolicy({ security: { channel: SECURITY, ...security } }) });
  }

  /** Alice's key, made through Keyhouse: its ClickHouse record and the secret she was shown. */
  async function alicesKey(name = 'etl-reader') {
    const request = await h.approvedRequest(alice, {
      keyName: name,
      roleId: 'developer',
      expiry: '7d',
      reason: 'Reads the events table nightly',
    });
    await h.createKey(alice, request.id);
    const delivered = await h.untilState(request.id, 'delivered');
    const post = await h.slack.waitFor(() => h.slack.responseUrlPosts.find((p) => credentialsIn(p.body)));
    const key = h.clickhouse.keys().find((k) => k.id === delivered.keyId);
    if (!key) throw new Error('no key');
    await h.quiet();
    return { key, secret: credentialsIn(post.body)!.secret };
  }

  const callsSince = (seq: number) => h.slack.calls.filter((c) => c.seq > seq);
  const lastSeq = () => h.slack.calls.at(-1)?.seq ?? 0;

  it('disables a pasted Keyhouse key within 5 s, says so in the thread, DMs the owner with Rotate, tells security', async () => {
    await start();
    const { key, secret } = await alicesKey();
    expect((await h.store.getKeyOwner(key.id))?.hasFingerprint).toBe(true);
    const before = lastSeq();
    const words = 'here is the prod key for the dashboard, use it wisely';
    const { message, payload } = h.slack.userSays({
      channel: GENERAL,
      user: carol,
      text: `${words}: ${secret}`,
    });

    const sentAt = Date.now();
    const response = await h.post({ kind: 'event', payload });
    expect(response.status).toBe(200);
    await h.until(
      () => h.clickhouse.keys().find((k) => k.id === key.id)?.state === 'disabled',
      'key disabled',
    );
    expect(Date.now() - sentAt).toBeLessThan(5_000);

    const reply = await h.slack.waitFor(() => h.slack.threadReplies(GENERAL, message.ts)[0]);
    expect(reply.text).toContain(`*etl-reader* (…${key.keySuffix})`);
    expect(reply.text).toMatch(/disabled the key/);
    expect(reply.text).toMatch(/delete this message/);

    const dm = await h.slack.waitFor(() =>
      h.slack.messages(alice).find((m) => /was pasted/.test(m.text ?? '')),
    );
    expect(JSON.stringify(dm.blocks)).toContain(`"action_id":"${ACTION.rotateKey}"`);
    expect(JSON.stringify(dm.blocks)).toContain(`"value":"${key.id}"`);

    const notice = await h.slack.waitFor(() => h.slack.messages(SECURITY)[0]);
    expect(notice.text).toContain(`<@${carol}>`);
    expect(notice.text).toContain('etl-reader');

    // Slack redelivers the event: nothing is done twice.
    await h.post({ kind: 'event', payload });
    await h.quiet();
    expect(h.slack.threadReplies(GENERAL, message.ts)).toHaveLength(1);
    expect(h.clickhouse.requests.filter((r) => r.route === 'updateKey')).toHaveLength(1);

    const audit = (await h.store.listAudit({ keyId: key.id })).map((e) => `${e.action}:${e.outcome}`);
    expect(audit).toEqual(
      expect.arrayContaining(['leak.detected:ok', 'leak.disable:attempt', 'leak.disable:ok']),
    );
    // Operators see it on /metrics, once (the redelivery above changed nothing).
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(
      /^keyhouse_leaks_caught_total\{issued_by_keyhouse="true",outcome="disabled"\} 1$/m,
    );
    expect(metrics).toMatch(/^keyhouse_watch_keys_disabled_total\{reason="leak"\} 1$/m);

    // The secret went out once, to Alice's click; the pasted text was never logged or stored.
    expect(h.traces(secret)).toMatchObject({
      slackMessages: 1,
      slackAttempts: ['response_url:ok'],
      logs: 0,
      database: 0,
    });
    expect(callsSince(before).filter((c) => JSON.stringify(c.args).includes(secret))).toEqual([]);
    expect(occurrences(h.logs + h.databaseBytes() + h.slack.allTraffic(), words)).toBe(0);
  });

  it('warns about a secret Keyhouse did not issue, pasted by editing a message in a DM', async () => {
    await start();
    const pasted = strangerSecret();
    const dmChannel = h.slack.dmChannel(carol);
    const { message, payload } = h.slack.userSays({ channel: dmChannel, user: carol, text: 'hello there' });
    await h.post({ kind: 'event', payload });
    const edit = h.slack.userEdits({ channel: dmChannel, ts: message.ts, text: `oops, meant ${pasted}` });
    await h.post({ kind: 'event', payload: edit.payload });

    const reply = await h.slack.waitFor(() => h.slack.threadReplies(dmChannel, message.ts)[0]);
    expect(reply.text).toMatch(/did not issue/);
    const notice = await h.slack.waitFor(() => h.slack.messages(SECURITY)[0]);
    expect(notice.text).toMatch(/not issued by Keyhouse/);
    await h.quiet();
    expect(h.clickhouse.requests.filter((r) => r.route === 'updateKey' || r.route === 'deleteKey')).toEqual(
      [],
    );
    expect(h.traces(pasted)).toMatchObject({ slackMessages: 0, slackAttempts: [], logs: 0, database: 0 });
    expect(occurrences(h.logs, 'oops, meant')).toBe(0);
  });

  it('ignores bots, its own messages and messages without a secret', async () => {
    await start();
    const { key, secret } = await alicesKey();
    const before = lastSeq();
    const plain = h.slack.userSays({
      channel: GENERAL,
      user: carol,
      text: 'no secrets here, 4b1d is just hex',
    });
    await h.post({ kind: 'event', payload: plain.payload });
    const fromBot = h.slack.userSays({ channel: GENERAL, user: 'U0INTEGRATION', text: `config: ${secret}` });
    await h.post({
      kind: 'event',
      payload: {
        ...fromBot.payload,
        event: { ...(fromBot.payload.event as object), subtype: 'bot_message', bot_id: 'B0OTHER' },
      },
    });
    const own = h.slack.userSays({ channel: GENERAL, user: 'U0KEYHOUSEBOT', text: `echo ${secret}` });
    await h.post({ kind: 'event', payload: own.payload });
    await h.quiet();
    expect(callsSince(before)).toEqual([]);
    expect(h.clickhouse.keys().find((k) => k.id === key.id)?.state).toBe('enabled');
    expect(h.traces(secret).logs).toBe(0);
  });

  it('with leakAction delete, deletes the key and offers no Rotate for it', async () => {
    await start({ leakAction: 'delete' });
    const { key, secret } = await alicesKey();
    const { message, payload } = h.slack.userSays({ channel: 'G0PRIVATE', user: carol, text: secret });
    await h.post({ kind: 'event', payload });
    await h.until(() => !h.clickhouse.keys().some((k) => k.id === key.id), 'key deleted');
    const reply = await h.slack.waitFor(() => h.slack.threadReplies('G0PRIVATE', message.ts)[0]);
    expect(reply.text).toMatch(/deleted the key/);
    const dm = await h.slack.waitFor(() =>
      h.slack.messages(alice).find((m) => /was pasted/.test(m.text ?? '')),
    );
    expect(JSON.stringify(dm.blocks ?? [])).not.toContain(ACTION.rotateKey);
    expect(await h.store.getKeyOwner(key.id)).toBeNull();
  });

  it.skipIf(!pgUrl)('acts once when Slack redelivers the event to another replica (PostgreSQL)', async () => {
    h = await Harness.start({ postgres: pgUrl!, policy: testPolicy({ security: { channel: SECURITY } }) });
    const second = await h.startInstance();
    const { key, secret } = await alicesKey();
    const { message, payload } = h.slack.userSays({ channel: GENERAL, user: carol, text: secret });
    const answers = await Promise.all([
      h.post({ kind: 'event', payload }),
      h.post({ kind: 'event', payload }, { to: second }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await h.until(
      () => h.clickhouse.keys().find((k) => k.id === key.id)?.state === 'disabled',
      'key disabled',
    );
    await h.slack.waitFor(() => h.slack.messages(SECURITY)[0]);
    await h.quiet();
    expect(h.slack.threadReplies(GENERAL, message.ts)).toHaveLength(1);
    expect(h.slack.messages(SECURITY)).toHaveLength(1);
    expect(h.clickhouse.requests.filter((r) => r.route === 'updateKey')).toHaveLength(1);
    expect(h.traces(secret)).toMatchObject({ slackMessages: 1, logs: 0, database: 0 });
  });

  it('catches a secret delivered over Socket Mode too', async () => {
    h = await Harness.start({ socketMode: true, policy: testPolicy({ security: { channel: SECURITY } }) });
    await h.slack.waitForSocket(1);
    const pasted = strangerSecret();
    const { message, payload } = h.slack.userSays({
      channel: 'G0GROUPDM',
      user: carol,
      text: pasted,
      mpim: true,
    });
    expect((payload.event as { channel_type: string }).channel_type).toBe('mpim');
    const acked = await h.slack.sendSocketEnvelope({ kind: 'event', payload });
    expect(acked.ack).toBeNull();
    const reply = await h.slack.waitFor(() => h.slack.threadReplies('G0GROUPDM', message.ts)[0]);
    expect(reply.text).toMatch(/did not issue/);
    await h.quiet();
    expect(h.traces(pasted)).toMatchObject({ slackMessages: 0, logs: 0, database: 0 });
  });

  it('with leakAction off, reads no messages at all', async () => {
    await start({ leakAction: 'off' });
    const { key, secret } = await alicesKey();
    const before = lastSeq();
    const { payload } = h.slack.userSays({ channel: GENERAL, user: carol, text: secret });
    // Still acknowledged (an app whose manifest keeps the message events must not look broken).
    expect((await h.post({ kind: 'event', payload })).status).toBe(200);
    await h.quiet();
    expect(callsSince(before)).toEqual([]);
    expect(h.clickhouse.keys().find((k) => k.id === key.id)?.state).toBe('enabled');
    expect(h.traces(secret).logs).toBe(0);
  });
});
