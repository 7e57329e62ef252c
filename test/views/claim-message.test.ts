import { describe, expect, it } from 'vitest';
import { checkBlocks, checkMessage } from '../../dev/fake-slack/block-kit-limits.js';
import { claimMessage } from '../../src/views/claim-message.js';
import { ACTION, BLOCK } from '../../src/views/ids.js';
import { english } from '../support/words.js';
import { claimCard, keyRequest, NOW, policyRole, REQUEST_ID } from './fixtures.js';

function valid(message: { text: string; blocks: unknown[] }): void {
  expect(checkBlocks(message.blocks, 'message')).toEqual([]);
  expect(checkMessage(message as unknown as Record<string, unknown>)).toBeNull();
}

const json = (value: unknown) => JSON.stringify(value);

describe('claimMessage while open', () => {
  const message = claimMessage(english, claimCard());

  it('has one Create key button carrying only the request id', () => {
    valid(message);
    const actions = message.blocks.find((b) => b.type === 'actions');
    expect(actions).toMatchObject({
      block_id: BLOCK.claimActions,
      elements: [{ type: 'button', action_id: ACTION.createKey, style: 'primary', value: REQUEST_ID }],
    });
    expect(json(actions)).toContain('"text":"Create key"');
  });

  it('names the approvers, the key, the deadline and the show-once promise', () => {
    const blocks = json(message.blocks);
    expect(blocks).toContain('approved by <@U0APPROVER1>, <@U0APPROVER2>');
    expect(blocks).toContain('*Key name*\\netl-nightly');
    expect(blocks).toContain('*Role*\\nDeveloper (read-only)');
    expect(blocks).toContain('*Expiry*\\n30 days from creation');
    expect(blocks).toContain('|2026-11-28 14:00 UTC> (in 1 day)');
    expect(blocks).toContain('shown once, only to you, right here');
    expect(message.text).toContain('approved by <@U0APPROVER1>, <@U0APPROVER2>');
    expect(message.text).toContain('valid until 2026-11-28 14:00 UTC');
  });

  it('says approved by policy for a role that needs none', () => {
    const auto = claimMessage(
      english,
      claimCard({
        approvedBy: 'policy',
        role: policyRole({ approvals: 0 }),
        request: keyRequest({ state: 'approved' }),
      }),
    );
    valid(auto);
    expect(auto.text).toContain('approved by policy');
    expect(json(auto.blocks)).toContain('approved by policy');
  });
});

describe('claimMessage once settled', () => {
  it('created: no button, says the secret was shown once', () => {
    const message = claimMessage(
      english,
      claimCard({ status: 'created', request: keyRequest({ state: 'delivered', updatedAt: NOW }) }),
    );
    valid(message);
    expect(message.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(json(message.blocks)).toContain('2026-11-27 14:00 UTC>; its secret was shown once.');
    expect(message.text).toContain('its secret was shown once');
  });

  it('expired: no button, tells how to ask again with the configured command', () => {
    const message = claimMessage(
      english,
      claimCard({ status: 'expired', request: keyRequest({ state: 'expired' }) }),
      {
        command: '/keys',
      },
    );
    valid(message);
    expect(message.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(json(message.blocks)).toContain('This approval expired; request the key again with `/keys`');
  });

  it('escapes the key name', () => {
    const message = claimMessage(
      english,
      claimCard({ request: keyRequest({ state: 'approved', keyName: '<!channel>&x' }) }),
    );
    expect(json(message)).not.toContain('<!channel>');
    expect(json(message)).toContain('&lt;!channel&gt;&amp;x');
  });
});
