import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashCredential } from '../../dev/emulator/ids.js';
import { Auditor } from '../../src/core/auditor.js';
import type { ApiKey } from '../../src/core/clickhouse.js';
import { fingerprint, secretCandidates } from '../../src/core/fingerprint.js';
import type { Store } from '../../src/core/model.js';
import { Secret } from '../../src/core/secret.js';
import type { LeakReport, OwnerLeak, PasteSite, WatchNotifier } from '../../src/core/watch-ports.js';
import { messageEvent } from '../../src/handlers/events/message.js';
import { openStore } from '../../src/store/index.js';
import { Tripwire } from '../../src/watch/tripwire.js';
import { ManualClock } from '../support/clock.js';

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
      { channel: 'C1', ts: '1.000100', threadTs: null, userId: 'U0CAROL', botName: null },
      { channel: 'C1', ts: '1.000100', threadTs: '0.5', userId: 'U0CAROL', botName: null },
      { channel: 'G1', ts: '1.5', threadTs: null, userId: 'U0DAN', botName: null },
    ]);
  });

  it('passes over messages without a candidate, itself and non-message subtypes; reads other bots', async () => {
    const { seen, deliver } = setup();
    for (let i = 0; i < 1000; i++) await deliver({ ...base, text: `ordinary message ${i}` });
    await deliver({ ...base, user: 'U0BOT', text: SECRET });
    await deliver({ ...base, subtype: 'channel_join', text: SECRET });
    await deliver({ ...base, subtype: 'message_deleted', previous_message: { text: SECRET, ts: '1' } });
    expect(seen).toEqual([]);
    // Other bots and integrations are read (product.md §9: a CI bot echoing a secret is a leak).
    await deliver({ ...base, bot_id: 'B0OTHER', text: SECRET });
    await deliver({ ...base, subtype: 'bot_message', bot_id: 'B0OTHER', text: SECRET });
    await deliver({
      ...base,
      subtype: 'message_changed',
      message: { user: 'U0X', bot_id: 'B0OTHER', text: SECRET, ts: '1' },
    });
    expect(seen).toHaveLength(3);
  });
});

/** A string in ClickHouse's secret format that no key has. */
function madeUp(): string {
  const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return `4b1d${[...randomBytes(38)].map((b) => alnum[b % alnum.length]).join('')}`;
}

/** A hostile message: as many made-up secrets as Slack's 40,000 characters hold (930), `real` among them. */
function hostileMessage(real: string[] = []): string {
  const strings = Array.from({ length: 930 - real.length }, madeUp);
  strings.splice(400, 0, ...real);
  const text = strings.join(' ');
  expect(text.length).toBeLessThanOrEqual(40_000);
  return text;
}

describe('tripwire: one message is one unit', () => {
  const site: PasteSite = {
    channel: 'C0GENERAL',
    ts: '1700000000.000100',
    threadTs: null,
    userId: 'U0CAROL',
  };
  let store: Store;
  /** Every store call the tripwire (and its auditor) made, by method. */
  let calls: Record<string, number>;
  let writes: Array<{ keyId: string; state: string | undefined }>;
  let told: { thread: LeakReport[]; security: LeakReport[]; owners: OwnerLeak[] };
  let tripwire: Tripwire;
  const clock = new ManualClock('2026-12-12T10:00:00.000Z');

  beforeEach(async () => {
    store = await openStore('sqlite::memory:');
    calls = {};
    writes = [];
    told = { thread: [], security: [], owners: [] };
    const counted = new Proxy(store, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls[String(name)] = (calls[String(name)] ?? 0) + 1;
          return value.apply(target, args);
        };
      },
    }) as unknown as Store;
    const notifier = {
      leakThread: async (report: LeakReport) => void told.thread.push(report),
      leakSecurity: async (_channel: string, report: LeakReport) => void told.security.push(report),
      leakOwner: async (leak: OwnerLeak) => void told.owners.push(leak),
    } as unknown as WatchNotifier;
    const logger = pino({ level: 'silent' });
    tripwire = new Tripwire({
      store: counted,
      keys: {
        getKey: async () => {
          throw new Error('not used');
        },
        updateKey: async (keyId, patch) => {
          writes.push({ keyId, state: patch.state });
          return { id: keyId } as ApiKey;
        },
        deleteKey: async () => ({ requestId: null }),
      },
      notifier,
      audit: new Auditor(counted, clock, logger),
      clock,
      logger,
      leakAction: 'disable',
      securityChannel: 'C0SECURITY',
      // The gate's leak mark, on the same store: the first call that marks a key writes.
      gate: { markLeaked: (keyId, source) => counted.markLeaked(keyId, { at: clock.now(), source }) },
    });
  });
  afterEach(async () => store.close());

  /** Keyhouse keys of `ownerId` with secrets, as creation records them. */
  async function keysOf(ownerId: string, count: number, from = 0): Promise<string[]> {
    const secrets: string[] = [];
    for (let i = from; i < from + count; i++) {
      const secret = madeUp();
      await store.putKeyOwner({
        keyId: `key-${ownerId}-${i}`,
        ownerId,
        requestId: null,
        keyName: `etl-${ownerId.toLowerCase()}-${i}`,
        keySuffix: `S${String(i).padStart(3, '0')}`,
        createdAt: new Date(clock.now().getTime() + i),
        fingerprint: fingerprint(secret),
      });
      secrets.push(secret);
    }
    return secrets;
  }

  it('a 40,000-character message of made-up secrets: one reply, one notice, one audit event, two store reads', async () => {
    const report = await tripwire.inspect(hostileMessage(), site);
    expect(report).toMatchObject({ keys: [], unknown: 930 });
    expect(told.thread).toHaveLength(1);
    expect(told.security).toHaveLength(1);
    expect(told.owners).toEqual([]);
    expect(writes).toEqual([]);
    // One claim of all 930 at once, one look-up of all 930 at once, one audit event for the message.
    expect(calls).toEqual({ claimActivities: 1, findKeyOwnersByFingerprints: 1, appendAudit: 1 });
    expect((await store.listAudit()).map((e) => [e.action, e.detail])).toEqual([
      ['leak.message', { channel: site.channel, messageTs: site.ts, issuedByKeyhouse: 0, notIssued: 930 }],
    ]);
  });

  it('the same message again (a redelivery, an edit, another replica): one store write, nothing else', async () => {
    const text = hostileMessage();
    await tripwire.inspect(text, site);
    calls = {};
    expect(await tripwire.inspect(text, site)).toBeNull();
    expect(await tripwire.inspect(`edited: ${text.slice(0, 20_000)}`, site)).toBeNull();
    expect(calls).toEqual({ claimActivities: 2 });
    expect(told.thread).toHaveLength(1);
  });

  it('a real key hidden among 929 made-up secrets is disabled all the same', async () => {
    const [secret] = await keysOf('U0ALICE', 1);
    calls = {};
    const report = await tripwire.inspect(hostileMessage([secret!]), site);
    expect(report?.keys.map((k) => [k.key.keyId, k.outcome])).toEqual([['key-U0ALICE-0', 'disabled']]);
    expect(report?.unknown).toBe(929);
    expect(writes).toEqual([{ keyId: 'key-U0ALICE-0', state: 'disabled' }]);
    // The key's own events (detected, disable attempt and outcome) and the message's one; the key's
    // leak mark, set once, before its one write.
    expect(calls).toEqual({
      claimActivities: 1,
      findKeyOwnersByFingerprints: 1,
      markLeaked: 1,
      appendAudit: 4,
    });
    expect(told.owners.map((o) => o.ownerId)).toEqual(['U0ALICE']);
  });

  it('12 leaked keys of two owners: each written once, one reply and notice for all, one DM per owner', async () => {
    const alices = await keysOf('U0ALICE', 7);
    const danas = await keysOf('U0DANA', 5, 7);
    const text = `prod: ${alices.join(' ')}\nstaging: ${danas.join(' ')} and ${madeUp()}`;
    const report = await tripwire.inspect(text, site);
    expect(report?.keys).toHaveLength(12);
    expect(report?.unknown).toBe(1);
    expect(writes).toHaveLength(12);
    expect(new Set(writes.map((w) => w.keyId)).size).toBe(12);
    expect(told.thread).toEqual([report]);
    expect(told.security).toEqual([report]);
    expect(told.owners.map((o) => [o.ownerId, o.keys.length])).toEqual([
      ['U0ALICE', 7],
      ['U0DANA', 5],
    ]);
    // Per key acted on: detected, disable attempt, disable ok; one more for the message.
    expect(calls.appendAudit).toBe(12 * 3 + 1);

    // An edit that adds one more secret is told about that one only.
    const [late] = await keysOf('U0DANA', 1, 20);
    const edited = await tripwire.inspect(`${text} oh and ${late}`, site);
    expect(edited?.keys.map((k) => k.key.keyId)).toEqual(['key-U0DANA-20']);
    expect(edited?.unknown).toBe(0);
    expect(told.owners.map((o) => o.ownerId)).toEqual(['U0ALICE', 'U0DANA', 'U0DANA']);
    expect(writes).toHaveLength(13);
  });
});
