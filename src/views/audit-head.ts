/**
 * The audit chain's daily head in the security channel (product.md §4): the head itself, and what
 * a reader does with it. The message is the proof, so it says to keep it and how to use it.
 */
import type { AuditHeadNotice } from '../core/timer-ports.js';
import { md, type SlackMessage } from './format.js';
import { BLOCK } from './ids.js';

/** `npm run audit` from a checkout; `node dist/src/audit/cli.js` where only the built code is (the image). */
function verifyHeadCommands(head: string): { npm: string; built: string } {
  return {
    npm: `npm run audit -- verify --head ${head}`,
    built: `node dist/src/audit/cli.js verify --head ${head}`,
  };
}

export function auditHeadMessage(notice: AuditHeadNotice): SlackMessage {
  const head = `${notice.seq}:${notice.hash}`;
  const run = verifyHeadCommands(head);
  return {
    text: `Audit chain head for ${notice.day} (UTC): event ${notice.seq}, ${head}. Keep this message; to prove nothing up to it was rewritten, run: ${run.npm}`,
    blocks: [
      {
        type: 'section',
        block_id: BLOCK.auditHead,
        text: md(
          `🔗 *Audit chain head* for ${notice.day} (UTC): event *${notice.seq}* and its hash.\n\`\`\`${head}\`\`\``,
        ),
      },
      {
        type: 'section',
        text: md(
          '*Keep this message.* Each event’s hash covers every event before it, so while the stored chain ' +
            'still holds this head, nothing up to it was changed or removed, even by someone who can write ' +
            `the database. To check, on the database Keyhouse uses:\n\`${run.npm}\`\nor, in the container image:\n\`${run.built}\``,
        ),
      },
      {
        type: 'context',
        elements: [
          md(
            'It answers `ok …` while the chain holds this head, and names the first event that differs otherwise.',
          ),
        ],
      },
    ],
  };
}
