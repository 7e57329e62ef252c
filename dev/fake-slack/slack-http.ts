import { performance } from 'node:perf_hooks';
import { signSlackRequest } from './signing.js';

/** What Slack would POST to the app: a slash command, an interaction payload, or an Events API envelope. */
export type SlackRequestBody =
  | { kind: 'command'; fields: Record<string, string> }
  | { kind: 'interaction'; payload: object }
  | { kind: 'event'; payload: object };

export interface PostToAppOptions {
  signingSecret: string;
  /** Default: now. Bolt rejects timestamps older than 5 minutes. */
  timestampSec?: number;
  /** Replaces the computed `x-slack-signature`, to test bad signatures. */
  signature?: string;
  /** Default `/slack/events`. */
  path?: string;
  /** Extra headers, e.g. `x-slack-retry-num` for a redelivered event. */
  headers?: Record<string, string>;
  /** Aborts the request, e.g. `AbortSignal.timeout(3000)` for Slack's 3-second wait for an acknowledgement. */
  signal?: AbortSignal;
}

export interface AppResponse {
  status: number;
  body: string;
  /** The body parsed as JSON, or null when it is empty or not JSON. */
  json: unknown | null;
  /** Wall time from sending to the full answer, in ms. */
  ms: number;
}

/** Encodes the body the way Slack does; the content types are exact, since Bolt compares them as strings. */
export function encodeSlackBody(body: SlackRequestBody): { contentType: string; raw: string } {
  switch (body.kind) {
    case 'command':
      return {
        contentType: 'application/x-www-form-urlencoded',
        raw: new URLSearchParams(body.fields).toString(),
      };
    case 'interaction':
      return {
        contentType: 'application/x-www-form-urlencoded',
        raw: new URLSearchParams({ payload: JSON.stringify(body.payload) }).toString(),
      };
    case 'event':
      return { contentType: 'application/json', raw: JSON.stringify(body.payload) };
  }
}

/** POSTs a signed request to the app under test (`appUrl` like `http://127.0.0.1:PORT`), as Slack would. */
export async function postToApp(
  appUrl: string,
  body: SlackRequestBody,
  options: PostToAppOptions,
): Promise<AppResponse> {
  const { contentType, raw } = encodeSlackBody(body);
  const timestampSec = options.timestampSec ?? Math.floor(Date.now() / 1000);
  const signed = signSlackRequest(raw, options.signingSecret, timestampSec);
  const headers: Record<string, string> = {
    // No charset: Bolt's HTTPReceiver answers 400 to `application/x-www-form-urlencoded; charset=utf-8`.
    'content-type': contentType,
    ...signed,
    ...(options.signature === undefined ? {} : { 'x-slack-signature': options.signature }),
    ...options.headers,
  };
  const started = performance.now();
  const response = await fetch(new URL(options.path ?? '/slack/events', appUrl), {
    method: 'POST',
    headers,
    body: raw,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  let json: unknown | null = null;
  if (text.length > 0) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  return { status: response.status, body: text, json, ms };
}
