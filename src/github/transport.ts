import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { Clock } from '../core/clock.js';
import type { Secret } from '../core/secret.js';
import { callName, type UpstreamErrorContext } from '../core/upstream-errors.js';
import {
  backoffMs,
  failedAttemptFields,
  firstHeader,
  type Headers,
  NOT_JSON,
  parseJsonText,
  sendAttempt,
} from '../util/http.js';
import {
  GITHUB_WORDING,
  type GitHubApiError,
  GitHubConnectionError,
  GitHubInvalidResponseError,
  GitHubRateLimitError,
  GitHubServerError,
  GitHubTimeoutError,
  makeGitHubError,
  readServerMessage,
} from './errors.js';
import { readRateLimit } from './rate-limit.js';
import { buildPath, type PathParams, ROUTES, type RouteName } from './routes.js';

/** Request counters, for tests and benchmarks. `byRoute` is keyed by operation name (`putRepoSecret`, …). */
export interface GitHubClientStats {
  /** Requests sent, retries included. */
  requests: number;
  byRoute: Record<string, number>;
  /** Rate-limit answers received (403 or 429 with a rate-limit signal). */
  rateLimited: number;
  /** Attempts after the first, for any reason. */
  retries: number;
  /** Installation tokens minted. */
  tokensMinted: number;
}

export interface GitHubRetryPolicy {
  /** Sends per call, first attempt included (rate-limited ones count too). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Total time one call may wait out rate limits; a longer wait fails at once with GitHubRateLimitError. */
  maxRateLimitWaitMs: number;
}

export interface GitHubTransportOptions {
  /** API root without a trailing slash: `https://api.github.com`, or `https://HOST/api/v3`. */
  apiUrl: string;
  dispatcher: Dispatcher | undefined;
  timeoutMs: number;
  logger: Logger | undefined;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  retry: GitHubRetryPolicy;
  userAgent: string;
  apiVersion: string;
  stats: GitHubClientStats;
  /** For jitter; injectable so tests can pin delays. */
  random: () => number;
}

export interface CallOptions {
  params: PathParams;
  /** Query string parameters; absent values are left out. */
  query?: Record<string, string | undefined>;
  /** JSON-encoded as the request body. */
  body?: unknown;
  /** `Authorization: Bearer …`: the app's JWT or an installation token. */
  credential: Secret;
  /**
   * Whose rate limit the credential spends (`app`, or `installation:<id>`): a limit GitHub reports holds
   * every call in that bucket until it resets, since sending while limited risks the integration being
   * banned (DOC-RATE), while other installations' calls go on.
   */
  bucket: string;
  /** A page URL from a `Link` header, instead of the route's own; it must lie under `apiUrl`. */
  url?: string;
  /** For DELETE: a 404 answering a retry after an attempt of unknown outcome means that attempt deleted it. */
  notFoundAfterUnknownOutcomeIsSuccess?: boolean;
}

/** A 2xx answer. */
export interface GitHubResponse {
  status: number;
  requestId: string | null;
  /** Parsed JSON; undefined when the body was empty (204). */
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  method: string;
  route: string;
}

type AttemptOutcome =
  | { kind: 'response'; status: number; headers: Headers; text: string }
  | { kind: 'failed'; error: GitHubConnectionError };

/** What one call has spent waiting out rate limits, and how many secondary ones it met. */
interface WaitBudget {
  waitedMs: number;
  secondaryStreak: number;
}

type Step =
  | { kind: 'answer'; response: GitHubResponse }
  | { kind: 'rate-limited'; error: GitHubRateLimitError }
  | { kind: 'error'; error: GitHubApiError };

interface Hold {
  until: number;
  /** The answer that caused it, for the error a call that may not wait that long gets. */
  context: Pick<UpstreamErrorContext, 'status' | 'requestId' | 'serverMessage'>;
}

/**
 * Sends one logical GitHub call: each attempt bounded by `timeoutMs`, retried after a 5xx, a timeout or a
 * broken connection, and after a rate limit once its wait is over (bounded by `maxRateLimitWaitMs`).
 *
 * Retrying every operation is safe here, because each one is idempotent or harmless to repeat: reads;
 * `PUT` of a secret (the same value again; GitHub then answers 204 instead of 201); `DELETE` (a 404 after
 * an unknown outcome is taken as done); `PATCH` of an alert to a fixed state; and minting an installation
 * token, where a second token is merely unused and expires within the hour.
 */
export class GitHubTransport {
  readonly #options: GitHubTransportOptions;
  readonly #holds = new Map<string, Hold>();

  constructor(options: GitHubTransportOptions) {
    this.#options = options;
  }

  async call(routeName: RouteName, options: CallOptions): Promise<GitHubResponse> {
    const { method, template } = ROUTES[routeName];
    const url = options.url === undefined ? this.#url(routeName, options) : this.#pageUrl(options.url);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const context = { method, route: template };
    const { stats } = this.#options;
    const budget: WaitBudget = { waitedMs: 0, secondaryStreak: 0 };
    let earlierOutcomeUnknown = false;

    for (let attempt = 1; ; attempt++) {
      await this.#waitOutHold(options.bucket, context, budget);
      stats.requests++;
      stats.byRoute[routeName] = (stats.byRoute[routeName] ?? 0) + 1;
      const started = this.#now();
      const outcome = await this.#attempt(url, method, template, body, options.credential);
      const ms = Math.round(this.#now() - started);
      const step = this.#judge(outcome, options, context, budget);
      if (step.kind === 'answer') {
        this.#log({
          ...context,
          status: step.response.status,
          ms,
          requestId: step.response.requestId,
          attempt,
        });
        return step.response;
      }
      if (step.kind === 'rate-limited') {
        const { error } = step;
        this.#log({
          ...context,
          status: error.status,
          ms,
          requestId: error.requestId,
          attempt,
          rateLimitedForMs: error.retryAfterMs,
        });
        if (attempt >= this.#options.retry.maxAttempts) throw error;
        stats.retries++;
        continue; // the next turn waits out the hold, or fails if that is too long
      }
      const { error } = step;
      if (error.status === 404 && earlierOutcomeUnknown && options.notFoundAfterUnknownOutcomeIsSuccess) {
        this.#log({ ...context, status: 404, ms, requestId: error.requestId, attempt, settled: true });
        return { status: 404, requestId: error.requestId, body: undefined, headers: {}, ...context };
      }
      const delayMs = this.#retryDelay(error, attempt);
      this.#log(failedAttemptFields(context, error, { ms, attempt, retryInMs: delayMs }));
      if (delayMs === null) throw error;
      if (outcomeUnknown(error)) earlierOutcomeUnknown = true;
      stats.retries++;
      await this.#options.sleep(delayMs);
    }
  }

  /**
   * What one attempt's outcome means: a 2xx answer; a rate limit (the bucket is then held until it
   * resets); or an error, by status.
   */
  #judge(
    outcome: AttemptOutcome,
    options: CallOptions,
    context: { method: string; route: string },
    budget: WaitBudget,
  ): Step {
    if (outcome.kind === 'failed') return { kind: 'error', error: outcome.error };
    const parsed = parseJsonText(outcome.text);
    const requestId = readRequestId(outcome.headers);
    if (outcome.status >= 200 && outcome.status < 300) {
      return { kind: 'answer', response: success(outcome, parsed, requestId, context) };
    }
    const body = parsed === NOT_JSON ? outcome.text : parsed;
    const credential = options.credential.reveal();
    const message = readServerMessage(body, credential);
    const answer = { status: outcome.status, headers: outcome.headers, message };
    const limit = readRateLimit(answer, this.#now(), budget.secondaryStreak);
    if (limit === null) {
      const error = makeGitHubError({ status: outcome.status, body, requestId, credential, ...context });
      return { kind: 'error', error };
    }
    this.#options.stats.rateLimited++;
    if (limit.secondary) budget.secondaryStreak++;
    const held = { status: outcome.status, requestId, serverMessage: message };
    this.#hold(options.bucket, limit.waitMs, held);
    return { kind: 'rate-limited', error: new GitHubRateLimitError({ ...context, ...held }, limit.waitMs) };
  }

  #url(routeName: RouteName, options: CallOptions): string {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(options.query ?? {}))
      if (value !== undefined) search.set(name, value);
    const query = search.size > 0 ? `?${search.toString()}` : '';
    return this.#options.apiUrl + buildPath(routeName, options.params) + query;
  }

  /** A `Link` target is followed only under the API's own root: the token must never go anywhere else. */
  #pageUrl(raw: string): string {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new GitHubInvalidResponseError(
        { status: 200, requestId: null, method: 'GET', route: 'Link' },
        'a Link header names no URL',
      );
    }
    const root = new URL(`${this.#options.apiUrl}/`);
    if (url.origin !== root.origin || !url.pathname.startsWith(root.pathname)) {
      throw new GitHubInvalidResponseError(
        { status: 200, requestId: null, method: 'GET', route: 'Link' },
        'a Link header points outside the API',
      );
    }
    return url.toString();
  }

  #hold(bucket: string, waitMs: number, context: Hold['context']): void {
    const until = this.#now() + waitMs;
    const current = this.#holds.get(bucket);
    if (current === undefined || current.until < until) this.#holds.set(bucket, { until, context });
  }

  /**
   * Waits until the bucket's rate limit has reset (again, should another call have extended it meanwhile),
   * or throws when that is longer than this call may still wait.
   */
  async #waitOutHold(
    bucket: string,
    context: { method: string; route: string },
    budget: WaitBudget,
  ): Promise<void> {
    for (;;) {
      const hold = this.#holds.get(bucket);
      if (hold === undefined) return;
      const waitMs = hold.until - this.#now();
      if (waitMs <= 0) {
        this.#holds.delete(bucket);
        return;
      }
      if (budget.waitedMs + waitMs > this.#options.retry.maxRateLimitWaitMs) {
        throw new GitHubRateLimitError({ ...context, ...hold.context }, waitMs);
      }
      budget.waitedMs += waitMs;
      await this.#options.sleep(waitMs);
    }
  }

  /** The wait before the next attempt, or null when this error is final. */
  #retryDelay(error: GitHubApiError, attempt: number): number | null {
    if (attempt >= this.#options.retry.maxAttempts) return null;
    if (error instanceof GitHubConnectionError || error instanceof GitHubServerError)
      return this.#backoff(attempt);
    return null;
  }

  /** Exponential backoff with jitter (util/http.ts). */
  #backoff(attempt: number): number {
    return backoffMs(this.#options.retry, attempt, this.#options.random);
  }

  async #attempt(
    url: string,
    method: string,
    route: string,
    body: string | undefined,
    credential: Secret,
  ): Promise<AttemptOutcome> {
    const headers = this.#headers(credential, body !== undefined);
    const outcome = await sendAttempt(this.#options, { url, method, headers, body });
    if (outcome.kind === 'response') return outcome;
    const call = { method, route };
    if (outcome.kind === 'timeout')
      return { kind: 'failed', error: new GitHubTimeoutError(call, this.#options.timeoutMs) };
    // Only the cause's code or class goes into the message: the Authorization header holds a token.
    const message = GITHUB_WORDING.connectionFailed(callName(call), outcome.label);
    return {
      kind: 'failed',
      error: new GitHubConnectionError(call, outcome.requestMayHaveBeenSent, message),
    };
  }

  #headers(credential: Secret, hasBody: boolean): Record<string, string> {
    return {
      authorization: `Bearer ${credential.reveal()}`,
      accept: 'application/vnd.github+json',
      // Sent explicitly: which version GitHub applies without it is UNCERTAIN (github-and-vault.md §1).
      'x-github-api-version': this.#options.apiVersion,
      'user-agent': this.#options.userAgent,
      ...(hasBody ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    };
  }

  #now(): number {
    return this.#options.clock.now().getTime();
  }

  #log(fields: Record<string, unknown>): void {
    // Route templates, statuses and timings only: bodies, headers and paths never reach a log line.
    this.#options.logger?.debug(fields, 'github api call');
  }
}

function success(
  outcome: { status: number; headers: Headers; text: string },
  parsed: unknown,
  requestId: string | null,
  context: { method: string; route: string },
): GitHubResponse {
  if (parsed === NOT_JSON) {
    throw new GitHubInvalidResponseError(
      { status: outcome.status, requestId, ...context },
      'the body is not JSON',
    );
  }
  return { status: outcome.status, requestId, body: parsed, headers: outcome.headers, ...context };
}

/** 5xx, timeout or a broken connection after sending: GitHub may or may not have acted. */
function outcomeUnknown(error: GitHubApiError): boolean {
  if (error instanceof GitHubConnectionError) return error.requestMayHaveBeenSent;
  return error instanceof GitHubServerError;
}

function readRequestId(headers: Headers): string | null {
  const id = firstHeader(headers, 'x-github-request-id');
  return id === undefined || id === '' ? null : id;
}
