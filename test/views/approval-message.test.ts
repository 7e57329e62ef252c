import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { checkBlocks, checkMessage } from '../../dev/fake-slack/block-kit-limits.js';
import type { RequestState } from '../../src/core/model.js';
import { approvalMessage } from '../../src/views/approval-message.js';
import { ACTION, BLOCK } from '../../src/views/ids.js';
import { english } from '../support/words.js';
import { approval, approvalCard, denial, keyRequest, NOW, policyRole, REQUEST_ID } from './fixtures.js';

type Json = Record<string, unknown>;

/** Every button anywhere in the blocks. */
function buttons(blocks: KnownBlock[]): Json[] {
  const found: Json[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && value !== null) {
      const obj = value as Json;
      if (obj.type === 'button') found.push(obj);
      Object.values(obj).forEach(walk);
    }
  };
  walk(blocks);
  return found;
}

function valid(message: { text: string; blocks: KnownBlock[] }): void {
  expect(checkBlocks(message.blocks, 'message')).toEqual([]);
  expect(checkMessage(message as unknown as Json)).toBeNull();
  expect(message.text.length).toBeGreaterThan(0);
}

describe('approvalMessage while pending', () => {
  const message = approvalMessage(english, approvalCard({ approvals: [approval('U0APPROVER1')] }));

  it('offers Approve and Deny carrying only the request id', () => {
    valid(message);
    const actions = message.blocks.find((b) => b.type === 'actions');
    expect(actions?.block_id).toBe(BLOCK.decisionActions);
    const [approve, deny] = buttons(message.blocks);
    expect(approve).toMatchObject({ action_id: ACTION.approve, style: 'primary', value: REQUEST_ID });
    expect(approve?.text).toMatchObject({ type: 'plain_text', text: 'Approve' });
    expect(deny).toMatchObject({ action_id: ACTION.deny, style: 'danger', value: REQUEST_ID });
    expect(deny?.text).toMatchObject({ type: 'plain_text', text: 'Deny' });
    expect(buttons(message.blocks)).toHaveLength(2);
  });

  it('shows requester, key name, role, expiry, reason, IP list and approvals', () => {
    const json = JSON.stringify(message.blocks);
    for (const label of [
      'Requester',
      'Key name',
      'Role',
      'Expiry',
      'Reason',
      'IP access list',
      'Approvals',
    ]) {
      expect(json).toContain(`*${label}*`);
    }
    expect(json).toContain('<@U0REQUESTER>');
    expect(json).toContain('etl-nightly');
    expect(json).toContain('Developer (read-only)');
    // 30 days counted from a creation that has not happened yet: the instant if created now.
    expect(json).toContain(
      '30 days from creation (until about <!date^1798380000^{date_short_pretty} {time}|2026-12-27 14:00 UTC> if created now)',
    );
    expect(json).toContain('203.0.113.0/24 — office VPN');
    expect(json).toContain('1 of 2: <@U0APPROVER1>');
    expect(message.text).toContain('<@U0REQUESTER>');
    expect(message.text).toContain('1 of 2 approvals');
  });

  it('matches the snapshot', () => {
    expect(message).toMatchSnapshot();
  });
});

describe('approvalMessage once settled', () => {
  const settled: [RequestState, Partial<ReturnType<typeof keyRequest>>, RegExp][] = [
    ['approved', { decidedAt: NOW }, /Approved — waiting for the requester to create the key/],
    ['creating', { decidedAt: NOW }, /the key is being created/],
    [
      'delivered',
      { decidedAt: NOW, updatedAt: NOW, deadline: null },
      /Key created <!date\^\d+\^[^|]+\|2026-11-27 14:00 UTC>/,
    ],
    ['expired', { decidedAt: NOW, updatedAt: NOW }, /not created in time; expired/],
    ['expired', { decidedAt: null, updatedAt: NOW }, /Expired .* without a decision/],
  ];

  it.each(settled)('%s: no buttons, the outcome stated', (state, overrides, outcome) => {
    const message = approvalMessage(
      english,
      approvalCard({
        request: keyRequest({ state, ...overrides }),
        approvals: [approval('U0APPROVER1'), approval('U0APPROVER2')],
      }),
    );
    valid(message);
    expect(buttons(message.blocks)).toEqual([]);
    expect(message.blocks.some((b) => b.block_id === BLOCK.decisionActions)).toBe(false);
    expect(JSON.stringify(message.blocks)).toMatch(outcome);
  });

  it('denied: says who denied and why, escaped', () => {
    const message = approvalMessage(
      english,
      approvalCard({
        request: keyRequest({ state: 'denied', decidedAt: NOW }),
        denial: denial('U0APPROVER1', 'Use the <!channel> & staging key'),
      }),
    );
    valid(message);
    expect(buttons(message.blocks)).toEqual([]);
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('Denied by <@U0APPROVER1>: Use the &lt;!channel&gt; &amp; staging key');
    expect(json).not.toContain('<!channel>');
    expect(message.text).toContain('denied by <@U0APPROVER1>');
    expect(message).toMatchSnapshot();
  });

  it('denied without a reason says so', () => {
    const message = approvalMessage(
      english,
      approvalCard({ request: keyRequest({ state: 'denied' }), denial: denial('U0APPROVER1', null) }),
    );
    expect(JSON.stringify(message.blocks)).toContain('Denied by <@U0APPROVER1> (no reason given)');
  });
});

describe('approvalMessage for a role that needs no approval', () => {
  it('is a notice: auto-approved by policy, no buttons', () => {
    const message = approvalMessage(
      english,
      approvalCard({
        request: keyRequest({ state: 'approved', approvalsRequired: 0, decidedAt: NOW }),
        role: policyRole({ id: 'query-endpoints', label: 'Query endpoints', approvals: 0 }),
      }),
    );
    valid(message);
    expect(buttons(message.blocks)).toEqual([]);
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('approved by policy');
    expect(json).toContain('auto-approved by policy');
    expect(message.text).toContain('auto-approved by policy');
  });
});

describe('approvalMessage with hostile or oversized input', () => {
  it('escapes mentions and ampersands in the reason and key name', () => {
    const message = approvalMessage(
      english,
      approvalCard({
        request: keyRequest({
          keyName: 'a<!here>&b',
          reason: 'ping <!channel> and <@U123> & <https://evil|x>',
        }),
      }),
    );
    valid(message);
    const json = JSON.stringify(message);
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<!here>');
    expect(json).not.toContain('<@U123>');
    expect(json).not.toContain('<https://evil');
    expect(json).toContain('ping &lt;!channel&gt; and &lt;@U123&gt; &amp; &lt;https://evil|x&gt;');
    expect(json).toContain('a&lt;!here&gt;&amp;b');
  });

  it('truncates a 3000-character reason so the block stays valid', () => {
    const reason = `${'why '.repeat(749)}end!`;
    expect(reason.length).toBe(3000);
    const message = approvalMessage(english, approvalCard({ request: keyRequest({ reason }) }));
    valid(message);
    const reasonBlock = message.blocks.find(
      (b) => b.type === 'section' && b.text?.text.startsWith('*Reason*'),
    ) as { text: { text: string } };
    expect(reasonBlock.text.text.length).toBeLessThanOrEqual(3000);
    expect(reasonBlock.text.text.endsWith('…')).toBe(true);
  });

  it('survives a reason of ampersands that escapes to five times its length', () => {
    const message = approvalMessage(
      english,
      approvalCard({ request: keyRequest({ reason: '&'.repeat(2900) }) }),
    );
    valid(message);
  });

  it('keeps a 50-entry IP list with long descriptions within limits', () => {
    const ipAccessList = Array.from({ length: 50 }, (_, i) => ({
      source: `10.${i}.0.0/16`,
      description: `${'<d>'.repeat(33)}x`,
    }));
    const message = approvalMessage(english, approvalCard({ request: keyRequest({ ipAccessList }) }));
    valid(message);
    expect(JSON.stringify(message.blocks)).toMatch(/… and \d+ more/);
  });
});

describe('approvalMessage for a change request', () => {
  it('shows old → new for role and expiry', () => {
    const message = approvalMessage(
      english,
      approvalCard({
        request: keyRequest({
          kind: 'change',
          roleId: 'admin',
          expiry: '7d',
          keyId: '0d6a3c5e-1b2f-4c7d-9e8f-a1b2c3d4e5f6',
          keySuffix: 'WXYZ',
          change: {
            keyId: '0d6a3c5e-1b2f-4c7d-9e8f-a1b2c3d4e5f6',
            keySuffix: 'WXYZ',
            from: { roleId: 'developer', expireAt: '2026-12-01T00:00:00.000Z' },
            to: { roleId: 'admin', expiry: '7d' },
          },
        }),
        role: policyRole({ id: 'admin', label: 'Admin', maxExpiry: '7d', maxExpiryMs: 7 * 86_400_000 }),
      }),
    );
    valid(message);
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('API key change request');
    expect(json).toContain('developer → Admin');
    expect(json).toContain('|2026-12-01 00:00 UTC> → 7 days from creation');
    expect(json).toContain('…WXYZ');
    expect(buttons(message.blocks)).toHaveLength(2);
  });
});
