import { describe, expect, it } from 'vitest';
import { accessModalBlocks, breakGlassMessage, readBreakGlass } from '../../src/views/access.js';
import { ACTION, BLOCK } from '../../src/views/ids.js';
import { words } from '../support/words.js';
import { keyRequest, NOW, policyRole } from './fixtures.js';

const m = words('en');
const role = policyRole({
  label: 'Admin',
  breakGlass: { maxExpiry: '4h', maxExpiryMs: 4 * 3_600_000, reviewWithin: '1d', reviewWithinMs: 86_400_000 },
  autoApprove: { whenIn: ['S0ONCALL'], maxExpiry: '12h', maxExpiryMs: 12 * 3_600_000 },
});

describe('the request modal: on call and break glass', () => {
  it('says an on-call member is approved at once, before submitting', () => {
    const blocks = JSON.stringify(accessModalBlocks(m, { role, onCallGroup: 'S0ONCALL', breakGlass: false }));
    expect(blocks).toContain('You are on call (<!subteam^S0ONCALL>)');
    expect(blocks).toContain('up to 12h is approved at once');
    expect(blocks).not.toContain(ACTION.breakGlassCheck);
  });

  it('offers break glass behind a confirm step that states the rules', () => {
    const [input] = accessModalBlocks(m, { role, onCallGroup: null, breakGlass: true });
    expect(input).toMatchObject({ type: 'input', block_id: BLOCK.breakGlass, optional: true });
    const element = (input as { element: { action_id: string; confirm: { text: { text: string } } } })
      .element;
    expect(element.action_id).toBe(ACTION.breakGlassCheck);
    expect(element.confirm.text.text).toMatch(
      /approve your own request for Admin.*at most 4h.*within 1d.*Revoke/,
    );
  });

  it('shows nothing for a role without either', () => {
    expect(accessModalBlocks(m, { role: policyRole(), onCallGroup: null, breakGlass: false })).toEqual([]);
    expect(accessModalBlocks(m, null)).toEqual([]);
  });

  it('reads the ticked box, and nothing else, as break glass', () => {
    const ticked = {
      [BLOCK.breakGlass]: { [ACTION.breakGlassCheck]: { selected_options: [{ value: 'break_glass' }] } },
    };
    expect(readBreakGlass(ticked)).toBe(true);
    expect(
      readBreakGlass({ [BLOCK.breakGlass]: { [ACTION.breakGlassCheck]: { selected_options: [] } } }),
    ).toBe(false);
    expect(readBreakGlass({})).toBe(false);
    expect(
      readBreakGlass({ [BLOCK.breakGlass]: { [ACTION.breakGlassCheck]: { selected_options: 'yes' } } }),
    ).toBe(false);
  });
});

describe('the review message', () => {
  const review = {
    request: keyRequest({ expiry: '4h' }),
    role,
    reviewBy: new Date(NOW.getTime() + 86_400_000),
    ref: null,
    now: NOW,
  };

  it('offers Keep and Revoke (with a confirm) carrying only the request id until decided', () => {
    const open = breakGlassMessage(m, { ...review, decision: null });
    const actions = open.blocks.find((b) => b.type === 'actions') as {
      elements: { action_id: string; value: string; confirm?: unknown }[];
    };
    expect(actions.elements.map((e) => [e.action_id, e.value])).toEqual([
      [ACTION.breakGlassKeep, review.request.id],
      [ACTION.breakGlassRevoke, review.request.id],
    ]);
    expect(actions.elements[1]?.confirm).toBeDefined();
  });

  it('states the decision without buttons once reviewed', () => {
    const revoked = breakGlassMessage(m, {
      ...review,
      decision: { by: 'U0BOB', decision: 'revoke', at: NOW, keyDeleted: true },
    });
    expect(revoked.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(revoked.blocks)).toContain('Revoked by <@U0BOB>');
    expect(JSON.stringify(revoked.blocks)).toContain('the key was deleted');
  });
});
