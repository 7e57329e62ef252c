import type { Tripwire } from '../../watch/tripwire.js';
import type { EventArgs, Listener } from '../ack-first.js';
import { seenMessage } from './message-text.js';

export interface MessageWatchDeps {
  tripwire: Tripwire;
  /** Keyhouse's own bot user and bot id: its messages are never inspected. */
  botUserId: string;
  botId: string;
}

/**
 * `message` events in channels, private channels, DMs and group DMs, of every kind (product.md §9):
 * people's, bots' and integrations' (a CI bot echoing a secret is a leak like any other), edits,
 * forwarded messages, topic and purpose changes; their text, attachments and blocks alike
 * (message-text.ts). Only Keyhouse's own messages are skipped. The text is never logged or kept:
 * it goes to the tripwire and nowhere else. Most messages hold no `4b1d`, and cost one walk.
 */
export function messageEvent(deps: MessageWatchDeps): Listener<EventArgs<'message'>, never> {
  return ({ event: raw }) => {
    const message = seenMessage(raw);
    if (message === null || message.text === '') return {};
    if (message.botId === deps.botId || message.userId === deps.botUserId) return {};
    return {
      after: async () => {
        await deps.tripwire.inspect(message.text, {
          channel: message.channel,
          ts: message.ts,
          threadTs: message.threadTs,
          userId: message.userId,
          botName: message.botName,
        });
      },
    };
  };
}
