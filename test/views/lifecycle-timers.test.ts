import { describe, expect, it } from 'vitest';
import { checkMessage } from '../../dev/fake-slack/block-kit-limits.js';
import type { KeyFacts } from '../../src/core/timer-ports.js';
import { ACTION, BLOCK } from '../../src/views/ids.js';
import {
  expiryWarningMessage,
  keyExpiredMessage,
  memberMention,
  nudgeNote,
  offboardingReportMessage,
  staleKeyMessage,
  staleOutcomeMessage,
} from '../../src/views/timed-messages.js';
import { english } from '../support/words.js';
import { apiKey, keyEntry, keyRequest, NOW } from './fixtures.js';

const DAY = 86_400_000;
const KEY_ID = '0d6a3c5e-1b2f-4c7d-9e8f-a1b2c3d4e5f6';
const facts = (overrides: Partial<KeyFacts> = {}): KeyFacts => ({
  keyId: KEY_ID,
  keyName: 'etl-nightly',
  keySuffix: 'WXYZ',
  roleLabel: 'Developer (read-only)',
  ...overrides,
});

const valid = (message: object) => checkMessage(message as unknown as Record<string, unknown>);
type Block = { type: string; block_id?: string; elements?: Array<{ action_id?: string; value?: string }> };

describe('lifecycle views', () => {
  it('an expiry warning names the key, role, date and days left, with Extend and Rotate carrying the key id', () => {
    const message = expiryWarningMessage(english, {
      ownerId: 'U1',
      key: facts(),
      expireAt: new Date(NOW.getTime() + 7 * DAY),
      beforeMs: 7 * DAY,
      now: NOW,
    });
    expect(valid(message)).toBeNull();
    expect(message.text).toBe(
      '⏳ Your ClickHouse API key etl-nightly (…WXYZ) expires 2026-12-04 14:00 UTC (in 7 days).',
    );
    expect(JSON.stringify(message.blocks)).toContain('Developer (read-only)');
    const actions = (message.blocks as Block[]).find((b) => b.block_id === BLOCK.expiryActions);
    expect(actions?.elements?.map((e) => [e.action_id, e.value])).toEqual([
      [ACTION.extendKey, KEY_ID],
      [ACTION.rotateKey, KEY_ID],
    ]);
    expect(ACTION.extendKey).toBe('extend_key');
    expect(ACTION.rotateKey).toBe('rotate_key');
  });

  it('escapes a key name that tries to ping a channel', () => {
    const message = keyExpiredMessage(english, {
      ownerId: 'U1',
      key: facts({ keyName: '<!channel> x' }),
      expireAt: new Date(NOW.getTime() - DAY),
      deleteAt: null,
      now: NOW,
    });
    expect(JSON.stringify(message.blocks)).not.toContain('<!channel>');
    expect(JSON.stringify(message.blocks)).toContain('&lt;!channel&gt;');
  });

  it('the stale offer has Keep, Disable and a confirmed Delete; the outcome has no buttons', () => {
    const offer = staleKeyMessage(english, {
      ownerId: 'U1',
      key: facts(),
      since: new Date(NOW.getTime() - 40 * DAY),
      neverUsed: false,
      askAgainAt: new Date(NOW.getTime() + 30 * DAY),
      now: NOW,
    });
    expect(valid(offer)).toBeNull();
    expect(offer.text).toContain('not used since 2026-10-18 14:00 UTC');
    const actions = (offer.blocks as Block[]).find((b) => b.block_id === BLOCK.staleActions);
    expect(actions?.elements?.map((e) => e.action_id)).toEqual([
      ACTION.staleKeep,
      ACTION.staleDisable,
      ACTION.staleDelete,
    ]);
    expect(JSON.stringify(actions?.elements?.[2])).toContain('"confirm"');

    const kept = staleOutcomeMessage(english, {
      kind: 'kept',
      key: facts(),
      askAgainAt: new Date(NOW.getTime() + 30 * DAY),
      by: 'U1',
    });
    expect(valid(kept)).toBeNull();
    expect((kept.blocks as Block[]).some((b) => b.type === 'actions')).toBe(false);
  });

  it('nudges mention users and groups, and name the request and how long it waited', () => {
    expect(memberMention('S0GROUP')).toBe('<!subteam^S0GROUP>');
    expect(memberMention('U0BOB')).toBe('<@U0BOB>');
    const note = nudgeNote(english, {
      kind: 'escalate',
      request: keyRequest({ createdAt: new Date(NOW.getTime() - 12 * 3_600_000) }),
      mention: ['U0ADMIN', 'S0ADMINS'],
      now: NOW,
    });
    expect(note.text).toContain('<@U0ADMIN>, <!subteam^S0ADMINS>');
    expect(note.text).toContain('waiting 12 hours');
  });

  it('the offboarding report fits a message for 25 keys, with a menu for live keys and a line for deleted ones', () => {
    const keys = Array.from({ length: 25 }, (_, i) => {
      const id = `0d6a3c5e-1b2f-4c7d-9e8f-${String(i).padStart(12, '0')}`;
      const entry = keyEntry({
        key: apiKey({ id, name: `k${i}` }),
        can: { toggle: true, edit: true, delete: true },
      });
      return {
        facts: facts({ keyId: id, keyName: `k${i}` }),
        entry: i === 0 ? null : entry,
        outcome: 'disabled' as const,
      };
    });
    const report = offboardingReportMessage(english, {
      userId: 'U0LEAVER',
      action: 'disable',
      via: 'event',
      keys,
      vanished: 1,
      cancelled: 2,
      now: NOW,
    });
    expect(valid(report)).toBeNull();
    expect(report.blocks.length).toBeLessThanOrEqual(50);
    const blocks = report.blocks as Array<Block & { accessory?: { action_id: string } }>;
    expect(blocks.find((b) => b.block_id?.endsWith('000000000000'))?.accessory).toBeUndefined();
    expect(blocks.find((b) => b.block_id?.endsWith('000000000001'))?.accessory?.action_id).toBe(
      ACTION.keyMenu,
    );
    expect(JSON.stringify(report.blocks)).toContain('3 more');
    expect(JSON.stringify(report.blocks)).toContain('2 requests of theirs cancelled');
  });
});
