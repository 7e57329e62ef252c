import { createHmac } from 'node:crypto';

export interface SlackSignatureHeaders {
  'x-slack-request-timestamp': string;
  'x-slack-signature': string;
}

/**
 * The headers Slack puts on a request (slack-platform.md §1): `v0=` + hex HMAC-SHA256 of
 * `v0:{timestamp}:{raw body}`, keyed with the signing secret. `body` must be the exact bytes sent.
 */
export function signSlackRequest(
  body: string,
  signingSecret: string,
  timestampSec: number,
): SlackSignatureHeaders {
  const digest = createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${body}`).digest('hex');
  return { 'x-slack-request-timestamp': String(timestampSec), 'x-slack-signature': `v0=${digest}` };
}
