/**
 * The requester's direct message after approval (product.md §1, "Secret delivery"). It never
 * holds the secret: it offers the Create key button, and the click is answered ephemerally.
 */
import type { KnownBlock } from '@slack/types';
import type { ClaimCard } from '../core/ports.js';
import {
  clip,
  field,
  fitText,
  formatInstant,
  LIMIT,
  md,
  plain,
  relativeDays,
  requestExpiryLine,
  type SlackMessage,
  slackDate,
} from './format.js';
import { ACTION, BLOCK } from './ids.js';
import { escapeMrkdwn, mention } from './mrkdwn.js';

export interface ClaimMessageOptions {
  /** The slash command, for "request the key again with /chkey". */
  command?: string;
}

/** Renders the Create key DM in its state: open (with the button), created, or expired. */
export function claimMessage(card: ClaimCard, options: ClaimMessageOptions = {}): SlackMessage {
  const { request, role, status, now } = card;
  const command = escapeMrkdwn(options.command ?? '/chkey');
  const name = clip(request.keyName, 200);
  const by = approvedByText(card.approvedBy);
  if (request.kind === 'change') return changeRetryMessage(card, name, by);

  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: md(fitText(`✅ Your request for the API key *${name}* was ${by}.`, LIMIT.text)),
    },
    {
      type: 'section',
      fields: [
        field('Key name', name),
        field('Role', clip(role.label, 200)),
        field('Expiry', requestExpiryLine(request, now)),
      ],
    },
  ];

  let text: string;
  switch (status) {
    case 'open': {
      const deadline = request.deadline;
      const valid = deadline
        ? `This button is valid until ${slackDate(deadline)} (${relativeDays(now, deadline)}). `
        : '';
      blocks.push({
        type: 'context',
        elements: [
          md(
            `${valid}When you click *Create key*, the key is made and its secret is shown once, only to you, right here.`,
          ),
        ],
      });
      blocks.push({
        type: 'actions',
        block_id: BLOCK.claimActions,
        elements: [
          {
            type: 'button',
            action_id: ACTION.createKey,
            text: plain('Create key', LIMIT.buttonText),
            style: 'primary',
            value: request.id,
          },
        ],
      });
      const until = deadline ? ` (valid until ${formatInstant(deadline)})` : '';
      text = `Your API key request ${name} was ${by}. Click Create key to make it${until}; the secret is shown once.`;
      break;
    }
    case 'created': {
      const at = request.state === 'delivered' ? request.updatedAt : now;
      blocks.push({
        type: 'section',
        text: md(`🔑 Key created ${slackDate(at)}; its secret was shown once.`),
      });
      text = `Key ${name} created ${formatInstant(at)}; its secret was shown once.`;
      break;
    }
    case 'expired':
      blocks.push({
        type: 'section',
        text: md(`⌛ This approval expired; request the key again with \`${command}\`.`),
      });
      text = `The approval for ${name} expired; request the key again with ${command}.`;
      break;
  }
  return { text: fitText(text, LIMIT.messageText), blocks };
}

function approvedByText(approvedBy: ClaimCard['approvedBy']): string {
  if (approvedBy === 'policy') return 'approved by policy';
  if (approvedBy.length === 0) return 'approved';
  return `approved by ${approvedBy.map(mention).join(', ')}`;
}

/**
 * A change request's DM exists only when applying the approved change failed: it offers to apply
 * it again (the same action as Create key; no secret is involved).
 */
function changeRetryMessage(card: ClaimCard, name: string, by: string): SlackMessage {
  const { request, status } = card;
  if (status !== 'open') {
    const text =
      status === 'created' ? `The change to ${name} was applied.` : `The approved change to ${name} expired.`;
    return { text, blocks: [{ type: 'section', text: md(text) }] };
  }
  const text = `The change to the API key *${name}* was ${by}, but applying it failed. Click *Apply change* to try again.`;
  return {
    text: fitText(text, LIMIT.messageText),
    blocks: [
      { type: 'section', text: md(fitText(text, LIMIT.text)) },
      {
        type: 'actions',
        block_id: BLOCK.claimActions,
        elements: [
          {
            type: 'button',
            action_id: ACTION.createKey,
            text: plain('Apply change', LIMIT.buttonText),
            style: 'primary',
            value: request.id,
          },
        ],
      },
    ],
  };
}
