import type { IncomingMessage } from 'node:http';

/** Larger than any payload Slack sends (a modal is at most 250 kB); anything bigger is refused. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Slack's timestamps are checked both ways: replays older than 5 minutes, and stamps that far ahead. */
export const MAX_CLOCK_SKEW_S = 5 * 60;

const TEAM_ID = /^[TE][A-Z0-9]{1,30}$/;

export type EdgeVerdict = { ok: true; body: Buffer } | { ok: false; status: 400 | 401 | 413; why: string };

/**
 * Reads a request for `/slack/events` and checks what Bolt takes for granted, before Bolt sees it:
 * a timestamp not in the future, a bounded body, a body that is an object (Bolt crashes on a JSON
 * `null`), and team ids that are ids (Bolt looks clients up by team id in a plain object). The
 * signature is still Bolt's to check; the body is handed over as `rawBody`, which Bolt reuses.
 */
export async function checkSlackRequest(req: IncomingMessage, nowSec: number): Promise<EdgeVerdict> {
  const stamp = Number(req.headers['x-slack-request-timestamp']);
  if (Number.isFinite(stamp) && stamp > nowSec + MAX_CLOCK_SKEW_S) {
    return { ok: false, status: 401, why: 'signed in the future' };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return { ok: false, status: 413, why: 'body too large' };
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks);
  const parsed = parseBody(String(req.headers['content-type'] ?? ''), body.toString('utf8'));
  if (!isObject(parsed)) return { ok: false, status: 400, why: 'body is not an object' };
  if (!teamIdsWellFormed(parsed)) return { ok: false, status: 400, why: 'malformed envelope' };
  return { ok: true, body };
}

function parseBody(contentType: string, text: string): unknown {
  try {
    if (contentType === 'application/x-www-form-urlencoded') {
      const form = new URLSearchParams(text);
      const payload = form.get('payload');
      return payload === null ? Object.fromEntries(form) : JSON.parse(payload);
    }
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The objects Bolt dereferences without a check (`user`, `team`, `event`, `channel`, `container`,
 * `view`, and the event's `user`) must be objects or ids where present, and where Bolt reads a
 * team id it must look like one.
 */
function teamIdsWellFormed(body: Record<string, unknown>): boolean {
  const holders = [body.team, body.user, body.event, body.channel, body.container, body.view];
  if (holders.some((h) => h !== undefined && !isObject(h))) return false;
  const field = (holder: unknown, key: string) => (isObject(holder) ? holder[key] : undefined);
  const eventUser = field(body.event, 'user');
  if (eventUser !== undefined && typeof eventUser !== 'string' && !isObject(eventUser)) return false;
  const ids = [body.team_id, field(body.team, 'id'), field(body.user, 'team_id'), field(body.event, 'team')];
  return ids.every((id) => id === undefined || (typeof id === 'string' && TEAM_ID.test(id)));
}
