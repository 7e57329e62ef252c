/**
 * The once-only ephemeral answer to a Create key click (product.md §1 and §3). It is the only
 * message that ever holds a key secret, and it must never be logged, stored or snapshotted.
 */
import type { KnownBlock } from '@slack/types';
import type { SecretReveal } from '../core/ports.js';
import type { Messages } from '../i18n/index.js';
import { clip, field, fitText, LIMIT, md, plain, type SlackMessage } from './format.js';
import { ACTION, BLOCK } from './ids.js';
import { escapeMrkdwn } from './mrkdwn.js';
import { expiresAtWords, instantToken } from './phrases.js';

/** The body for the click's `response_url` (or `chat.postEphemeral`): ephemeral, beside the DM, not over it. */
export interface SecretMessage extends SlackMessage {
  response_type: 'ephemeral';
  replace_original: false;
}

/**
 * Renders the message holding the Key ID and secret, in the requester's words. `text` has no
 * secret: it feeds push notifications. The secret never passes through the catalog either: it is
 * put into the blocks here, beside the words.
 */
export function secretMessage(m: Messages, reveal: SecretReveal): SecretMessage {
  const { key, role, request } = reveal;
  // The one place in the codebase that reads the secret (product.md §3): it goes into these blocks
  // and nowhere else. Keep it that way: no logging, no `text`, no error built from this message.
  const secret = escapeMrkdwn(reveal.secret.reveal());
  const keyId = escapeMrkdwn(reveal.keyId);
  const name = clip(key.name || request.keyName, 200);
  const organizationsUrl = `${reveal.apiUrl.replace(/\/+$/, '')}/v1/organizations`;
  const expireAt = key.expireAt ? new Date(key.expireAt) : null;
  // The key was made a moment ago, so "in N days" counts from its creation (views read no clock).
  const createdAt = key.createdAt ? new Date(key.createdAt) : null;
  const expires =
    expireAt === null
      ? m.t('format.neverExpires')
      : createdAt
        ? expiresAtWords(m, expireAt, createdAt)
        : instantToken(m, expireAt);

  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(m.t('secret.header'), LIMIT.header) },
    { type: 'section', text: md(m.t('secret.warning')) },
    {
      type: 'section',
      fields: [field(m.t('secret.keyId'), `\`${keyId}\``), field(m.t('secret.keySecret'), `\`${secret}\``)],
    },
    {
      type: 'section',
      fields: [
        field(m.t('secret.name'), name),
        field(m.t('dialog.role'), clip(role.label, 200)),
        field(m.t('secret.expires'), expires),
      ],
    },
    {
      type: 'section',
      text: md(
        fitText(
          `*${m.t('secret.tryIt')}*\n\`\`\`curl --user '${keyId}:${secret}' ${escapeMrkdwn(organizationsUrl)}\`\`\``,
          LIMIT.text,
        ),
      ),
    },
    {
      type: 'actions',
      block_id: BLOCK.secretActions,
      elements: [
        {
          type: 'button',
          action_id: ACTION.dismissSecret,
          text: plain(m.t('secret.saved'), LIMIT.buttonText),
          value: request.id,
        },
      ],
    },
    { type: 'context', elements: [md(m.t('secret.onlyYou'))] },
  ];

  return {
    text: m.t('secret.text', { name }),
    blocks,
    response_type: 'ephemeral',
    replace_original: false,
  };
}
