import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Larger than any payload Slack sends (a modal is at most 250 kB); anything bigger is refused. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Slack's timestamps are checked both ways: replays older than 5 minutes, and stamps that far ahead. */
export const MAX_CLOCK_SKEW_S = 5 * 60;

const TEAM_ID = /^[TE][A-Z0-9]{1,30}$/;

export type EdgeVerdict =
  /** `parsed`: the envelope as read here (a slash command's form fields, an interaction's payload, an event). */
  | { ok: true; body: Buffer; parsed: Record<string, unknown> }
  | { ok: false; status: 400 | 401 | 413; why: string };

/**
 * Reads a request for `/slack/events` and checks it before Bolt sees it, cheapest first: a
 * timestamp within 5 minutes either way (Bolt accepts any future one), a bounded body, and the
 * signature, all before a byte is parsed, so an unsigned sender costs an HMAC and nothing more.
 * Then what Bolt takes for granted: a body that is an object (Bolt crashes on a JSON `null`), and
 * team ids that are ids (Bolt looks clients up by team id in a plain object). The body is handed
 * over as `rawBody`, which Bolt reuses without verifying it again (see `createApp`).
 */
export async function checkSlackRequest(
  req: IncomingMessage,
  nowSec: number,
  signingSecret: string,
): Promise<EdgeVerdict> {
  const stamp = Number(req.headers['x-slack-request-timestamp']);
  if (!Number.isInteger(stamp)) return { ok: false, status: 401, why: 'no timestamp' };
  if (stamp > nowSec + MAX_CLOCK_SKEW_S) return { ok: false, status: 401, why: 'signed in the future' };
  if (stamp < nowSec - MAX_CLOCK_SKEW_S) return { ok: false, status: 401, why: 'signed too long ago' };
  const signature = req.headers['x-slack-signature'];
  if (typeof signature !== 'string') return { ok: false, status: 401, why: 'no signature' };
  const body = await readBody(req);
  if (body === null) return { ok: false, status: 413, why: 'body too large' };
  if (!signatureMatches(signingSecret, stamp, body, signature)) {
    return { ok: false, status: 401, why: 'bad signature' };
  }
  const parsed = parseBody(String(req.headers['content-type'] ?? ''), body.toString('utf8'));
  if (!isObject(parsed)) return { ok: false, status: 400, why: 'body is not an object' };
  if (!teamIdsWellFormed(parsed)) return { ok: false, status: 400, why: 'malformed envelope' };
  return { ok: true, body, parsed };
}

/**
 * The body, or null once it passes `MAX_BODY_BYTES` (the rest is not read). Read through the
 * stream's events rather than its async iterator, which costs a promise per chunk on every request.
 */
export function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.off('data', onData);
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    // Also a sender that hangs up before the end ('aborted').
    req.once('error', reject);
  });
}

/** Slack's `v0` scheme: HMAC-SHA256 of `v0:<timestamp>:<raw body>`, compared in constant time. */
function signatureMatches(secret: string, stamp: number, body: Buffer, signature: string): boolean {
  const hmac = createHmac('sha256', secret);
  hmac.update(`v0:${stamp}:`);
  hmac.update(body);
  const expected = Buffer.from(`v0=${hmac.digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
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
