/**
 * Keyhouse's Prometheus metrics (`GET /metrics`, product.md §10). One `Metrics` per app, each with
 * its own registry (never prom-client's global one: tests run many apps in one process).
 *
 * Labels are bounded, operator-facing values only: request states, ClickHouse operation names and
 * HTTP statuses, Slack method names and error codes, sweep outcomes. Never a user id, a key name,
 * a key id or a secret.
 */
import type { FetchFunction } from '@slack/web-api';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ApiObserver } from './api/index.js';
import type { Clock } from './core/clock.js';
import { REQUEST_STATES, type RequestState } from './core/model.js';
import type { Notifier } from './core/ports.js';

export interface MetricsOptions {
  /** Node's process metrics (CPU, memory, event loop lag, GC). Default on. */
  defaultMetrics?: boolean;
}

const SLACK_METHOD = /^[a-zA-Z][a-zA-Z0-9_.]{0,80}$/;
const SLACK_ERROR = /^[a-z][a-z0-9_]{0,60}$/;

export class Metrics {
  readonly registry = new Registry();
  readonly #toApproval: Histogram;
  readonly #toSecret: Histogram;
  readonly #apiCalls: Counter<'route' | 'status'>;
  readonly #apiSeconds: Histogram<'route'>;
  readonly #budgetWait: Histogram;
  readonly #rateLimited: Counter<'route'>;
  readonly #slackErrors: Counter<'method' | 'error'>;
  readonly #sweeps: Counter<'outcome'>;
  readonly #sweepSeconds: Histogram;
  readonly #leaks: Counter<'issued_by_keyhouse' | 'outcome' | 'source'>;
  readonly #watchDisabled: Counter<'reason'>;
  #countRequests: (() => Promise<Record<RequestState, number>>) | null = null;

  /** Passed to the ClickHouse client (`observer`). */
  readonly clickhouse: ApiObserver;

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const self = this;
    // Read at scrape time, so it is right whichever replica changed the requests.
    new Gauge({
      name: 'keyhouse_requests',
      help: 'Key requests in each state (read from the store at each scrape).',
      labelNames: ['state'],
      registers,
      async collect() {
        if (!self.#countRequests) return;
        const counts = await self.#countRequests();
        for (const state of REQUEST_STATES) this.set({ state }, counts[state]);
      },
    });
    this.#toApproval = new Histogram({
      name: 'keyhouse_request_approval_seconds',
      help: 'Time from a request being submitted to it being approved.',
      buckets: [1, 60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 86_400, 3 * 86_400],
      registers,
    });
    this.#toSecret = new Histogram({
      name: 'keyhouse_key_delivery_seconds',
      help: 'Time from a Create key click to Slack accepting the message with the secret.',
      buckets: [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30],
      registers,
    });
    this.#apiCalls = new Counter({
      name: 'keyhouse_clickhouse_requests_total',
      help: 'ClickHouse Cloud API requests sent (retries included), by operation and HTTP status ("none": no answer).',
      labelNames: ['route', 'status'],
      registers,
    });
    this.#apiSeconds = new Histogram({
      name: 'keyhouse_clickhouse_request_seconds',
      help: 'ClickHouse Cloud API request duration, per attempt.',
      labelNames: ['route'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    });
    this.#budgetWait = new Histogram({
      name: 'keyhouse_clickhouse_budget_wait_seconds',
      help: "Time a ClickHouse request waited for the key's rate budget (10 requests per 10 s) before it was sent.",
      buckets: [0.001, 0.01, 0.1, 0.5, 1, 2, 5, 10, 30],
      registers,
    });
    this.#rateLimited = new Counter({
      name: 'keyhouse_clickhouse_rate_limited_total',
      help: 'ClickHouse Cloud API answers 429 (Too Many Requests), by operation.',
      labelNames: ['route'],
      registers,
    });
    this.#slackErrors = new Counter({
      name: 'keyhouse_slack_api_errors_total',
      help: 'Slack Web API calls that failed, by method and error ("request_failed": no answer, "http_<status>").',
      labelNames: ['method', 'error'],
      registers,
    });
    this.#sweeps = new Counter({
      name: 'keyhouse_sweeps_total',
      help: 'Sweeps (settling interrupted creations, expiring requests), by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    this.#leaks = new Counter({
      name: 'keyhouse_leaks_caught_total',
      help: 'ClickHouse secrets found leaked, by whether Keyhouse issued them, what was done, and where they were found (slack, github, report).',
      labelNames: ['issued_by_keyhouse', 'outcome', 'source'],
      registers,
    });
    this.#watchDisabled = new Counter({
      name: 'keyhouse_watch_keys_disabled_total',
      help: 'Keys the security watch disabled or deleted: a leaked secret, or a key made outside Keyhouse.',
      labelNames: ['reason'],
      registers,
    });
    this.#sweepSeconds = new Histogram({
      name: 'keyhouse_sweep_seconds',
      help: 'Duration of sweeps that ran.',
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers,
    });
    this.clickhouse = {
      onResponse: (route, status, ms) => {
        this.#apiCalls.inc({ route, status: status === null ? 'none' : String(status) });
        this.#apiSeconds.observe({ route }, ms / 1000);
      },
      onRateLimited: (route) => this.#rateLimited.inc({ route }),
      onBudgetWait: (ms) => this.#budgetWait.observe(ms / 1000),
    };
  }

  /** Where the requests-by-state gauge reads its counts at scrape time (the app's store). */
  countRequestsWith(count: () => Promise<Record<RequestState, number>>): void {
    this.#countRequests = count;
  }

  requestApproved(seconds: number): void {
    this.#toApproval.observe(Math.max(0, seconds));
  }

  secretDelivered(seconds: number): void {
    this.#toSecret.observe(Math.max(0, seconds));
  }

  sweepRan(seconds: number, outcome: 'ok' | 'failed'): void {
    this.#sweeps.inc({ outcome });
    this.#sweepSeconds.observe(seconds);
  }

  /** Leaked secrets the watch acted on (`outcome` is what was done to a Keyhouse key), by where they were found. */
  leakCaught(issuedByKeyhouse: boolean, outcome: string, count = 1, source = 'slack'): void {
    this.#leaks.inc(
      {
        issued_by_keyhouse: String(issuedByKeyhouse),
        outcome: issuedByKeyhouse ? outcome : 'reported',
        source,
      },
      count,
    );
    if (outcome === 'disabled' || outcome === 'deleted') this.#watchDisabled.inc({ reason: 'leak' }, count);
  }

  /** A key made outside Keyhouse that drift disabled (`unmanagedKeys: disable`). */
  unmanagedKeyDisabled(): void {
    this.#watchDisabled.inc({ reason: 'unmanaged' });
  }

  /** Another replica held the sweep lease. */
  sweepSkipped(): void {
    this.#sweeps.inc({ outcome: 'skipped' });
  }

  slackError(method: string, error: string): void {
    this.#slackErrors.inc({
      method: SLACK_METHOD.test(method) ? method : 'other',
      error: SLACK_ERROR.test(error) ? error : 'other',
    });
  }

  /**
   * Wraps the Web API client's `fetch` (`clientOptions.fetch`), the one place every Slack Web API
   * call goes through, and counts failed calls: no answer, an HTTP error, or `{"ok": false}`.
   */
  slackFetch(inner: FetchFunction = globalThis.fetch): FetchFunction {
    return async (url, init) => {
      const method = slackMethodOf(url);
      let response: Awaited<ReturnType<FetchFunction>>;
      try {
        response = await inner(url, init);
      } catch (error) {
        this.slackError(method, 'request_failed');
        throw error;
      }
      if (!response.ok) {
        this.slackError(method, `http_${response.status}`);
        return response;
      }
      // Read a copy, so the client still reads the original; only `ok` and `error` are looked at.
      if (response instanceof Response) {
        void response
          .clone()
          .json()
          .then(
            (body: unknown) => {
              const answer = body as { ok?: unknown; error?: unknown } | null;
              if (answer?.ok === false) this.slackError(method, String(answer.error ?? 'unknown'));
            },
            () => undefined,
          );
      }
      return response;
    };
  }

  /** The Prometheus text exposition. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

function slackMethodOf(url: string | URL): string {
  const path = (typeof url === 'string' ? url : url.href).split('?')[0] ?? '';
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * The workflow's Notifier with the two timing metrics read off it: a Create key DM is sent when a
 * request is approved (its `decidedAt`), and `revealSecret` resolves when Slack took the secret
 * (counted from the click's claim, the request's `updatedAt` as it entered `creating`).
 */
export function observeNotifier(notifier: Notifier, metrics: Metrics, clock: Clock): Notifier {
  return {
    postApproval: (card) => notifier.postApproval(card),
    updateApproval: (ref, card) => notifier.updateApproval(ref, card),
    replyInThread: (ref, note) => notifier.replyInThread(ref, note),
    updateClaim: (ref, card) => notifier.updateClaim(ref, card),
    tellRequester: (userId, notice) => notifier.tellRequester(userId, notice),
    async sendClaim(card) {
      const ref = await notifier.sendClaim(card);
      const { createdAt, decidedAt } = card.request;
      if (card.status === 'open' && decidedAt) {
        metrics.requestApproved((decidedAt.getTime() - createdAt.getTime()) / 1000);
      }
      return ref;
    },
    async revealSecret(target, reveal) {
      await notifier.revealSecret(target, reveal);
      metrics.secretDelivered((clock.now().getTime() - reveal.request.updatedAt.getTime()) / 1000);
    },
  };
}
