import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/core/fingerprint.js';
import { ACTION } from '../../src/views/ids.js';
import { Harness, occurrences, testPolicy, USERS } from '../support/keyhouse.js';
import { pgUrl } from '../support/postgres.js';

const { alice, carol, dave } = USERS;
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
  const postsSince = (seq: number) => callsSince(seq).filter((c) => c.method === 'chat.postMessage');

  /**
   * Waits until Keyhouse has handled the message at `ts` (its one log line per message, written
   * once every post is answered) or has already posted more than one reply under it (the fan-out
   * this guards against), whichever comes first.
   */
  async function handled(channel: string, ts: string): Promise<void> {
    const logged = (line: string) =>
      line.includes('"msg":"leak reported"') && line.includes(`"messageTs":"${ts}"`);
    await h.until(
      () => h.logs.split('\n').some(logged) || h.slack.threadReplies(channel, ts).length > 1,
      `the leak in ${ts} to be handled`,
    );
  }

  /** `count` keys of `ownerId` as Keyhouse records the ones it made: in ClickHouse, with their fingerprints. */
  async function keysOf(ownerId: string, count: number): Promise<Array<{ id: string; secret: string }>> {
    const made: Array<{ id: string; secret: string }> = [];
    for (let i = 0; i < count; i++) {
      const { key, keySecret } = h.clickhouse.addKey({ name: `etl-${ownerId.toLowerCase()}-${i}` });
      await h.store.putKeyOwner({
        keyId: key.id,
        ownerId,
        requestId: null,
        keyName: key.name,
        keySuffix: key.keySuffix,
        createdAt: new Date(Date.now() + made.length),
        fingerprint: fingerprint(keySecret),
      });
      made.push({ id: key.id, secret: keySecret });
    }
    return made;
  }

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
      /^keyhouse_leaks_caught_total\{issued_by_keyhouse="true",outcome="disabled",source="slack"\} 1$/m,
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

  it('ignores its own messages and messages without a secret (bots are read: leak-kinds.test.ts)', async () => {
    await start();
    const { key, secret } = await alicesKey();
    const before = lastSeq();
    const plain = h.slack.userSays({
      channel: GENERAL,
      user: carol,
      text: 'no secrets here, 4b1d is just hex',
    });
    await h.post({ kind: 'event', payload: plain.payload });
    const own = h.slack.userSays({ channel: GENERAL, user: 'U0KEYHOUSEBOT', text: `echo ${secret}` });
    await h.post({ kind: 'event', payload: own.payload });
    const ownBot = h.slack.somethingPosted({
      kind: 'app',
      channel: GENERAL,
      botId: 'B0KEYHOUSE',
      text: secret,
    });
    await h.post({ kind: 'event', payload: ownBot.payload });
    await h.quiet();
    expect(callsSince(before)).toEqual([]);
    expect(h.clickhouse.keys().find((k) => k.id === key.id)?.state).toBe('enabled');
    expect(h.traces(secret).logs).toBe(0);
  });

  it('one 40,000-character message of made-up secrets: one reply, one notice, one audit event, no ClickHouse call', async () => {
    await start();
    const before = lastSeq();
    const auditBefore = (await h.store.listAudit()).length;
    const pasted = Array.from({ length: 930 }, strangerSecret).join(' ');
    expect(pasted.length).toBeLessThanOrEqual(40_000);
    const { message, payload } = h.slack.userSays({ channel: GENERAL, user: carol, text: pasted });
    await h.post({ kind: 'event', payload });
    await handled(GENERAL, message.ts);

    expect(h.slack.threadReplies(GENERAL, message.ts)).toHaveLength(1);
    expect(h.slack.threadReplies(GENERAL, message.ts)[0]?.text).toMatch(/930 strings .* did not issue/);
    expect(h.slack.messages(SECURITY)).toHaveLength(1);
    expect(postsSince(before)).toHaveLength(2);
    const events = (await h.store.listAudit()).slice(auditBefore);
    expect(events.map((e) => [e.action, e.detail?.notIssued])).toEqual([['leak.message', 930]]);
    expect(h.clickhouse.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(occurrences(h.logs + h.databaseBytes() + h.slack.allTraffic(), pasted.slice(0, 42))).toBe(0);
  });

  it('12 leaked keys of two owners in one message: 10 named and 2 counted, each key written once, one DM per owner', async () => {
    h = await Harness.start({
      policy: testPolicy({ security: { channel: SECURITY } }),
      // ClickHouse's 10 requests per 10 s, in a tenth of the wall time: 12 writes cross a window.
      budget: { requests: 10, windowMs: 1_000 },
    });
    const keys = [...(await keysOf(alice, 7)), ...(await keysOf(dave, 5))];
    const before = lastSeq();
    const text = `here are the prod keys: ${keys.map((k) => k.secret).join('\n')}\nand ${strangerSecret()}`;
    const { message, payload } = h.slack.userSays({ channel: GENERAL, user: carol, text });
    await h.post({ kind: 'event', payload });
    await handled(GENERAL, message.ts);

    const disabled = h.clickhouse.keys().filter((k) => keys.some((mine) => mine.id === k.id));
    expect(disabled.map((k) => k.state)).toEqual(Array(12).fill('disabled'));
    expect(h.clickhouse.requests.filter((r) => r.route === 'updateKey')).toHaveLength(12);

    const replies = h.slack.threadReplies(GENERAL, message.ts);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.text?.match(/^• \*etl-/gm)).toHaveLength(10);
    expect(replies[0]?.text).toContain('• and 2 more keys: 2 disabled');
    expect(replies[0]?.text).toMatch(/also contains what looks like a ClickHouse Cloud API key secret/);
    const notices = h.slack.messages(SECURITY);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.text).toContain('pasted 13 ClickHouse secrets');
    expect(notices[0]?.text).toContain('• and 2 more keys: 2 disabled');
    expect(notices[0]?.text).toContain('• One not issued by Keyhouse');

    const dms = (user: string) => h.slack.messages(user).filter((m) => /were pasted/.test(m.text ?? ''));
    expect(dms(alice)).toHaveLength(1);
    expect(dms(dave)).toHaveLength(1);
    expect(dms(alice)[0]?.text).toContain('The secrets of 7 of your ClickHouse API keys');
    expect(JSON.stringify(dms(dave)[0]?.blocks).match(/"action_id":"rotate_key"/g)).toHaveLength(5);
    // One reply, one notice, two DMs: Slack's rate limits see four posts, not one per key.
    expect(postsSince(before)).toHaveLength(4);
    const events = await h.store.listAudit();
    expect(events.filter((e) => e.action === 'leak.message')).toHaveLength(1);
    expect(events.filter((e) => e.action === 'leak.disable' && e.outcome === 'ok')).toHaveLength(12);
    for (const { secret } of keys) expect(h.traces(secret)).toMatchObject({ logs: 0, database: 0 });
  });

  it.each([
    [
      'disable',
      USERS.alice,
      'list',
      (next: string) => expect(next).toMatch(/etl-reader[\s\S]*· 🚨 \*leaked\* · disabled ·/),
    ],
    // Every key of the organization: a deleted one is not among them.
    ['delete', USERS.admin, 'list all', (next: string) => expect(next).not.toContain('etl-reader')],
  ] as const)(
    'with leakAction %s, the next list shows what the tripwire did',
    async (leakAction, user, text, check) => {
      await start({ leakAction });
      const { secret } = await alicesKey();
      const list = async () => {
        const { response, responseUrl } = await h.command(user, text);
        const acked = response.json as Record<string, unknown> | null;
        if (acked?.blocks !== undefined) return JSON.stringify(acked);
        const post = await h.slack.waitFor(() =>
          h.slack.responseUrlPosts.find((p) => responseUrl.endsWith(p.id)),
        );
        return JSON.stringify(post.body);
      };
      // Listed once, so the client holds the list when the tripwire acts.
      expect(await list()).toMatch(/etl-reader[\s\S]*· enabled ·/);
      const { message, payload } = h.slack.userSays({ channel: GENERAL, user: carol, text: secret });
      await h.post({ kind: 'event', payload });
      await handled(GENERAL, message.ts);
      check(await list());
    },
  );

  it('audits through the workflow’s one Auditor: what the store refused waits in its one journal', async () => {
    let refuse = false;
    h = await Harness.start({
      policy: testPolicy({ security: { channel: SECURITY } }),
      store: (store) =>
        new Proxy(store, {
          get(target, name, receiver) {
            const value = Reflect.get(target, name, receiver);
            if (typeof value !== 'function') return value;
            // Bound to the store itself: its private fields are not the proxy's.
            return (...args: unknown[]) =>
              name === 'appendAudit' && refuse
                ? Promise.reject(new Error('database is down'))
                : value.apply(target, args);
          },
        }),
    });
    const audit = h.keyhouse.workflow.context.audit;
    refuse = true;
    const { message, payload } = h.slack.userSays({ channel: GENERAL, user: carol, text: strangerSecret() });
    await h.post({ kind: 'event', payload });
    await handled(GENERAL, message.ts);
    expect(audit.journaled).toBe(1);
    refuse = false;
    await audit.flush();
    expect(audit.journaled).toBe(0);
    expect((await h.store.listAudit()).map((e) => e.action)).toContain('leak.message');
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
