/**
 * What a `message` event shows people, for the leak tripwire (product.md §9: every kind of message).
 * A secret can sit anywhere a client renders text: the text, an attachment's text, pretext, fields or
 * footer, a block's text or a rich-text element, a forwarded message's copy (`message_blocks`), a
 * topic or purpose. Rather than follow each field Slack has (and will add), every string of the
 * message is read; only those holding `4b1d` are kept, so the common message costs one walk and
 * nothing more. The text is never logged or kept.
 */

/**
 * Subtypes that carry no text anyone just wrote: a deletion (its old text is under
 * `previous_message`), the parent's reply count, joins, leaves and archives.
 */
const NO_NEW_TEXT = new Set([
  'message_deleted',
  'message_replied',
  'channel_join',
  'channel_leave',
  'group_join',
  'group_leave',
  'channel_archive',
  'channel_unarchive',
  'group_archive',
  'group_unarchive',
  'ekm_access_denied',
]);

/** Bounds on the walk: Slack's own payloads stay far within them; a hostile one stops here. */
const MAX_DEPTH = 24;
const MAX_STRINGS = 20_000;

export interface SeenMessage {
  channel: string;
  /** The message's own ts (an edit's is the original message's). */
  ts: string;
  threadTs: string | null;
  /** Who posted it: a person, or a bot's user; null for an integration without one. */
  userId: string | null;
  botId: string | null;
  /** The name a bot or integration posted under (`username`, else `bot_profile.name`); null for a person. */
  botName: string | null;
  /** Every string of the message that holds `4b1d`, one per line; empty when none does. */
  text: string;
}

type Obj = Record<string, unknown>;

const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null;
const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/**
 * The message an event is about, with its strings that may hold a secret; null for an event that
 * adds no text (a deletion, a join) or is not a message at all. An edit (`message_changed`) is read
 * as its new version (`message`); the old one was read when it was posted.
 */
export function seenMessage(raw: unknown): SeenMessage | null {
  if (!isObject(raw)) return null;
  const subtype = str(raw.subtype);
  if (subtype !== null && NO_NEW_TEXT.has(subtype)) return null;
  const inner = subtype === 'message_changed' ? raw.message : raw;
  const channel = str(raw.channel);
  if (!isObject(inner) || channel === null) return null;
  const ts = str(inner.ts);
  if (ts === null) return null;
  const threadTs = str(inner.thread_ts);
  return {
    channel,
    ts,
    threadTs: threadTs !== null && threadTs !== ts ? threadTs : null,
    userId: str(inner.user),
    botId: str(inner.bot_id),
    botName: str(inner.username) ?? (isObject(inner.bot_profile) ? str(inner.bot_profile.name) : null),
    text: stringsWith('4b1d', inner).join('\n'),
  };
}

/** Every string in `value` (keys aside) that contains `needle`, depth-first, within the bounds. */
export function stringsWith(needle: string, value: unknown): string[] {
  const found: string[] = [];
  let seen = 0;
  const walk = (node: unknown, depth: number): void => {
    if (seen >= MAX_STRINGS) return;
    if (typeof node === 'string') {
      seen += 1;
      if (node.includes(needle)) found.push(node);
      return;
    }
    if (depth >= MAX_DEPTH || !isObject(node)) return;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) walk(child, depth + 1);
  };
  walk(value, 0);
  return found;
}
