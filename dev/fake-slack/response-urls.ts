import { checkMessage } from './block-kit-limits.js';
import { isObject, type Json } from './parse.js';
import { RESPONSE_URL_MAX_USES, RESPONSE_URL_TTL_MS, type Workspace } from './workspace.js';

export interface ResponseUrlAnswer {
  status: number;
  /** Slack answers errors here as a short plain-text code, not JSON. */
  text: string;
  contentType: string;
}

const plain = (status: number, text: string): ResponseUrlAnswer => ({
  status,
  text,
  contentType: 'text/plain',
});

/**
 * One POST to a response URL, as Slack handles it (slack-platform.md §2): at most five accepted posts within
 * 30 minutes; `delete_original` / `replace_original` act on the message the URL came from when it is known
 * (bound through `newResponseUrl({ channel, messageTs })`); anything else shows up as an ephemeral message.
 */
export function postToResponseUrl(workspace: Workspace, id: string, body: Json | null): ResponseUrlAnswer {
  const url = workspace.responseUrls.get(id);
  if (url === undefined) return plain(404, 'no_service');
  if (workspace.now() - url.issuedAt > RESPONSE_URL_TTL_MS) return plain(404, 'expired_url');
  if (url.uses >= RESPONSE_URL_MAX_USES) return plain(404, 'used_url');
  if (body === null) return plain(400, 'invalid_payload');

  const source = url.messageTs === undefined ? undefined : workspace.findMessage(url.channel, url.messageTs);
  const ephemeral =
    url.ephemeralTs === undefined ? undefined : workspace.findEphemeral(url.user, url.ephemeralTs);
  if (body.delete_original === true) {
    if (source !== undefined) workspace.delete(source);
    if (ephemeral !== undefined) workspace.ephemerals.splice(workspace.ephemerals.indexOf(ephemeral), 1);
  } else {
    const rejection = checkMessage(body);
    if (rejection !== null) return plain(400, rejection.error);
    if (body.replace_original === true && source !== undefined) {
      workspace.update(source, body);
    } else if (body.replace_original === true && ephemeral !== undefined) {
      // An ephemeral message is replaced where it stands, for its one reader.
      ephemeral.body = structuredClone(body);
    } else if (body.response_type === 'in_channel') {
      workspace.post(url.channel, body);
    } else if (body.response_type === undefined || body.response_type === 'ephemeral') {
      workspace.ephemerals.push({
        ts: workspace.nextTs(),
        channel: url.channel,
        user: url.user,
        body: structuredClone(body),
        via: 'response_url',
      });
    } else {
      return plain(400, 'invalid_response_type');
    }
  }
  url.uses += 1;
  return { status: 200, text: JSON.stringify({ ok: true }), contentType: 'application/json' };
}

/** A response_url body: Bolt's `respond()` sends JSON; anything else is not a payload Slack would take. */
export function parseResponseBody(raw: string): Json | null {
  try {
    const parsed: unknown = JSON.parse(raw);
    return isObject(parsed) ? parsed : null;
  } catch {
    return null;
  }
}
