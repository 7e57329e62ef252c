/**
 * The message events Slack sends for what is not a person typing (product.md §9 "every kind of
 * message"): bots' and integrations' posts, forwarded (shared) messages, and channel topic and
 * purpose changes. Shaped after Slack's event reference (`bot_message`, `channel_topic`,
 * `channel_purpose`) and @slack/types' `BotMessageEvent`, `GenericMessageEvent` (`bot_id`,
 * `bot_profile`) and `ChannelTopicMessageEvent`.
 *
 * Where Slack documents no exact shape, the choice is marked: a Workflow Builder post and a
 * forwarded message's attachment are modelled on what Slack's clients show in
 * `conversations.history`, and a reader of them must take the text from wherever it lies (text,
 * attachments, blocks), not from one field.
 */
import { randomBytes } from 'node:crypto';
import { channelType, type EnvelopeContext } from './events.js';
import type { Json } from './parse.js';

/** Something posted in a channel that is not a person's plain message. */
export type OtherMessage =
  /** A classic integration or bot user (`subtype: bot_message`, `bot_id`, `username`, no `user`). */
  | BotPost<'bot_message'>
  /** An incoming webhook: also `bot_message`, with the app's `app_id` beside `bot_id`. */
  | BotPost<'incoming_webhook'>
  /**
   * A Workflow Builder step's message. UNCERTAIN: Slack documents no shape of its own; clients show
   * it as `bot_message` from the workflow's bot, its text in rich-text blocks as well.
   */
  | BotPost<'workflow'>
  /** A modern app's bot (no subtype): `user` is the bot user, `bot_id` and `bot_profile` set. */
  | BotPost<'app'>
  /**
   * A person forwards (shares) another message, optionally with a comment: the original travels
   * as an attachment with `is_share`, its text under `text`/`fallback` and its blocks under
   * `message_blocks`. UNCERTAIN beyond these fields; readers should take every string.
   */
  | {
      kind: 'forwarded';
      channel: string;
      user: string;
      comment?: string;
      from: { channel: string; user: string; text: string; ts: string };
    }
  /** A person sets the channel's topic or purpose (`channel_topic`, `channel_purpose`). */
  | { kind: 'topic' | 'purpose'; channel: string; user: string; value: string };

interface BotPost<K extends string> {
  kind: K;
  channel: string;
  /** Default `B0INTEGRATION`. */
  botId?: string;
  /** The name it posts under. */
  username?: string;
  text?: string;
  attachments?: Json[];
  blocks?: Json[];
  threadTs?: string;
}

/** The parts of a message the fake stores: what `conversations.history` would show. */
export interface OtherMessageContent {
  user?: string;
  bot_id?: string;
  text: string;
  attachments?: Json[];
  blocks?: Json[];
  thread_ts?: string;
}

const DEFAULT_BOT = 'B0INTEGRATION';

/** The rich-text block Slack clients attach to a typed text. */
export function richText(text: string): Json {
  return {
    type: 'rich_text',
    block_id: randomBytes(3).toString('hex'),
    elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text }] }],
  };
}

/** The event for `message` posted as `ts`, and what the channel keeps of it. */
export function otherMessageEvent(
  context: EnvelopeContext,
  message: OtherMessage,
  ts: string,
): { event: Json; stored: OtherMessageContent } {
  const base = {
    type: 'message',
    channel: message.channel,
    ts,
    event_ts: ts,
    channel_type: channelType(message.channel),
  };
  switch (message.kind) {
    case 'bot_message':
    case 'incoming_webhook':
    case 'workflow': {
      const botId = message.botId ?? DEFAULT_BOT;
      const content = botContent(message, botId);
      const event: Json = {
        ...base,
        subtype: 'bot_message',
        bot_id: botId,
        username: message.username ?? (message.kind === 'workflow' ? 'Workflow Builder' : 'integration'),
        ...(message.kind === 'incoming_webhook' ? { app_id: `A${botId.slice(1)}` } : {}),
        ...(message.kind === 'workflow' ? { blocks: message.blocks ?? [richText(content.text)] } : {}),
        ...content,
      };
      return { event, stored: { ...content, bot_id: botId } };
    }
    case 'app': {
      const botId = message.botId ?? DEFAULT_BOT;
      const botUser = `U${botId.slice(1)}`;
      const content = botContent(message, botId);
      const event: Json = {
        ...base,
        user: botUser,
        bot_id: botId,
        app_id: `A${botId.slice(1)}`,
        team: context.teamId,
        bot_profile: {
          id: botId,
          app_id: `A${botId.slice(1)}`,
          name: message.username ?? 'ci-bot',
          deleted: false,
          team_id: context.teamId,
        },
        ...content,
      };
      return { event, stored: { ...content, user: botUser, bot_id: botId } };
    }
    case 'forwarded': {
      const { from } = message;
      const attachment: Json = {
        ts: from.ts,
        channel_id: from.channel,
        author_id: from.user,
        is_msg_unfurl: true,
        is_share: true,
        id: 1,
        fallback: `[${from.ts}] ${from.user}: ${from.text}`,
        text: from.text,
        mrkdwn_in: ['text'],
        message_blocks: [
          {
            team: context.teamId,
            channel: from.channel,
            ts: from.ts,
            message: { blocks: [richText(from.text)] },
          },
        ],
      };
      const text = message.comment ?? '';
      const event: Json = {
        ...base,
        user: message.user,
        team: context.teamId,
        text,
        attachments: [attachment],
        ...(text === '' ? {} : { blocks: [richText(text)] }),
      };
      return { event, stored: { user: message.user, text, attachments: [attachment] } };
    }
    case 'topic':
    case 'purpose': {
      const text = `<@${message.user}> set the channel ${message.kind}: ${message.value}`;
      const event: Json = {
        ...base,
        subtype: `channel_${message.kind}`,
        user: message.user,
        [message.kind]: message.value,
        text,
      };
      return { event, stored: { user: message.user, text } };
    }
  }
}

function botContent(message: BotPost<string>, botId: string): OtherMessageContent {
  return {
    text: message.text ?? '',
    bot_id: botId,
    ...(message.attachments ? { attachments: message.attachments } : {}),
    ...(message.blocks ? { blocks: message.blocks } : {}),
    ...(message.threadTs === undefined ? {} : { thread_ts: message.threadTs }),
  };
}
