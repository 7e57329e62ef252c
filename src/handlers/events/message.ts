import { z } from 'zod';
import type { Tripwire } from '../../watch/tripwire.js';
import type { EventArgs, Listener } from '../ack-first.js';

/** Subtypes that carry text a person wrote; joins, deletions, topic changes and the like do not. */
const PERSON_SUBTYPES = new Set([
  undefined,
  'message_changed',
  'thread_broadcast',
  'file_share',
  'me_message',
]);

const posted = z.object({
  user: z.string().optional(),
  bot_id: z.string().optional(),
  subtype: z.string().optional(),
  ts: z.string(),
  thread_ts: z.string().optional(),
});
const event = posted.extend({ channel: z.string(), message: posted.optional() });

export interface MessageWatchDeps {
  tripwire: Tripwire;
  /** Keyhouse's own bot user and bot id: its messages are never inspected. */
  botUserId: string;
  botId: string;
}

/**
 * `message` events in channels, private channels, DMs and group DMs, and their edits
 * (`message_changed`, whose new text is under `message`), for the leak tripwire (product.md §9).
 * The text is never logged or kept: it goes to the tripwire and nowhere else. Most messages hold
 * no `4b1d`, and cost one substring scan.
 */
export function messageEvent(deps: MessageWatchDeps): Listener<EventArgs<'message'>, never> {
  return ({ event: raw }) => {
    const payload = raw as { subtype?: string; text?: unknown; message?: { text?: unknown } };
    if (!PERSON_SUBTYPES.has(payload.subtype)) return {};
    const text = payload.subtype === 'message_changed' ? payload.message?.text : payload.text;
    if (typeof text !== 'string' || !text.includes('4b1d')) return {};

    const parsed = event.safeParse(raw);
    if (!parsed.success) return {};
    const outer = parsed.data;
    const message = outer.subtype === 'message_changed' ? outer.message : outer;
    // Bots' messages (integrations echoing config, Keyhouse's own) are not someone leaking a key.
    if (!message || message.bot_id || message.subtype === 'bot_message' || message.user === deps.botUserId) {
      return {};
    }
    return {
      after: async () => {
        await deps.tripwire.inspect(text, {
          channel: outer.channel,
          ts: message.ts,
          threadTs: message.thread_ts && message.thread_ts !== message.ts ? message.thread_ts : null,
          userId: message.user ?? null,
        });
      },
    };
  };
}
