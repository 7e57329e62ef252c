/**
 * The Deny dialog (product.md §1: Deny opens a modal for an optional reason). It carries only the
 * request id; the handler re-reads the request and checks the approver again on submission.
 */
import type { ModalView } from '@slack/types';
import { z } from 'zod';
import type { KeyRequest } from '../core/model.js';
import { clip, fitText, LIMIT, md, plain } from './format.js';
import { ACTION, BLOCK, CALLBACK } from './ids.js';
import { mention } from './mrkdwn.js';
import { type Outcome, outcomeModal, workingModal } from './progress-modal.js';

/** Longest deny reason; it is shown to the requester and in the approval thread. */
export const DENY_REASON_MAX = 500;

/** Renders the Deny dialog for one request. */
export function denyModal(request: KeyRequest): ModalView {
  return {
    type: 'modal',
    callback_id: CALLBACK.denyModal,
    private_metadata: request.id,
    title: plain('Deny request', 24),
    submit: plain('Deny', 24),
    close: plain('Cancel', 24),
    blocks: [
      {
        type: 'context',
        elements: [
          md(
            fitText(
              `You are denying the API key *${clip(request.keyName, 200)}* requested by ${mention(request.requesterId)}.`,
              LIMIT.text,
            ),
          ),
        ],
      },
      {
        type: 'input',
        block_id: BLOCK.denyReason,
        optional: true,
        label: plain('Reason', LIMIT.hint),
        hint: plain('Optional. The requester and the approval thread see it.', LIMIT.hint),
        element: {
          type: 'plain_text_input',
          action_id: ACTION.denyReasonInput,
          multiline: true,
          max_length: DENY_REASON_MAX,
        },
      },
    ],
  };
}

const denyView = z.object({
  private_metadata: z.string().catch(''),
  state: z
    .object({
      values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullish() }).catch({}))),
    })
    .catch({ values: {} }),
});

/**
 * The request id and reason from a submitted Deny dialog; the reason is trimmed, capped, and null
 * when empty. Anything malformed reads as empty, and the handler refuses an unknown request id.
 */
export function readDenyModal(view: unknown): { requestId: string; reason: string | null } {
  const parsed = denyView.safeParse(view);
  if (!parsed.success) return { requestId: '', reason: null };
  const reason = parsed.data.state.values[BLOCK.denyReason]?.[ACTION.denyReasonInput]?.value?.trim() ?? '';
  return {
    requestId: parsed.data.private_metadata.trim(),
    reason: reason === '' ? null : reason.slice(0, DENY_REASON_MAX),
  };
}

/** The dialog while Keyhouse checks that this person may still deny (Slack user groups). */
export function denyCheckingModal(): ModalView {
  return workingModal('Deny request', 'Checking that you may decide this request…');
}

/** The dialog after submission while the denial is checked and recorded. */
export function denyWorkingModal(): ModalView {
  return workingModal('Deny request', 'Recording your denial…');
}

/** The dialog's last state: denied, or why not. */
export function denyOutcomeModal(outcome: Outcome): ModalView {
  return outcomeModal('Deny request', outcome);
}
