/**
 * The two states a modal passes through while Keyhouse applies what was submitted after Slack's
 * 3 s acknowledgement (product.md §1, "Acknowledgements"): "working…" while ClickHouse or Slack's
 * user groups are asked, then the outcome, success or failure, in the same modal. Neither has a
 * submit button: there is nothing more to send, only a Close.
 */
import type { ModalView } from '@slack/types';
import type { Messages } from '../i18n/index.js';
import { fitText, LIMIT, md, plain } from './format.js';
import { BLOCK } from './ids.js';

export interface Outcome {
  ok: boolean;
  /** Already mrkdwn-safe text in the reader's words: what happened, or why not and what to do. */
  text: string;
}

/** A modal that says what is being done and that the result will show here; `title` and `text` are worded already. */
export function workingModal(m: Messages, title: string, text: string): ModalView {
  return {
    type: 'modal',
    title: plain(title, 24),
    close: plain(m.t('dialog.close'), 24),
    blocks: [
      {
        type: 'section',
        block_id: BLOCK.progress,
        text: md(fitText(`:hourglass_flowing_sand: ${text}`, LIMIT.text)),
      },
      { type: 'context', elements: [md(m.t('dialog.resultHere'))] },
    ],
  };
}

/** The modal's last state: what happened, a failure as plainly as a success. */
export function outcomeModal(m: Messages, title: string, outcome: Outcome): ModalView {
  return {
    type: 'modal',
    title: plain(title, 24),
    close: plain(m.t(outcome.ok ? 'dialog.done' : 'dialog.close'), 24),
    blocks: [
      {
        type: 'section',
        block_id: outcome.ok ? BLOCK.outcomeOk : BLOCK.outcomeFailed,
        text: md(fitText(`${outcome.ok ? ':white_check_mark:' : ':warning:'} ${outcome.text}`, LIMIT.text)),
      },
    ],
  };
}
