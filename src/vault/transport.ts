import type { Logger } from 'pino';
import { type Dispatcher, request } from 'undici';
import type { Secret } from '../core/secret.js';
import { NOT_JSON, parseJsonText } from '../util/json-text.js';
import { describeRequestFailure } from '../util/request-failure.js';
import {
  makeVaultError,
  type VaultApiError,
  VaultConnectionError,
  type VaultErrorContext,
  VaultInvalidResponseError,
  type VaultOperation,
  VaultRateLimitError,
  VaultServerError,
  VaultTimeoutError,
} from './errors.js';
import { ErrorBodySchema, WarningsSchema } from './schemas.js';

export interface VaultRetryPolicy {
  /** Sends per call, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A 429 asking for a longer wait than this is not waited out: the call fails with the 429. */
  maxRetryAfterMs: number;
}

export interface VaultTransportOptions {
  /** `VAULT_ADDR`, without `/v1`. */
  addr: string;
  namespace: string | undefined;
  dispatcher: Dispatcher | undefined;
  timeoutMs: number;
  logger: Logger | undefined;
  retry: VaultRetryPolicy;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  userAgent: string;
  /** Credentials of the client itself (the AppRole secret id), scrubbed from whatever Vault says back. */
  credentials: readonly Secret[];
}

/**
 * How a call may be retried. `idempotent`: reads and logins, sent again on 429, 5xx, timeouts and broken
 * connections. `write`: a KV write, sent again only when the answer proves nothing was written (see
 * `provedNotApplied`), since every write that lands makes a new version.
 */
export type RetryRule = 'idempotent' | 'write';

export interface VaultCall {
  operation: VaultOperation;
  method: 'GET' | 'POST';
  /** Route template for logs and errors: `/v1/{mount}/data/{path}`. */
  route: string;
  /** Concrete path, segments already encoded: `/v1/secret/data/keyhouse/etl`. */
  path: string;
  query?: Record<string, string>;
  /** Sent as `X-Vault-Token`; null for login. */
  token: Secret | null;
  /** The JSON body, built per attempt so secrets are revealed only on their way out. */
  body?: () => unknown;
  /** Secrets the body carries, scrubbed from whatever Vault says back. */
  secrets?: readonly Secret[];
  retry: RetryRule;
}

/** Which call an answer or a failure belongs to, for errors and logs. */
export type VaultCallSite = Pick<VaultErrorContext, 'operation' | 'method' | 'route'>;

/** A 2xx answer: the parsed JSON body, or undefined for an empty one (a 204). */
export interface VaultReply {
  status: number;
  body: unknown;
  site: VaultCallSite;
}

type AttemptOutcome =
  | { kind: 'response'; status: number; headers: Record<string, string | string[] | undefined>; text: string }
  | { kind: 'failed'; error: VaultConnectionError };

const TIMEOUT = Symbol('timeout');
const REDACTED = '[redacted]';
const MAX_TEXT_MESSAGE = 200;

/**
 * Sends one logical Vault call: `X-Vault-Namespace` on every attempt when a namespace is set, each attempt
 * bounded by `timeoutMs`, retried with backoff only where that is safe (`RetryRule`). Logs one debug line
 * per attempt with the operation, route template, status and timing: no path, body, header or token.
 */
export class VaultTransport {
  readonly #options: VaultTransportOptions;

  constructor(options: VaultTransportOptions) {
    this.#options = options;
  }

  async send(call: VaultCall): Promise<VaultReply> {
    const search = new URLSearchParams(call.query ?? {}).toString();
    const url = `${this.#options.addr}${call.path}${search === '' ? '' : `?${search}`}`;
    const context: VaultCallSite = { operation: call.operation, method: call.method, route: call.route };
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      const outcome = await this.#attempt(url, call, context);
      const ms = Math.round(performance.now() - started);
      if (outcome.kind === 'response' && outcome.status >= 200 && outcome.status < 300) {
        const reply = parseReply(outcome.status, outcome.text, context);
        this.#log({ ...context, status: outcome.status, ms, attempt, warnings: countWarnings(reply.body) });
        return reply;
      }
      const error =
        outcome.kind === 'failed'
          ? outcome.error
          : makeVaultError(this.#errorContext(outcome, call, context), readRetryAfterMs(outcome.headers));
      const delayMs = this.#retryDelay(error, call.retry, attempt);
      this.#log({
        ...context,
        status: error.status ?? null,
        error: error.name,
        ms,
        attempt,
        ...(delayMs === null ? {} : { retryInMs: delayMs }),
      });
      if (delayMs === null) throw error;
      await this.#options.sleep(delayMs);
    }
  }

  /** The wait before the next attempt, or null when this error is final. */
  #retryDelay(error: VaultApiError, rule: RetryRule, attempt: number): number | null {
    const { retry } = this.#options;
    if (attempt >= retry.maxAttempts) return null;
    if (rule === 'write' && !provedNotApplied(error)) return null;
    if (error instanceof VaultRateLimitError) {
      if (error.retryAfterMs === null) return this.#backoff(attempt + 1);
      return error.retryAfterMs > retry.maxRetryAfterMs ? null : error.retryAfterMs;
    }
    if (error instanceof VaultServerError || error instanceof VaultConnectionError)
      return this.#backoff(attempt);
    return null;
  }

  /** Exponential backoff with jitter: between half and all of base × 2^(attempt-1), capped. */
  #backoff(attempt: number): number {
    const { baseDelayMs, maxDelayMs } = this.#options.retry;
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (this.#options.random() * ceiling) / 2);
  }

  async #attempt(url: string, call: VaultCall, context: VaultCallSite): Promise<AttemptOutcome> {
    const { timeoutMs, dispatcher } = this.#options;
    const body = call.body === undefined ? undefined : JSON.stringify(call.body());
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(TIMEOUT), timeoutMs);
    try {
      const response = await request(url, {
        method: call.method,
        headers: this.#headers(call.token, body !== undefined),
        body,
        signal: controller.signal,
        ...(dispatcher === undefined ? {} : { dispatcher }),
      });
      // The timeout covers the body too: a Vault that stalls mid-body is as stuck as one that never answers.
      const text = await response.body.text();
      return { kind: 'response', status: response.statusCode, headers: response.headers, text };
    } catch (cause) {
      if (controller.signal.aborted && controller.signal.reason === TIMEOUT) {
        return { kind: 'failed', error: new VaultTimeoutError(context, timeoutMs) };
      }
      return { kind: 'failed', error: connectionError(context, cause) };
    } finally {
      clearTimeout(timer);
    }
  }

  #headers(token: Secret | null, hasBody: boolean): Record<string, string> {
    const { namespace, userAgent } = this.#options;
    return {
      accept: 'application/json',
      'user-agent': userAgent,
      ...(token === null ? {} : { 'x-vault-token': token.reveal() }),
      ...(namespace === undefined ? {} : { 'x-vault-namespace': namespace }),
      ...(hasBody ? { 'content-type': 'application/json' } : {}),
    };
  }

  #errorContext(
    outcome: { status: number; text: string },
    call: VaultCall,
    context: VaultCallSite,
  ): VaultErrorContext {
    const secrets = [...this.#options.credentials, ...(call.secrets ?? [])];
    if (call.token !== null) secrets.push(call.token);
    const scrub = scrubber(secrets.map((secret) => secret.reveal()));
    return {
      ...context,
      status: outcome.status,
      serverMessages: readServerMessages(outcome.text).map(scrub),
    };
  }

  #log(fields: Record<string, unknown>): void {
    this.#options.logger?.debug(fields, 'vault api call');
  }
}

/**
 * Whether a failed write certainly wrote nothing, so sending it again cannot make a second version:
 * the request never left (connection refused, name not resolved); 429 (a quota refuses a request before
 * it reaches the engine); 503 (sealed, standby or overloaded: refused before the engine). A timeout, a
 * broken connection after sending, a 500 or a 502 prove nothing: Vault may have written the version and
 * failed on the way back. (Any other 4xx wrote nothing either, but sending it again would not help.)
 */
export function provedNotApplied(error: VaultApiError): boolean {
  if (error instanceof VaultConnectionError) return !error.requestMayHaveBeenSent;
  return error.status === 429 || error.status === 503;
}

function parseReply(status: number, text: string, context: VaultCallSite): VaultReply {
  const body = parseJsonText(text);
  if (body === NOT_JSON) throw new VaultInvalidResponseError({ ...context, status }, 'the body is not JSON');
  return { status, body, site: context };
}

function countWarnings(body: unknown): number {
  const parsed = WarningsSchema.safeParse(body);
  return parsed.success ? (parsed.data.warnings?.length ?? 0) : 0;
}

/** Vault's `errors`; for a proxy's HTML or text page, a short single-line excerpt of it. */
function readServerMessages(text: string): string[] {
  const parsed = ErrorBodySchema.safeParse(parseJsonText(text));
  if (parsed.success) return parsed.data.errors;
  const excerpt = text.replace(/\s+/g, ' ').trim();
  if (excerpt === '') return [];
  return [excerpt.length > MAX_TEXT_MESSAGE ? `${excerpt.slice(0, MAX_TEXT_MESSAGE)}…` : excerpt];
}

/** Replaces every occurrence of each secret; a message that quotes a token or a written value keeps its sense. */
function scrubber(secrets: readonly string[]): (message: string) => string {
  const present = secrets.filter((secret) => secret !== '');
  return (message) => present.reduce((text, secret) => text.replaceAll(secret, REDACTED), message);
}

/**
 * Seconds in `Retry-After`, as ms: HTTP's own header for a 429. The sources read (github-and-vault.md §9)
 * do not say whether Vault sends it, so without it the wait is the next backoff step; an HTTP date counts
 * as absent.
 */
function readRetryAfterMs(headers: Record<string, string | string[] | undefined>): number | null {
  const value = headers['retry-after'];
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return null;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds * 1000) : null;
}

function connectionError(context: VaultCallSite, cause: unknown): VaultConnectionError {
  // Only the cause's code or class goes into the message: X-Vault-Token holds a token.
  const { label, mayHaveBeenSent } = describeRequestFailure(cause);
  return new VaultConnectionError(
    context,
    mayHaveBeenSent,
    `Vault connection failed on ${context.method} ${context.route} (${context.operation}; ${label})`,
  );
}
