/**
 * Events API envelopes for what people do in the fake workspace, shaped as Slack sends them
 * (https://api.slack.com/events/message, `message_changed`): an `event_callback` with the event,
 * `event_id`, `event_time` and the bot's authorization. Deliver them signed with `postToApp` (HTTP
 * mode) or `sendSocketEnvelope` (Socket Mode), as the fake does for every other event.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Json } from './parse.js';
import type { FakeMessage } from './workspace.js';

export interface EnvelopeContext {
  teamId: string;
  appId: string;
  botUserId: string;
  nowSec: number;
}

/** Slack's `channel_type` from the id: `C…` public, `D…` a DM, `G…` private (or an mpim when said). */
export function channelType(channel: string, mpim = false): 'channel' | 'group' | 'im' | 'mpim' {
  if (channel.startsWith('D')) return 'im';
  if (channel.startsWith('G')) return mpim ? 'mpim' : 'group';
  return 'channel';
}

export function eventEnvelope(context: EnvelopeContext, event: Json): Json {
  return {
    token: 'fake-verification-token',
    team_id: context.teamId,
    context_team_id: context.teamId,
    api_app_id: context.appId,
    event,
    type: 'event_callback',
    event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: context.nowSec,
    authorizations: [
      {
        enterprise_id: null,
        team_id: context.teamId,
        user_id: context.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
  };
}

/** A person's new message (no subtype), with the rich-text block Slack clients attach. */
export function messageEvent(context: EnvelopeContext, message: FakeMessage, mpim = false): Json {
  return {
    type: 'message',
    channel: message.channel,
    user: message.user,
    text: message.text ?? '',
    ts: message.ts,
    ...(message.thread_ts === undefined ? {} : { thread_ts: message.thread_ts }),
    event_ts: message.ts,
    channel_type: channelType(message.channel, mpim),
    team: context.teamId,
    client_msg_id: randomUUID(),
    blocks: [
      {
        type: 'rich_text',
        block_id: randomBytes(3).toString('hex'),
        elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: message.text ?? '' }] }],
      },
    ],
  };
}

/**
 * An edit: Slack sends `subtype: message_changed` with the edited message under `message` (same
 * `ts` as the original) and the old one under `previous_message`; the event's own `ts` is new.
 */
export function messageChangedEvent(
  context: EnvelopeContext,
  edited: FakeMessage,
  previousText: string,
  eventTs: string,
  mpim = false,
): Json {
  const inner = (text: string): Json => ({
    type: 'message',
    user: edited.user,
    text,
    ts: edited.ts,
    ...(edited.thread_ts === undefined ? {} : { thread_ts: edited.thread_ts }),
    team: context.teamId,
  });
  return {
    type: 'message',
    subtype: 'message_changed',
    hidden: true,
    channel: edited.channel,
    ts: eventTs,
    event_ts: eventTs,
    channel_type: channelType(edited.channel, mpim),
    message: { ...inner(edited.text ?? ''), edited: { user: edited.user, ts: eventTs } },
    previous_message: inner(previousText),
  };
}
