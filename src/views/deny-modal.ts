/**
 * The Deny dialog (product.md §1: Deny opens a modal for an optional reason). It carries only the
 * request id; the handler re-reads the request and checks the approver again on submission.
 */
import type { ModalView } from '@slack/types';
import { z } from 'zod';
import type { KeyRequest } from '../core/model.js';
import type { Messages } from '../i18n/index.js';
import { clip, fitText, LIMIT, md, plain } from './format.js';
import { ACTION, BLOCK, CALLBACK } from './ids.js';
import { mention } from './mrkdwn.js';
import { type Outcome, outcomeModal, workingModal } from './progress-modal.js';

/** Longest deny reason; it is shown to the requester and in the approval thread. */
export const DENY_REASON_MAX = 500;

/** Renders the Deny dialog for one request. */
export function denyModal(m: Messages, request: KeyRequest): ModalView {
  return {
    type: 'modal',
    callback_id: CALLBACK.denyModal,
    private_metadata: request.id,
    title: plain(m.t('deny.title'), 24),
    submit: plain(m.t('deny.submit'), 24),
    close: plain(m.t('dialog.cancel'), 24),
    blocks: [
      {
        type: 'context',
        elements: [
          md(
            fitText(
              m.t('deny.intro', {
                name: clip(request.keyName, 200),
                requester: mention(request.requesterId),
              }),
              LIMIT.text,
            ),
          ),
        ],
      },
      {
        type: 'input',
        block_id: BLOCK.denyReason,
        optional: true,
        label: plain(m.t('dialog.reason'), LIMIT.hint),
        hint: plain(m.t('deny.reasonHint'), LIMIT.hint),
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
export function denyCheckingModal(m: Messages): ModalView {
  return workingModal(m, m.t('deny.title'), m.t('deny.checking'));
}

/** The dialog after submission while the denial is checked and recorded. */
export function denyWorkingModal(m: Messages): ModalView {
  return workingModal(m, m.t('deny.title'), m.t('deny.working'));
}

/** The dialog's last state: denied, or why not. */
export function denyOutcomeModal(m: Messages, outcome: Outcome): ModalView {
  return outcomeModal(m, m.t('deny.title'), outcome);
}
