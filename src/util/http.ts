import { type Dispatcher, request } from 'undici';

/**
 * What the API clients (ClickHouse, GitHub, Vault) share about one HTTP attempt: sending it under a
 * deadline, telling a failure that proves nothing was sent from one that may have reached the server,
 * reading a JSON body and a header, backing off before the next attempt, and checking a configured API
 * root. Each client turns these into its own typed errors.
 */

export type Headers = Record<string, string | string[] | undefined>;

/** One attempt's end: an answer, the deadline passing, or no answer at all. */
export type AttemptOutcome =
  | { kind: 'response'; status: number; headers: Headers; text: string }
  | { kind: 'timeout' }
  /** `label` is the failure's code or class only (never its message); see `failureLabel`. */
  | { kind: 'failed'; label: string; requestMayHaveBeenSent: boolean };

/** How a client sends: its deadline per attempt (the whole answer, body included) and its dispatcher. */
export interface Wire {
  timeoutMs: number;
  dispatcher: Dispatcher | undefined;
}

export interface Attempt {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** Failures that prove nothing was sent, so even a create may be retried. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUT = Symbol('timeout');

export async function sendAttempt(wire: Wire, attempt: Attempt): Promise<AttemptOutcome> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(TIMEOUT), wire.timeoutMs);
  try {
    const response = await request(attempt.url, {
      method: attempt.method as Dispatcher.HttpMethod,
      headers: attempt.headers,
      body: attempt.body,
      signal: controller.signal,
      ...(wire.dispatcher === undefined ? {} : { dispatcher: wire.dispatcher }),
    });
    // The timeout covers the body too: a server that stalls mid-body is as stuck as one that never answers.
    const text = await response.body.text();
    return { kind: 'response', status: response.statusCode, headers: response.headers, text };
  } catch (cause) {
    if (controller.signal.aborted && controller.signal.reason === TIMEOUT) return { kind: 'timeout' };
    const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
    const sent = !(typeof code === 'string' && NOT_SENT_CODES.has(code));
    return { kind: 'failed', label: failureLabel(cause), requestMayHaveBeenSent: sent };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A failure's code or class, for an error message. Never its message: some dispatchers (undici's mocks
 * among them) quote request headers in their messages, and the Authorization header holds a credential.
 */
function failureLabel(cause: unknown): string {
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  if (typeof code === 'string') return code;
  return cause instanceof Error ? cause.name : 'unknown error';
}

/** What `parseJsonText` gives for a body that is not JSON. */
export const NOT_JSON: unique symbol = Symbol('not json');

/** The parsed body; undefined when empty, `NOT_JSON` when it does not parse. */
export function parseJsonText(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}

/** Whether a parsed body is a JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A header's value; the first, when it came more than once. */
export function firstHeader(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A header that counts seconds (`Retry-After: 3`, `X-RateLimit-Reset: 1.25`); null when absent or not a number ≥ 0. */
export function readSeconds(raw: string | undefined): number | null {
  if (raw === undefined || raw.trim() === '') return null;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

/** How long an answer asks to be left alone, in ms: the first of `names` that counts seconds; null when none does. */
export function readRetryAfterMs(headers: Headers, names: readonly string[]): number | null {
  for (const name of names) {
    const seconds = readSeconds(firstHeader(headers, name));
    if (seconds !== null) return Math.ceil(seconds * 1000);
  }
  return null;
}

/** How a client spaces its attempts. */
export interface Backoff {
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Exponential backoff with jitter: between half and all of base × 2^(attempt-1), capped. */
export function backoffMs(backoff: Backoff, attempt: number, random: () => number): number {
  const ceiling = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * A configured API root as `origin + path` without a trailing slash. `refuse` builds the client's own
 * configuration error from the problem (`is not a URL`, `must be http(s)`, `must not carry credentials`).
 */
export function checkApiRoot(raw: string, name: string, refuse: (problem: string) => Error): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse(`${name} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse(`${name} must be http(s)`);
  if (url.username !== '' || url.password !== '') throw refuse(`${name} must not carry credentials`);
  if (url.search !== '' || url.hash !== '') throw refuse(`${name} must not carry a query or fragment`);
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/** Real waiting, for clients not given a test's `sleep`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The debug fields of an attempt that failed: what it was, how it ended, and the wait before the next. */
export function failedAttemptFields(
  context: { method: string; route: string },
  error: { name: string; status?: number | undefined; requestId: string | null },
  timing: { ms: number; attempt: number; retryInMs: number | null },
): Record<string, unknown> {
  return {
    ...context,
    status: error.status ?? null,
    error: error.name,
    ms: timing.ms,
    requestId: error.requestId,
    attempt: timing.attempt,
    ...(timing.retryInMs === null ? {} : { retryInMs: timing.retryInMs }),
  };
}
