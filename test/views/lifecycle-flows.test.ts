import type { KnownBlock, ModalView, Overflow, SectionBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { checkBlocks, checkMessage, checkView } from '../../dev/fake-slack/block-kit-limits.js';
import { ACTION, BLOCK, CALLBACK, keyBlockId } from '../../src/views/ids.js';
import {
  extendKeyModal,
  readLifecycleModal,
  reassignKeyModal,
  rotateKeyModal,
} from '../../src/views/key-dialogs.js';
import { keyListMessage } from '../../src/views/key-list.js';
import { reviewMessage } from '../../src/views/review.js';
import type { ReviewEntry } from '../../src/workflow/review.js';
import { english } from '../support/words.js';
import { apiKey, keyEntry, keyListing, NOW, policyRole } from './fixtures.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const choices = [
  { value: '7d', label: '7 days', ms: 7 * DAY },
  { value: '30d', label: '30 days', ms: 30 * DAY },
];

const validView = (view: ModalView) => expect(checkView(view)).toEqual([]);
const validMessage = (message: { text: string; blocks: KnownBlock[] }) => {
  expect(checkBlocks(message.blocks, 'message')).toEqual([]);
  expect(checkMessage(message as unknown as Record<string, unknown>)).toBeNull();
};
const blockIds = (view: ModalView) => view.blocks.map((b) => b.block_id).filter(Boolean);

describe('key list: rotation and reassign', () => {
  const full = keyEntry({
    can: { toggle: true, edit: true, delete: true, rotate: true, reassign: true },
  });

  it('offers at most five menu options: Disable, Edit, Rotate, Delete, Reassign', () => {
    const message = keyListMessage(english, keyListing({ entries: [full] }));
    validMessage(message);
    const section = message.blocks.find((b) => b.block_id?.startsWith('keys|')) as SectionBlock;
    const options = (section.accessory as Overflow).options.map((o) => o.value?.split(':')[0]);
    expect(options).toEqual(['disable', 'edit', 'rotate', 'delete', 'reassign']);
  });

  it('shows a retiring key with its date and successor, and a retired one as retired', () => {
    const retiring = keyEntry({
      retiring: {
        at: new Date(NOW.getTime() + DAY),
        stage: 'retiring',
        successorKeyId: 'x',
        successorSuffix: 'WXYZ',
      },
    });
    const text = JSON.stringify(keyListMessage(english, keyListing({ entries: [retiring] })));
    expect(text).toMatch(/retiring\* <!date\^/);
    expect(text).toContain('(tomorrow)');
    expect(text).toContain('…WXYZ');
    const retired = keyEntry({
      retiring: { at: NOW, stage: 'disabled', successorKeyId: 'x', successorSuffix: 'WXYZ' },
    });
    expect(JSON.stringify(keyListMessage(english, keyListing({ entries: [retired] })))).toMatch(
      /retired\* by rotation/,
    );
  });
});

describe('lifecycle dialogs', () => {
  const role = policyRole({ approvals: 1 });

  it('Rotate: overlap choices with the default chosen, the old key’s end first, a reason when approval may be needed', () => {
    const base = {
      entry: keyEntry(),
      role,
      expiryChoices: choices,
      overlaps: [HOUR, DAY, 7 * DAY],
      defaultOverlapMs: DAY,
      envelope: new Date('2026-12-27T14:00:00.000Z'),
      context: '{"k":1}',
    };
    const own = rotateKeyModal(english, { ...base, needsApproval: false });
    validView(own);
    expect(own.callback_id).toBe(CALLBACK.rotateModal);
    // The owner may choose a later end, approved like Extend: the reason is there, and optional.
    expect(blockIds(own)).toEqual([BLOCK.rotateOverlap, BLOCK.rotateExpiry, BLOCK.rotateReason]);
    const reason = (own.blocks as Array<{ block_id?: string; optional?: boolean }>).find(
      (b) => b.block_id === BLOCK.rotateReason,
    );
    expect(reason?.optional).toBe(true);
    expect(JSON.stringify(own)).toContain('"initial_option":{"text":{"type":"plain_text","text":"1 day"');
    expect(JSON.stringify(own)).toContain('"value":"keep"');
    // plain_text holds no date token: the instant is written in the reader's zone, named.
    expect(JSON.stringify(own)).toContain('Same end as now: Dec 27, 2026, 2:00 PM (UTC)');
    expect(JSON.stringify(own)).toContain('without approval while the new key ends no later');
    const approved = rotateKeyModal(english, { ...base, needsApproval: true });
    validView(approved);
    expect(blockIds(approved)).toEqual([BLOCK.rotateOverlap, BLOCK.rotateExpiry, BLOCK.rotateReason]);
    expect(
      (approved.blocks as Array<{ block_id?: string; optional?: boolean }>).find(
        (b) => b.block_id === BLOCK.rotateReason,
      )?.optional,
    ).toBe(false);
    const free = rotateKeyModal(english, {
      ...base,
      role: policyRole({ approvals: 0 }),
      needsApproval: false,
    });
    expect(blockIds(free)).toEqual([BLOCK.rotateOverlap, BLOCK.rotateExpiry]);
    expect(() =>
      rotateKeyModal(english, { ...base, needsApproval: false, context: 'x'.repeat(3001) }),
    ).toThrow(RangeError);
    // A key that lives in a destination: its successor is written there, with no Create key message.
    const vault = { kind: 'vault' as const, path: 'secret/clickhouse/tf-prod' };
    const delivered = rotateKeyModal(english, {
      ...base,
      entry: keyEntry({ destination: vault }),
      needsApproval: false,
    });
    validView(delivered);
    expect(JSON.stringify(delivered)).toContain('is written to Vault KV `secret/clickhouse/tf-prod`');
    expect(JSON.stringify(delivered)).not.toContain('Create key');
    expect(JSON.stringify(own)).toContain('*Create key* message');
  });

  it('Extend and Reassign render valid dialogs with the ids handlers read', () => {
    const extend = extendKeyModal(english, { entry: keyEntry(), role, expiryChoices: choices, context: 'c' });
    validView(extend);
    expect(blockIds(extend)).toEqual([BLOCK.extendExpiry, BLOCK.extendReason]);
    const reassign = reassignKeyModal(english, keyEntry({ ownerId: 'U0OLD' }), 'c');
    validView(reassign);
    expect(JSON.stringify(reassign)).toContain('"initial_user":"U0OLD"');
  });

  it('reads a submitted dialog defensively', () => {
    const read = readLifecycleModal({
      id: 'V1',
      private_metadata: 'ctx',
      state: {
        values: {
          [BLOCK.reassignUser]: { [ACTION.reassignUser]: { type: 'users_select', selected_user: 'U0NEW' } },
          [BLOCK.rotateExpiry]: { [ACTION.rotateExpiry]: { selected_option: { value: '7d' } } },
        },
      },
    });
    expect(read.viewId).toBe('V1');
    expect(read.context).toBe('ctx');
    expect(read.read(BLOCK.reassignUser, ACTION.reassignUser)).toBe('U0NEW');
    expect(read.read(BLOCK.rotateExpiry, ACTION.rotateExpiry)).toBe('7d');
    expect(read.read(BLOCK.rotateReason, ACTION.rotateReason)).toBe('');
    expect(readLifecycleModal(null).read('a', 'b')).toBe('');
  });
});

describe('review message', () => {
  const item = (i: number, overrides: Partial<ReviewEntry> = {}): ReviewEntry => ({
    entry: keyEntry({
      key: apiKey({ id: `0d6a3c5e-1b2f-4c7d-9e8f-${String(i).padStart(12, '0')}`, name: `key-${i}` }),
      ownerId: null,
      can: { toggle: true, edit: true, delete: true, rotate: true, reassign: true },
    }),
    reasons: ['no_owner', 'stale'],
    lastActivity: new Date(NOW.getTime() - 40 * DAY),
    fingerprint: null,
    ...overrides,
  });

  it('a full page stays within 50 blocks with unique ids, each key with its menu and why', () => {
    const entries = Array.from({ length: 20 }, (_, i) => item(i));
    const message = reviewMessage(english, {
      entries,
      page: 0,
      pageCount: 2,
      total: 25,
      now: NOW,
      staleAfterMs: 30 * DAY,
      notice: 'Done.',
    });
    validMessage(message);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    const ids = message.blocks.map((b) => b.block_id).filter(Boolean);
    expect(new Set(ids).size).toBe(ids.length);
    expect(
      message.blocks.find((b) => b.block_id === keyBlockId('review', 0, entries[3]!.entry.key.id)),
    ).toBeDefined();
    expect(JSON.stringify(message)).toContain('not used since');
    expect(JSON.stringify(message)).toContain('made outside Keyhouse');
    expect(JSON.stringify(message.blocks.at(-1))).toContain(ACTION.reviewPage);
  });

  it('names a key without a fingerprint when that is known, and says when there is nothing to review', () => {
    const message = reviewMessage(english, {
      entries: [item(1, { fingerprint: false, reasons: ['retiring'] })],
      page: 0,
      pageCount: 1,
      total: 1,
      now: NOW,
      staleAfterMs: 30 * DAY,
    });
    expect(JSON.stringify(message)).toContain('no fingerprint');
    const empty = reviewMessage(english, {
      entries: [],
      page: 0,
      pageCount: 1,
      total: 0,
      now: NOW,
      staleAfterMs: 30 * DAY,
    });
    validMessage(empty);
    expect(empty.text).toContain('(0)');
    expect(JSON.stringify(empty)).toContain('Nothing to review');
  });
});
