import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type OtherMessage, otherMessageEvent } from '../../dev/fake-slack/message-kinds.js';
import { secretCandidates } from '../../src/core/fingerprint.js';
import { seenMessage, stringsWith } from '../../src/handlers/events/message-text.js';

const SECRET = `4b1d${'A1b2C3d4E5'.repeat(3)}f6G7h8I9`;
const CONTEXT = { teamId: 'T1', appId: 'A1', botUserId: 'U0BOT', nowSec: 1 };

describe('seenMessage', () => {
  it('finds the secret wherever a kind of message keeps it, and names who posted it', () => {
    const kinds: OtherMessage[] = [
      { kind: 'bot_message', channel: 'C1', text: SECRET },
      { kind: 'incoming_webhook', channel: 'C1', attachments: [{ fields: [{ value: SECRET }] }] },
      {
        kind: 'workflow',
        channel: 'C1',
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: SECRET } }],
      },
      { kind: 'app', channel: 'C1', botId: 'B0CI', text: `x ${SECRET} y` },
      {
        kind: 'forwarded',
        channel: 'C1',
        user: 'U1',
        from: { channel: 'C2', user: 'U2', text: SECRET, ts: '1.2' },
      },
      { kind: 'topic', channel: 'C1', user: 'U1', value: SECRET },
      { kind: 'purpose', channel: 'C1', user: 'U1', value: SECRET },
    ];
    for (const kind of kinds) {
      const { event } = otherMessageEvent(CONTEXT, kind, '9.000001');
      const seen = seenMessage(event);
      expect(seen, kind.kind).not.toBeNull();
      expect(secretCandidates(seen!.text), kind.kind).toEqual([SECRET]);
      expect(seen!.ts).toBe('9.000001');
    }
    const app = seenMessage(otherMessageEvent(CONTEXT, kinds[3]!, '9.1').event);
    expect(app).toMatchObject({ botId: 'B0CI', userId: 'U0CI', botName: 'ci-bot' });
    // A classic integration posts under a name of its choosing, and has no user.
    const webhook = seenMessage(otherMessageEvent(CONTEXT, kinds[1]!, '9.2').event);
    expect(webhook).toMatchObject({ userId: null, botName: 'integration' });
  });

  it('reads an edit as its new version, and nothing of a deletion or a reply count', () => {
    const edit = {
      type: 'message',
      subtype: 'message_changed',
      channel: 'C1',
      ts: '5.0',
      message: { text: 'fixed', ts: '4.0', thread_ts: '3.0', user: 'U1' },
      previous_message: { text: SECRET, ts: '4.0' },
    };
    expect(seenMessage(edit)).toEqual({
      channel: 'C1',
      ts: '4.0',
      threadTs: '3.0',
      userId: 'U1',
      botId: null,
      botName: null,
      text: '',
    });
    const deleted = {
      type: 'message',
      subtype: 'message_deleted',
      channel: 'C1',
      ts: '6.0',
      previous_message: { text: SECRET },
    };
    expect(seenMessage(deleted)).toBeNull();
    expect(
      seenMessage({
        type: 'message',
        subtype: 'message_replied',
        channel: 'C1',
        ts: '1',
        message: { text: SECRET, ts: '1' },
      }),
    ).toBeNull();
  });

  it('never throws and stays bounded on any JSON (fast-check)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => {
        const seen = seenMessage(value);
        if (seen) expect(typeof seen.text).toBe('string');
      }),
      { numRuns: 500 },
    );
    // A hostile depth stops the walk instead of the stack.
    let deep: unknown = SECRET;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(stringsWith('4b1d', deep)).toEqual([]);
  });
});
