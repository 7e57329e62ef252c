/**
 * Escapes user text for Slack mrkdwn: `&`, `<` and `>` are the control characters, so
 * `<!channel>` in a reason renders literally and pings nobody.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A user mention; ids come from Slack and our store, never from free text. */
export function mention(userId: string): string {
  return `<@${userId.replace(/[^A-Z0-9]/gi, '')}>`;
}

/** Keeps a plain_text or mrkdwn field within Slack's limit, marking the cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
