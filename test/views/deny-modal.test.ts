import type { InputBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { checkView } from '../../dev/fake-slack/block-kit-limits.js';
import { DENY_REASON_MAX, denyModal, readDenyModal } from '../../src/views/deny-modal.js';
import { ACTION, BLOCK, CALLBACK } from '../../src/views/ids.js';
import { english } from '../support/words.js';
import { keyRequest, REQUEST_ID } from './fixtures.js';

const submitted = (privateMetadata: string, value: string | null) => ({
  private_metadata: privateMetadata,
  state: {
    values: { [BLOCK.denyReason]: { [ACTION.denyReasonInput]: { type: 'plain_text_input', value } } },
  },
});

describe('denyModal', () => {
  const view = denyModal(english, keyRequest({ keyName: 'etl <!channel> & co' }));

  it('carries only the request id and an optional reason of at most 500 characters', () => {
    expect(checkView(view)).toEqual([]);
    expect(view.callback_id).toBe(CALLBACK.denyModal);
    expect(view.private_metadata).toBe(REQUEST_ID);
    const input = view.blocks.find((b): b is InputBlock => b.type === 'input');
    expect(input).toMatchObject({ block_id: BLOCK.denyReason, optional: true, label: { text: 'Reason' } });
    expect(input?.element).toMatchObject({
      action_id: ACTION.denyReasonInput,
      multiline: true,
      max_length: 500,
    });
  });

  it('names the key and the requester, escaped', () => {
    const json = JSON.stringify(view.blocks);
    expect(json).toContain('<@U0REQUESTER>');
    expect(json).toContain('etl &lt;!channel&gt; &amp; co');
    expect(json).not.toContain('<!channel>');
  });
});

describe('readDenyModal', () => {
  it('reads the request id and a trimmed reason', () => {
    expect(readDenyModal(submitted(REQUEST_ID, '  wrong team  '))).toEqual({
      requestId: REQUEST_ID,
      reason: 'wrong team',
    });
  });

  it('reads an empty or absent reason as null', () => {
    expect(readDenyModal(submitted(REQUEST_ID, '   ')).reason).toBeNull();
    expect(readDenyModal(submitted(REQUEST_ID, null)).reason).toBeNull();
    expect(readDenyModal({ private_metadata: REQUEST_ID, state: { values: {} } })).toEqual({
      requestId: REQUEST_ID,
      reason: null,
    });
  });

  it('caps a reason longer than the input allows', () => {
    expect(readDenyModal(submitted(REQUEST_ID, 'x'.repeat(900))).reason).toHaveLength(DENY_REASON_MAX);
  });

  it('reads garbage as empty', () => {
    expect(readDenyModal(null)).toEqual({ requestId: '', reason: null });
    expect(readDenyModal({ private_metadata: 7, state: 'x' })).toEqual({ requestId: '', reason: null });
  });
});
