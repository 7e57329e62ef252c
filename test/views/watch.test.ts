import { describe, expect, it } from 'vitest';
import type { DriftNotice, LeakNotice } from '../../src/core/watch-ports.js';
import { ACTION } from '../../src/views/ids.js';
import {
  driftOwnerMessage,
  driftSecurityNotice,
  leakOwnerMessage,
  leakSecurityNotice,
  leakThreadReply,
} from '../../src/views/watch.js';

const site = { channel: 'C0GENERAL', ts: '1.1', threadTs: null, userId: 'U0CAROL' };
const key = { keyId: '3f1c…uuid', keyName: 'etl<reader>', keySuffix: 'AB12', ownerId: 'U0ALICE' };
const known = (outcome: Extract<LeakNotice, { kind: 'known' }>['outcome']) =>
  ({ kind: 'known', key, outcome, site }) as const;

describe('leak notices', () => {
  it('name the key, say what was done and ask for the message to go', () => {
    const reply = leakThreadReply(known('disabled')).text;
    expect(reply).toContain('*etl&lt;reader&gt;* (…AB12)');
    expect(reply).toContain('Keyhouse disabled the key');
    expect(reply).toContain('delete this message');
    expect(leakThreadReply({ kind: 'unknown', site }).text).toMatch(/did not issue/);
    expect(leakThreadReply(known('failed')).text).toMatch(/could not disable/);
  });

  it('offer the owner Rotate while the key exists', () => {
    const dm = leakOwnerMessage(known('disabled'));
    expect(dm.text).toContain('<@U0CAROL>');
    expect(dm.text).toContain('<#C0GENERAL>');
    const button = JSON.stringify(dm.blocks);
    expect(button).toContain(`"action_id":"${ACTION.rotateKey}"`);
    expect(button).toContain(`"value":"${key.keyId}"`);
    expect(JSON.stringify(leakOwnerMessage(known('deleted')).blocks)).not.toContain(ACTION.rotateKey);
  });

  it('tell the security channel who pasted what, and whether Keyhouse issued it', () => {
    expect(leakSecurityNotice(known('reported')).text).toMatch(
      /<@U0CAROL> pasted the secret of .*owner <@U0ALICE>.*still works/,
    );
    expect(leakSecurityNotice({ kind: 'unknown', site }).text).toMatch(/not issued by Keyhouse/);
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
    expect(driftSecurityNotice(notice).text).toBe(
      '🔎 Outside Keyhouse: dana@example.com (user) renamed *etl* (…AB12), a Keyhouse key of <@U0ALICE>.',
    );
    expect(driftOwnerMessage(notice).text).toContain('dana@example.com (user) renamed');
  });

  it('name a key it cannot see by id, and say when it was disabled', () => {
    const text = driftSecurityNotice({
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
