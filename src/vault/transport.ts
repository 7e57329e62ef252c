import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { Secret } from '../core/secret.js';
import { callName, excerpt, scrub } from '../core/upstream-errors.js';
import {
  backoffMs,
  failedAttemptFields,
  type Headers,
  NOT_JSON,
  parseJsonText,
  readRetryAfterMs,
  sendAttempt,
} from '../util/http.js';
import {
  makeVaultError,
  VAULT_WORDING,
  type VaultApiError,
  type VaultCallSite,
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

/** A 2xx answer: the parsed JSON body, or undefined for an empty one (a 204). */
export interface VaultReply {
  status: number;
  body: unknown;
  site: VaultCallSite;
}

type AttemptOutcome =
  | { kind: 'response'; status: number; headers: Headers; text: string }
  | { kind: 'failed'; error: VaultConnectionError };

/**
 * Vault's 429 wait is HTTP's own `Retry-After`, in seconds. The sources read (github-and-vault.md §9) do
 * not say whether Vault sends it, so without it the wait is the next backoff step; an HTTP date counts as
 * absent.
 */
const RETRY_AFTER = ['retry-after'] as const;

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
          : makeVaultError(
              this.#errorContext(outcome, call, context),
              readRetryAfterMs(outcome.headers, RETRY_AFTER),
            );
      const delayMs = this.#retryDelay(error, call.retry, attempt);
      this.#log(failedAttemptFields(context, error, { ms, attempt, retryInMs: delayMs }));
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

  /** Exponential backoff with jitter (util/http.ts). */
  #backoff(attempt: number): number {
    return backoffMs(this.#options.retry, attempt, this.#options.random);
  }

  async #attempt(url: string, call: VaultCall, site: VaultCallSite): Promise<AttemptOutcome> {
    const body = call.body === undefined ? undefined : JSON.stringify(call.body());
    const headers = this.#headers(call.token, body !== undefined);
    const outcome = await sendAttempt(this.#options, { url, method: call.method, headers, body });
    if (outcome.kind === 'response') return outcome;
    if (outcome.kind === 'timeout')
      return { kind: 'failed', error: new VaultTimeoutError(site, this.#options.timeoutMs) };
    // Only the cause's code or class goes into the message: X-Vault-Token holds a token.
    const message = VAULT_WORDING.connectionFailed(callName(site), `${site.operation}; ${outcome.label}`);
    return { kind: 'failed', error: new VaultConnectionError(site, outcome.requestMayHaveBeenSent, message) };
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
    return {
      ...context,
      status: outcome.status,
      serverMessages: readServerMessages(
        outcome.text,
        secrets.map((secret) => secret.reveal()),
      ),
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

/**
 * Vault's `errors`, or for a proxy's HTML or text page a short single-line excerpt of it, with every
 * secret the call knows replaced by `[redacted]` (before cutting, so no secret's head survives a cut).
 */
function readServerMessages(text: string, secrets: readonly string[]): string[] {
  const parsed = ErrorBodySchema.safeParse(parseJsonText(text));
  if (parsed.success) return parsed.data.errors.map((message) => scrub(message, secrets));
  const page = excerpt(scrub(text, secrets));
  return page === null ? [] : [page];
}
