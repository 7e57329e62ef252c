import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import {
  ApiConnectionError,
  ApiTimeoutError,
  CLICKHOUSE_WORDING,
  type ClickHouseApiError,
  InternalServerError,
  InvalidResponseError,
  makeApiError,
  RateLimitError,
  readRequestId,
} from '../core/api-errors.js';
import { currentLane } from '../core/budget.js';
import type { Secret } from '../core/secret.js';
import { callName } from '../core/upstream-errors.js';
import {
  backoffMs,
  failedAttemptFields,
  type Headers,
  NOT_JSON,
  parseJsonText,
  sendAttempt,
} from '../util/http.js';
import type { SlidingWindowLimiter, Turn } from './limiter.js';
import { buildPath, type PathParams, ROUTES, type RouteName } from './routes.js';
import { EnvelopeSchema } from './schemas.js';

/** Request counters, for tests and benchmarks. `byRoute` is keyed by operation name (`listKeys`, …). */
export interface ClientStats {
  /** Requests sent, retries included. */
  requests: number;
  byRoute: Record<string, number>;
  /** 429 answers received. */
  rateLimited: number;
  /** Attempts after the first, for any reason. */
  retries: number;
  /**
   * Urgent sends (a Create key, a leak's write, an unseen key's delete), and the most sends any one
   * other owner made ahead of one of them while it was ready (the limiter's `Turn`): product.md §9
   * promises at most 1, so a run can check that no one's urgent work waited past one turn.
   */
  urgent: { sent: number; mostAheadByOneOwner: number };
}

/** Hooks for metrics (src/metrics.ts); every argument is safe as a label: no ids, names or secrets. */
export interface ApiObserver {
  /** One attempt ended: the HTTP status, or null when no answer came (timeout, broken connection). */
  onResponse(route: string, status: number | null, ms: number): void;
  onRateLimited(route: string): void;
  /** Time one attempt waited for the rate budget before it was sent. */
  onBudgetWait(ms: number): void;
}

export interface RetryPolicy {
  /** Sends per call, first attempt included (429s count too). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Total time one call may spend waiting out 429s before it gives up with a RateLimitError. */
  maxRateLimitWaitMs: number;
}

export interface TransportOptions {
  baseUrl: string;
  keyId: string;
  keySecret: Secret;
  dispatcher: Dispatcher | undefined;
  timeoutMs: number;
  logger: Logger | undefined;
  limiter: SlidingWindowLimiter;
  retry: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  userAgent: string;
  stats: ClientStats;
  observer?: ApiObserver | undefined;
  /** For jitter; injectable so tests can pin delays. */
  random?: () => number;
}

/** A 2xx answer, unwrapped from its `{status, requestId, result}` envelope. */
export interface ApiResponse {
  status: number;
  requestId: string | null;
  /** `result` from the envelope; undefined when there was none (DELETE). */
  result: unknown;
  hasResult: boolean;
  method: string;
  route: string;
}

export interface CallOptions {
  params: PathParams;
  /** Query string parameters (already validated by the caller); absent values are left out. */
  query?: Record<string, string | undefined>;
  /** JSON-encoded as the request body. */
  body?: unknown;
  /**
   * For DELETE: a 404 answering a retry, after an attempt whose outcome is unknown (5xx, timeout, broken
   * connection), means that earlier attempt deleted it. Report success rather than a misleading error.
   */
  notFoundAfterUnknownOutcomeIsSuccess?: boolean;
}

/** A 429 reset is rounded to whole seconds or less on the server; wait a little longer than it says. */
const RATE_LIMIT_MARGIN_MS = 250;

type AttemptOutcome =
  | { kind: 'response'; status: number; headers: Headers; text: string }
  | { kind: 'failed'; error: ApiConnectionError };

/**
 * Sends one logical API call: throttled by the shared limiter, each attempt bounded by `timeoutMs`, retried
 * only where that is safe. GET, PATCH and DELETE are idempotent and retried on 5xx, timeouts and broken
 * connections; POST (create) is not, since the server may have acted. A 429 was not processed, so every
 * method is retried after the server's reset time.
 */
export class Transport {
  readonly #options: TransportOptions;
  readonly #random: () => number;

  constructor(options: TransportOptions) {
    this.#options = options;
    this.#random = options.random ?? Math.random;
  }

  async call(routeName: RouteName, options: CallOptions): Promise<ApiResponse> {
    const { method, template } = ROUTES[routeName];
    // Built before anything is sent: an invalid id is refused without spending rate budget.
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(options.query ?? {}))
      if (value !== undefined) search.set(name, value);
    const query = search.size > 0 ? `?${search.toString()}` : '';
    const url = this.#options.baseUrl + buildPath(routeName, options.params) + query;
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const context = { method, route: template };
    const { retry, limiter, stats } = this.#options;
    let rateLimitWaitedMs = 0;
    let earlierOutcomeUnknown = false;

    for (let attempt = 1; ; attempt++) {
      const waitFrom = this.#options.now();
      const lane = currentLane();
      const turn = await limiter.acquire(lane);
      this.#options.observer?.onBudgetWait(this.#options.now() - waitFrom);
      if (lane.priority === 'urgent') countUrgent(stats, turn);
      stats.requests++;
      stats.byRoute[routeName] = (stats.byRoute[routeName] ?? 0) + 1;
      const started = this.#options.now();
      const outcome = await this.#attempt(url, method, template, body);
      const ms = Math.round(this.#options.now() - started);
      this.#options.observer?.onResponse(routeName, outcome.kind === 'response' ? outcome.status : null, ms);

      let error: ClickHouseApiError;
      if (outcome.kind === 'response') {
        const parsedBody = parseJsonText(outcome.text);
        const requestId = readRequestId(parsedBody);
        if (outcome.status >= 200 && outcome.status < 300) {
          this.#log({ ...context, status: outcome.status, ms, requestId, attempt });
          return unwrap(outcome.status, outcome.text, parsedBody, requestId, context);
        }
        if (outcome.status === 404 && earlierOutcomeUnknown && options.notFoundAfterUnknownOutcomeIsSuccess) {
          this.#log({ ...context, status: outcome.status, ms, requestId, attempt, settled: true });
          return { status: 404, requestId, result: undefined, hasResult: false, ...context };
        }
        error = makeApiError({
          status: outcome.status,
          body: parsedBody === NOT_JSON ? outcome.text : parsedBody,
          headers: outcome.headers,
          ...context,
        });
      } else {
        error = outcome.error;
      }

      const delayMs = this.#retryDelay(error, method, attempt, rateLimitWaitedMs);
      this.#log(failedAttemptFields(context, error, { ms, attempt, retryInMs: delayMs }));
      if (error instanceof RateLimitError) {
        stats.rateLimited++;
        this.#options.observer?.onRateLimited(routeName);
        // The key's budget is spent for everyone using this client: hold all sends, not just this one.
        limiter.hold(Math.min(delayMs ?? error.retryAfterMs ?? 0, retry.maxRateLimitWaitMs));
        if (delayMs === null) throw error;
        rateLimitWaitedMs += delayMs;
        stats.retries++;
        continue; // acquire() waits out the hold
      }
      if (delayMs === null) throw error;
      if (outcomeUnknown(error)) earlierOutcomeUnknown = true;
      stats.retries++;
      await this.#options.sleep(delayMs);
    }
  }

  /** The wait before the next attempt, or null when this error is final. */
  #retryDelay(
    error: ClickHouseApiError,
    method: string,
    attempt: number,
    rateLimitWaitedMs: number,
  ): number | null {
    const { retry } = this.#options;
    if (attempt >= retry.maxAttempts) return null;
    if (error instanceof RateLimitError) {
      // Without a reset header, one backoff step longer than for a 5xx (with the defaults 0.5–1 s the first
      // time, close to the ~1 s ClickHouse's Terraform client waits).
      const wait =
        error.retryAfterMs === null ? this.#backoff(attempt + 1) : error.retryAfterMs + RATE_LIMIT_MARGIN_MS;
      return rateLimitWaitedMs + wait > retry.maxRateLimitWaitMs ? null : wait;
    }
    if (error instanceof ApiConnectionError && !error.requestMayHaveBeenSent) return this.#backoff(attempt);
    // A create the server may have processed must not be sent again: it could make a second key.
    if (outcomeUnknown(error) && method !== 'POST') return this.#backoff(attempt);
    return null;
  }

  /** Exponential backoff with jitter (util/http.ts). */
  #backoff(attempt: number): number {
    return backoffMs(this.#options.retry, attempt, this.#random);
  }

  async #attempt(
    url: string,
    method: string,
    route: string,
    body: string | undefined,
  ): Promise<AttemptOutcome> {
    const headers = this.#headers(body !== undefined);
    const outcome = await sendAttempt(this.#options, { url, method, headers, body });
    if (outcome.kind === 'response') return outcome;
    const call = { method, route };
    if (outcome.kind === 'timeout')
      return { kind: 'failed', error: new ApiTimeoutError(call, this.#options.timeoutMs) };
    // Only the cause's code or class goes into the message: the Authorization header holds the bot's secret.
    const message = CLICKHOUSE_WORDING.connectionFailed(callName(call), outcome.label);
    return { kind: 'failed', error: new ApiConnectionError(call, outcome.requestMayHaveBeenSent, message) };
  }

  #headers(hasBody: boolean): Record<string, string> {
    const { keyId, keySecret, userAgent } = this.#options;
    const credentials = Buffer.from(`${keyId}:${keySecret.reveal()}`).toString('base64');
    return {
      authorization: `Basic ${credentials}`,
      accept: 'application/json',
      'user-agent': userAgent,
      ...(hasBody ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    };
  }

  #log(fields: Record<string, unknown>): void {
    // Route templates, statuses and timings only: bodies and headers never reach a log line.
    this.#options.logger?.debug(fields, 'clickhouse api call');
  }
}

function countUrgent(stats: ClientStats, turn: Turn): void {
  stats.urgent.sent++;
  stats.urgent.mostAheadByOneOwner = Math.max(stats.urgent.mostAheadByOneOwner, turn.mostAheadByOneOwner);
}

/** 5xx, timeout or a broken connection after sending: the server may or may not have acted. */
function outcomeUnknown(error: ClickHouseApiError): boolean {
  if (error instanceof ApiConnectionError) return error.requestMayHaveBeenSent;
  return error instanceof InternalServerError;
}

function unwrap(
  status: number,
  text: string,
  body: unknown,
  requestId: string | null,
  context: { method: string; route: string },
): ApiResponse {
  const errorContext = { status, requestId, ...context };
  if (body === NOT_JSON) throw new InvalidResponseError(errorContext, 'the body is not JSON');
  // An empty 2xx (seen from proxies on DELETE) carries no result; operations that need one say so.
  if (body === undefined && text.trim() === '') {
    return { status, requestId: null, result: undefined, hasResult: false, ...context };
  }
  const envelope = EnvelopeSchema.safeParse(body);
  if (!envelope.success) {
    throw new InvalidResponseError(errorContext, 'the body is not a {status, requestId, result} object');
  }
  const hasResult = envelope.data.result !== undefined;
  return { status, requestId: envelope.data.requestId, result: envelope.data.result, hasResult, ...context };
}
