/**
 * The audit chain's daily head in the security channel (product.md §4): the head itself, and what
 * a reader does with it. The message is the proof, so it says to keep it and how to use it.
 */
import type { AuditHeadNotice } from '../core/timer-ports.js';
import type { Messages } from '../i18n/index.js';
import { md, type SlackMessage } from './format.js';
import { BLOCK } from './ids.js';

/** `npm run audit` from a checkout; `node dist/src/audit/cli.js` where only the built code is (the image). */
function verifyHeadCommands(head: string): { npm: string; built: string } {
  return {
    npm: `npm run audit -- verify --head ${head}`,
    built: `node dist/src/audit/cli.js verify --head ${head}`,
  };
}

/** The head, in the security channel's words (the policy's locale). */
export function auditHeadMessage(m: Messages, notice: AuditHeadNotice): SlackMessage {
  const head = `${notice.seq}:${notice.hash}`;
  const run = verifyHeadCommands(head);
  const values = { day: notice.day, seq: notice.seq, head };
  return {
    text: m.t('auditHead.text', { ...values, npm: run.npm }),
    blocks: [
      { type: 'section', block_id: BLOCK.auditHead, text: md(m.t('auditHead.title', values)) },
      { type: 'section', text: md(m.t('auditHead.keep', run)) },
      { type: 'context', elements: [md(m.t('auditHead.answers'))] },
    ],
  };
}
