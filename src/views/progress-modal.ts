/**
 * The two states a modal passes through while Keyhouse applies what was submitted after Slack's
 * 3 s acknowledgement (product.md §1, "Acknowledgements"): "working…" while ClickHouse or Slack's
 * user groups are asked, then the outcome, success or failure, in the same modal. Neither has a
 * submit button: there is nothing more to send, only a Close.
 */
import type { ModalView } from '@slack/types';
import { fitText, LIMIT, md, plain } from './format.js';
import { BLOCK } from './ids.js';

export interface Outcome {
  ok: boolean;
  /** Already mrkdwn-safe text: what happened, or why not and what to do. */
  text: string;
}

/** A modal that says what is being done and that the result will show here. */
export function workingModal(title: string, text: string): ModalView {
  return {
    type: 'modal',
    title: plain(title, 24),
    close: plain('Close', 24),
    blocks: [
      {
        type: 'section',
        block_id: BLOCK.progress,
        text: md(fitText(`:hourglass_flowing_sand: ${text}`, LIMIT.text)),
      },
      {
        type: 'context',
        elements: [md('The result shows here. You can close this; it will not stop the change.')],
      },
    ],
  };
}

/** The modal's last state: what happened, a failure as plainly as a success. */
export function outcomeModal(title: string, outcome: Outcome): ModalView {
  return {
    type: 'modal',
    title: plain(title, 24),
    close: plain(outcome.ok ? 'Done' : 'Close', 24),
    blocks: [
      {
        type: 'section',
        block_id: outcome.ok ? BLOCK.outcomeOk : BLOCK.outcomeFailed,
        text: md(fitText(`${outcome.ok ? ':white_check_mark:' : ':warning:'} ${outcome.text}`, LIMIT.text)),
      },
    ],
  };
}
