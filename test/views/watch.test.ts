import { describe, expect, it } from 'vitest';
import { checkMessage } from '../../dev/fake-slack/block-kit-limits.js';
import type { DriftNotice, LeakedKey, LeakOutcome, LeakReport } from '../../src/core/watch-ports.js';
import { ACTION } from '../../src/views/ids.js';
import {
  driftOwnerMessage,
  driftSecurityNotice,
  leakOwnerMessage,
  leakSecurityNotice,
  leakThreadReply,
  MAX_NAMED_KEYS,
} from '../../src/views/watch.js';
import { english } from '../support/words.js';

const site = { channel: 'C0GENERAL', ts: '1.1', threadTs: null, userId: 'U0CAROL' };
const key = { keyId: '3f1c…uuid', keyName: 'etl<reader>', keySuffix: 'AB12', ownerId: 'U0ALICE' };
const leaked = (outcome: LeakOutcome, overrides: Partial<LeakedKey['key']> = {}): LeakedKey => ({
  key: { ...key, ...overrides },
  outcome,
});
const report = (keys: LeakedKey[], unknown = 0): LeakReport => ({ site, keys, unknown });
const owned = (keys: LeakedKey[]) => ({ ownerId: 'U0ALICE', site, keys });

/** `count` keys with the longest names Slack text can show, every character escaped. */
function longestKeys(count: number, outcome: LeakOutcome = 'disabled'): LeakedKey[] {
  return Array.from({ length: count }, (_, i) =>
    leaked(outcome, { keyId: `key-${i}`, keyName: '<&>'.repeat(200), keySuffix: `&<>${i}`.repeat(4) }),
  );
}

describe('leak notices', () => {
  it('name the key, say what was done and ask for the message to go', () => {
    const reply = leakThreadReply(english, report([leaked('disabled')])).text;
    expect(reply).toContain('*etl&lt;reader&gt;* (…AB12)');
    expect(reply).toContain('Keyhouse disabled the key');
    expect(reply).toContain('delete this message');
    expect(reply).toContain('can use the key.');
    expect(leakThreadReply(english, report([], 1)).text).toMatch(
      /looks like a .* secret that Keyhouse did not issue/,
    );
    expect(leakThreadReply(english, report([leaked('failed')])).text).toMatch(/could not disable/);
  });

  it('offer the owner Rotate while the key exists', () => {
    const dm = leakOwnerMessage(english, owned([leaked('disabled')]));
    expect(dm.text).toContain('<@U0CAROL>');
    expect(dm.text).toContain('<#C0GENERAL>');
    expect(dm.text).toContain('*etl&lt;reader&gt;* (…AB12) was pasted');
    const button = JSON.stringify(dm.blocks);
    expect(button).toContain(`"action_id":"${ACTION.rotateKey}"`);
    expect(button).toContain(`"value":"${key.keyId}"`);
    expect(JSON.stringify(leakOwnerMessage(english, owned([leaked('deleted')])).blocks)).not.toContain(
      ACTION.rotateKey,
    );
  });

  it('tell the security channel who pasted what, and whether Keyhouse issued it', () => {
    expect(leakSecurityNotice(english, report([leaked('reported')])).text).toMatch(
      /<@U0CAROL> pasted a ClickHouse secret .*\n• \*etl&lt;reader&gt;\* \(…AB12\) \(owner <@U0ALICE>\): .*still works/,
    );
    expect(leakSecurityNotice(english, report([], 1)).text).toMatch(/One not issued by Keyhouse/);
  });

  it('say everything a message held once: up to 10 keys named, the rest and the strangers counted', () => {
    const keys = [...longestKeys(11), ...longestKeys(1, 'failed')];
    const mixed = report(keys, 930);
    const thread = leakThreadReply(english, mixed).text;
    expect(thread).toContain('the secrets of 12 ClickHouse API keys');
    expect(thread.match(/^• /gm)).toHaveLength(MAX_NAMED_KEYS + 1);
    expect(thread).toContain('• and 2 more keys: 1 disabled, 1 not disabled yet: Keyhouse keeps trying');
    expect(thread).toContain('It also contains 930 strings that look like ClickHouse Cloud API key secrets');
    expect(thread).toMatch(/delete this message: anyone who can read it can use these keys\.$/);

    const notice = leakSecurityNotice(english, mixed).text;
    expect(notice).toContain('pasted 942 ClickHouse secrets');
    expect(notice.match(/\(owner <@U0ALICE>\)/g)).toHaveLength(MAX_NAMED_KEYS);
    expect(notice).toContain('• and 2 more keys: 1 disabled, 1 not disabled');
    expect(notice).toContain('• 930 not issued by Keyhouse: find their keys');

    const dm = leakOwnerMessage(english, owned(keys));
    expect(dm.text).toContain('The secrets of 12 of your ClickHouse API keys were pasted by <@U0CAROL>');
    const buttons = JSON.stringify(dm.blocks).match(new RegExp(`"action_id":"${ACTION.rotateKey}"`, 'g'));
    expect(buttons).toHaveLength(MAX_NAMED_KEYS);
    expect(JSON.stringify(dm.blocks)).toContain('And 2 more keys: 1 disabled, 1 not disabled');
    // Within Block Kit's limits with the longest names, each message whole (nothing cut off).
    for (const message of [leakThreadReply(english, mixed), leakSecurityNotice(english, mixed), dm]) {
      expect(checkMessage(message as unknown as Record<string, unknown>)).toBeNull();
      expect(message.text).not.toMatch(/…$/);
    }
  });
});

describe('drift notices', () => {
  const notice: DriftNotice = {
    activityId: 'a1',
    at: new Date('2026-12-12T10:00:00Z'),
    type: 'openapi_key_update',
    updateType: 'name-changed',
    actorType: 'user',
    actorDetails: 'dana@example.com',
    actorId: 'u-1',
    keyId: 'k-1',
    keyName: 'etl',
    keySuffix: 'AB12',
    ownerId: 'U0ALICE',
    disabled: null,
  };

  it('say who, what and which key', () => {
    expect(driftSecurityNotice(english, notice).text).toBe(
      '🔎 Outside Keyhouse: dana@example.com (user) renamed *etl* (…AB12), a Keyhouse key of <@U0ALICE>.',
    );
    expect(driftOwnerMessage(english, notice).text).toContain('dana@example.com (user) renamed');
  });

  it('name a key it cannot see by id, and say when it was disabled', () => {
    const text = driftSecurityNotice(english, {
      ...notice,
      type: 'key_create',
      updateType: null,
      keyName: null,
      keySuffix: null,
      ownerId: null,
      disabled: 'disabled',
    }).text;
    expect(text).toBe(
      '🔎 Outside Keyhouse: dana@example.com (user) created key `k-1`, not a Keyhouse key. Keyhouse disabled it (the policy disables keys made outside Keyhouse).',
    );
  });
});
