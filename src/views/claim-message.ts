/**
 * The requester's direct message after approval (product.md §1, "Secret delivery"), in their
 * words. It never holds the secret: it offers the Create key button, and the click is answered
 * ephemerally.
 */
import type { KnownBlock } from '@slack/types';
import type { ClaimCard } from '../core/ports.js';
import type { Messages } from '../i18n/index.js';
import { clip, field, fitText, formatInstant, LIMIT, md, plain, type SlackMessage } from './format.js';
import { ACTION, BLOCK } from './ids.js';
import { escapeMrkdwn, mention } from './mrkdwn.js';
import { instantToken, relativeWords, requestExpiryWords } from './phrases.js';

export interface ClaimMessageOptions {
  /** The slash command, for "request the key again with /chkey". */
  command?: string;
}

/** Who approved, as the messages' `how` and `who` choose. */
function approvedBy(approvedBy: ClaimCard['approvedBy']): { how: string; who: string } {
  if (approvedBy === 'policy') return { how: 'policy', who: '' };
  if (approvedBy.length === 0) return { how: 'plain', who: '' };
  return { how: 'people', who: approvedBy.map(mention).join(', ') };
}

/** Renders the Create key DM in its state: open (with the button), created, or expired. */
export function claimMessage(m: Messages, card: ClaimCard, options: ClaimMessageOptions = {}): SlackMessage {
  const { request, role, status, now } = card;
  const command = escapeMrkdwn(options.command ?? '/chkey');
  const name = clip(request.keyName, 200);
  const by = approvedBy(card.approvedBy);
  if (request.kind === 'change') return changeRetryMessage(m, card, name, by);

  const blocks: KnownBlock[] = [
    { type: 'section', text: md(fitText(m.t('claim.approved', { name, ...by }), LIMIT.text)) },
    {
      type: 'section',
      fields: [
        field(m.t('dialog.keyName'), name),
        field(m.t('dialog.role'), clip(role.label, 200)),
        field(m.t('dialog.expiry'), requestExpiryWords(m, request, now)),
      ],
    },
  ];

  let text: string;
  switch (status) {
    case 'open': {
      const deadline = request.deadline;
      const valid = deadline
        ? `${m.t('claim.validUntil', { at: instantToken(m, deadline), relative: relativeWords(m, now, deadline) })} `
        : '';
      blocks.push({ type: 'context', elements: [md(`${valid}${m.t('claim.clickToCreate')}`)] });
      blocks.push({
        type: 'actions',
        block_id: BLOCK.claimActions,
        elements: [
          {
            type: 'button',
            action_id: ACTION.createKey,
            text: plain(m.t('claim.createKey'), LIMIT.buttonText),
            style: 'primary',
            value: request.id,
          },
        ],
      });
      // The notification shows no date token: the instant is written out, in UTC.
      text = deadline
        ? m.t('claim.openTextUntil', { name, ...by, until: formatInstant(deadline) })
        : m.t('claim.openText', { name, ...by });
      break;
    }
    case 'created': {
      const at = request.state === 'delivered' ? request.updatedAt : now;
      blocks.push({ type: 'section', text: md(m.t('claim.created', { at: instantToken(m, at) })) });
      text = m.t('claim.createdText', { name, at: formatInstant(at) });
      break;
    }
    case 'expired':
      blocks.push({ type: 'section', text: md(m.t('claim.expired', { command })) });
      text = m.t('claim.expiredText', { name, command });
      break;
  }
  return { text: fitText(text, LIMIT.messageText), blocks };
}

/**
 * A change request's DM exists only when applying the approved change failed: it offers to apply
 * it again (the same action as Create key; no secret is involved).
 */
function changeRetryMessage(
  m: Messages,
  card: ClaimCard,
  name: string,
  by: { how: string; who: string },
): SlackMessage {
  const { request, status } = card;
  if (status !== 'open') {
    const text =
      status === 'created' ? m.t('claim.changeApplied', { name }) : m.t('claim.changeExpired', { name });
    return { text, blocks: [{ type: 'section', text: md(text) }] };
  }
  const text = m.t('claim.changeFailed', { name, ...by });
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
            text: plain(m.t('claim.applyChange'), LIMIT.buttonText),
            style: 'primary',
            value: request.id,
          },
        ],
      },
    ],
  };
}
