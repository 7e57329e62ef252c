/**
 * The once-only ephemeral answer to a Create key click (product.md §1 and §3). It is the only
 * message that ever holds a key secret, and it must never be logged, stored or snapshotted.
 */
import type { KnownBlock } from '@slack/types';
import type { SecretReveal } from '../core/ports.js';
import {
  clip,
  expiresAtLine,
  field,
  fitText,
  formatInstant,
  LIMIT,
  md,
  plain,
  type SlackMessage,
} from './format.js';
import { ACTION, BLOCK } from './ids.js';
import { escapeMrkdwn } from './mrkdwn.js';

/** The body for the click's `response_url` (or `chat.postEphemeral`): ephemeral, beside the DM, not over it. */
export interface SecretMessage extends SlackMessage {
  response_type: 'ephemeral';
  replace_original: false;
}

/** Renders the message holding the Key ID and secret. `text` has no secret: it feeds push notifications. */
export function secretMessage(reveal: SecretReveal): SecretMessage {
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
    expireAt === null ? 'never' : createdAt ? expiresAtLine(expireAt, createdAt) : formatInstant(expireAt);

  const blocks: KnownBlock[] = [
    { type: 'header', text: plain('Your new ClickHouse API key', LIMIT.header) },
    {
      type: 'section',
      text: md('*This secret will not be shown again. Store it now* (for example in your password manager).'),
    },
    {
      type: 'section',
      fields: [field('Key ID', `\`${keyId}\``), field('Key secret', `\`${secret}\``)],
    },
    {
      type: 'section',
      fields: [field('Name', name), field('Role', clip(role.label, 200)), field('Expires', expires)],
    },
    {
      type: 'section',
      text: md(
        fitText(
          `*Try it*\n\`\`\`curl --user '${keyId}:${secret}' ${escapeMrkdwn(organizationsUrl)}\`\`\``,
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
          text: plain("I've saved it", LIMIT.buttonText),
          value: request.id,
        },
      ],
    },
    {
      type: 'context',
      elements: [md('Only you can see this message. *I’ve saved it* removes it from your screen.')],
    },
  ];

  return {
    text: `Your new ClickHouse key ${name} is ready (shown once)`,
    blocks,
    response_type: 'ephemeral',
    replace_original: false,
  };
}
