import { describe, expect, it } from 'vitest';
import { hashCredential } from '../../dev/emulator/ids.js';
import { fingerprint, secretCandidates } from '../../src/core/fingerprint.js';
import { Secret } from '../../src/core/secret.js';
import type { PasteSite } from '../../src/core/watch-ports.js';
import { messageEvent } from '../../src/handlers/events/message.js';
import type { Tripwire } from '../../src/watch/tripwire.js';

const SECRET = `4b1d${'aB3'.repeat(12)}xy`;

describe('secret candidates and fingerprints', () => {
  it('finds the ClickHouse secret shape, once each, and not inside longer runs', () => {
    expect(SECRET).toHaveLength(42);
    expect(secretCandidates(`key: ${SECRET}, again ${SECRET}.`)).toEqual([SECRET]);
    expect(secretCandidates(`x${SECRET}`)).toEqual([]);
    expect(secretCandidates(`${SECRET}9`)).toEqual([]);
    expect(secretCandidates(`<${SECRET}>`)).toEqual([SECRET]);
    expect(secretCandidates('4b1d but too short')).toEqual([]);
    expect(secretCandidates('nothing at all')).toEqual([]);
  });

  it('fingerprints as ClickHouse hashes a secret (SHA-256, base64)', () => {
    expect(fingerprint(SECRET)).toBe(hashCredential(SECRET));
    expect(fingerprint(new Secret(SECRET))).toBe(hashCredential(SECRET));
    expect(fingerprint(SECRET)).not.toContain(SECRET.slice(4, 12));
  });
});

describe('message listener', () => {
  function setup() {
    const seen: Array<{ text: string; site: PasteSite }> = [];
    const tripwire = {
      inspect: async (text: string, site: PasteSite) => {
        seen.push({ text, site });
        return 1;
      },
    } as unknown as Tripwire;
    const listener = messageEvent({ tripwire, botUserId: 'U0BOT', botId: 'B0BOT' });
    // The listener acknowledges at once and hands the text on after the ack (handlers/ack-first.ts).
    const deliver = async (event: Record<string, unknown>) => {
      const reply = await listener({ event } as unknown as Parameters<typeof listener>[0]);
      expect(reply.ack).toBeUndefined();
      await reply.after?.({} as never);
    };
    return { seen, deliver };
  }
  const base = { type: 'message', channel: 'C1', user: 'U0CAROL', ts: '1.000100' };

  it('hands on a person’s message or edit with a candidate, with where it was', async () => {
    const { seen, deliver } = setup();
    await deliver({ ...base, text: `use ${SECRET}` });
    await deliver({ ...base, thread_ts: '0.5', text: SECRET });
    await deliver({
      type: 'message',
      subtype: 'message_changed',
      channel: 'G1',
      ts: '2.0',
      message: { type: 'message', user: 'U0DAN', text: `edited ${SECRET}`, ts: '1.5' },
    });
    expect(seen.map((s) => s.site)).toEqual([
      { channel: 'C1', ts: '1.000100', threadTs: null, userId: 'U0CAROL' },
      { channel: 'C1', ts: '1.000100', threadTs: '0.5', userId: 'U0CAROL' },
      { channel: 'G1', ts: '1.5', threadTs: null, userId: 'U0DAN' },
    ]);
  });

  it('passes over messages without a candidate, bots, itself and non-message subtypes', async () => {
    const { seen, deliver } = setup();
    for (let i = 0; i < 1000; i++) await deliver({ ...base, text: `ordinary message ${i}` });
    await deliver({ ...base, bot_id: 'B0OTHER', text: SECRET });
    await deliver({ ...base, subtype: 'bot_message', bot_id: 'B0OTHER', text: SECRET });
    await deliver({ ...base, user: 'U0BOT', text: SECRET });
    await deliver({ ...base, subtype: 'channel_join', text: SECRET });
    await deliver({
      ...base,
      subtype: 'message_changed',
      message: { user: 'U0X', bot_id: 'B0OTHER', text: SECRET, ts: '1' },
    });
    expect(seen).toEqual([]);
  });
});
