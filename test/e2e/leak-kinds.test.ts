/**
 * The tripwire reads every kind of message (product.md §9): bots' and integrations' posts, a
 * modern app's bot, Workflow Builder, an attachment's or a block's text, a forwarded message, a
 * channel topic or purpose, and an integration's edit. Each sent as the fake Slack sends it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OtherMessage } from '../../dev/fake-slack/index.js';
import { fingerprint } from '../../src/core/fingerprint.js';
import { ACTION } from '../../src/views/ids.js';
import { Harness, testPolicy, USERS } from '../support/keyhouse.js';

const { alice, carol } = USERS;
const SECURITY = 'C0SECURITY';
const OPS = 'C0OPS';

/** Every kind, each hiding the secret somewhere else, and whom the security notice names as its poster. */
const KINDS: Array<[string, (secret: string) => OtherMessage, string]> = [
  [
    'a classic bot_message',
    (s) => ({ kind: 'bot_message', channel: OPS, username: 'deploy-bot', text: `deploy ok, key=${s}` }),
    'the integration “deploy-bot”',
  ],
  [
    'an incoming webhook, in an attachment field',
    (s) => ({
      kind: 'incoming_webhook',
      channel: OPS,
      username: 'Terraform <!channel>',
      text: 'Terraform plan',
      attachments: [{ fallback: 'plan', fields: [{ title: 'env', value: `CH_SECRET=${s}` }] }],
    }),
    // Its name is the integration's to choose: shown as text, never as a mention.
    'the integration “Terraform &lt;!channel&gt;”',
  ],
  [
    'Workflow Builder, in its blocks',
    (s) => ({ kind: 'workflow', channel: OPS, text: `form: ${s}` }),
    'the integration “Workflow Builder”',
  ],
  [
    'an app’s bot (bot_id, no subtype), in a section block',
    (s) => ({
      kind: 'app',
      channel: OPS,
      text: 'CI output',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `\`\`\`export KEY=${s}\`\`\`` } }],
    }),
    // A modern app's bot has a user of its own: mentioned like a person.
    '<@U0INTEGRATION>',
  ],
  [
    'an attachment’s pretext of a bot post',
    (s) => ({ kind: 'bot_message', channel: OPS, attachments: [{ pretext: `leaked: ${s}`, fallback: 'x' }] }),
    'the integration “integration”',
  ],
  [
    'a forwarded message',
    (s) => ({
      kind: 'forwarded',
      channel: OPS,
      user: carol,
      comment: 'fyi',
      from: { channel: 'C0OTHER', user: carol, text: `the key: ${s}`, ts: '1700000000.000100' },
    }),
    `<@${carol}>`,
  ],
  [
    'a channel topic change',
    (s) => ({ kind: 'topic', channel: OPS, user: carol, value: `key ${s}` }),
    `<@${carol}>`,
  ],
  [
    'a channel purpose change',
    (s) => ({ kind: 'purpose', channel: OPS, user: carol, value: s }),
    `<@${carol}>`,
  ],
];

describe('the tripwire reads every kind of message', () => {
  let h: Harness;
  afterEach(async () => {
    expect(h.apiContractViolations()).toEqual([]);
    await h?.close();
  });

  /** A key of Alice's as Keyhouse records it, without the request flow. */
  async function alicesKey(): Promise<{ id: string; suffix: string; secret: string }> {
    const { key, keySecret } = h.clickhouse.addKey({ name: 'ci-writer' });
    await h.store.putKeyOwner({
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

  it.each(KINDS)(
    '%s: disabled within 5 s, one reply, one DM with Rotate, one notice',
    async (_name, make, poster) => {
      h = await Harness.start({ policy: testPolicy({ security: { channel: SECURITY } }) });
      const key = await alicesKey();
      const { message, payload } = h.slack.somethingPosted(make(key.secret));
      const sentAt = Date.now();
      expect((await h.post({ kind: 'event', payload })).status).toBe(200);
      await h.until(() => h.clickhouse.keys().find((k) => k.id === key.id)?.state === 'disabled', 'disabled');
      expect(Date.now() - sentAt).toBeLessThan(5_000);

      const reply = await h.slack.waitFor(() => h.slack.threadReplies(OPS, message.ts)[0]);
      expect(reply.text).toContain(`(…${key.suffix})`);
      const dm = await h.slack.waitFor(() =>
        h.slack.messages(alice).find((m) => /was pasted/.test(m.text ?? '')),
      );
      expect(JSON.stringify(dm.blocks)).toContain(`"action_id":"${ACTION.rotateKey}"`);
      const notice = await h.slack.waitFor(() => h.slack.messages(SECURITY)[0]);
      expect(notice.text).toContain(`🚨 Leak: ${poster} pasted a ClickHouse secret`);

      // Slack redelivers: nothing twice.
      await h.post({ kind: 'event', payload });
      await h.quiet();
      expect(h.slack.threadReplies(OPS, message.ts)).toHaveLength(1);
      expect(h.slack.messages(SECURITY)).toHaveLength(1);
      expect(h.clickhouse.requests.filter((r) => r.route === 'updateKey')).toHaveLength(1);
      expect(h.traces(key.secret)).toMatchObject({ logs: 0, database: 0 });
    },
  );

  it('an integration edits its message to add a secret: the edit is read', async () => {
    h = await Harness.start({ policy: testPolicy({ security: { channel: SECURITY } }) });
    const key = await alicesKey();
    const { message, payload } = h.slack.somethingPosted({
      kind: 'bot_message',
      channel: OPS,
      text: 'building…',
    });
    await h.post({ kind: 'event', payload });
    const edited = {
      ...payload,
      event: {
        type: 'message',
        subtype: 'message_changed',
        hidden: true,
        channel: OPS,
        ts: '1800000000.000001',
        event_ts: '1800000000.000001',
        channel_type: 'channel',
        message: {
          type: 'message',
          subtype: 'bot_message',
          bot_id: 'B0INTEGRATION',
          text: `done ${key.secret}`,
          ts: message.ts,
        },
        previous_message: {
          type: 'message',
          subtype: 'bot_message',
          bot_id: 'B0INTEGRATION',
          text: 'building…',
          ts: message.ts,
        },
      },
    };
    await h.post({ kind: 'event', payload: edited });
    await h.until(() => h.clickhouse.keys().find((k) => k.id === key.id)?.state === 'disabled', 'disabled');
    await h.slack.waitFor(() => h.slack.threadReplies(OPS, message.ts)[0]);
  });
});
