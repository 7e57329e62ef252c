/**
 * What Keyhouse serves on its port (README, "Operations"): Slack's requests behind the edge check,
 * and the unauthenticated health, readiness and metrics endpoints, which say as little as they can.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Handler } from './server.js';
import { checkSlackRequest } from './slack-request.js';

export interface Readiness {
  ok: boolean;
  checks: Record<'database' | 'clickhouse' | 'slack', 'ok' | 'failing'>;
}

export type ReadinessCheck = keyof Readiness['checks'];

/**
 * Runs the checks together. The answer says only ok or failing: /readyz is unauthenticated, and
 * upstream error text can name hosts, organizations or keys. The details go to the log.
 */
export function readinessOf(
  checks: Record<ReadinessCheck, () => Promise<unknown>>,
  logger: Logger,
): () => Promise<Readiness> {
  const outcome = (name: ReadinessCheck): Promise<'ok' | 'failing'> =>
    checks[name]().then(
      () => 'ok' as const,
      (error: unknown) => {
        logger.warn({ err: error, check: name }, 'readiness check failing');
        return 'failing' as const;
      },
    );
  return async () => {
    const [database, clickhouse, slack] = await Promise.all([
      outcome('database'),
      outcome('clickhouse'),
      outcome('slack'),
    ]);
    return {
      ok: [database, clickhouse, slack].every((c) => c === 'ok'),
      checks: { database, clickhouse, slack },
    };
  };
}

/** Alive: answers while the process can answer at all. */
export function healthRoute(): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  };
}

/** Ready: every check passes and the instance is not shutting down (a load balancer moves on). */
export function readinessRoute(ready: () => Promise<Readiness>, stopping: () => boolean): Handler {
  return (_req, res) => {
    void ready().then((r) => {
      const ok = r.ok && !stopping();
      res
        .writeHead(ok ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ...r, ok, stopping: stopping() }));
    });
  };
}

/** Prometheus text, as `Metrics` (src/metrics.ts) collects it. */
export interface MetricsText {
  readonly contentType: string;
  text(): Promise<string>;
}

export function metricsRoute(metrics: MetricsText, logger: Logger): Handler {
  return (_req, res) => {
    void metrics.text().then(
      (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(text),
      (error: unknown) => {
        logger.warn({ err: error }, 'metrics could not be collected');
        res.writeHead(503, { 'content-type': 'text/plain' }).end('metrics unavailable');
      },
    );
  };
}

export interface SlackEventsOptions {
  signingSecret: string;
  logger: Logger;
  /** Refuses new work with 503 while true, so Slack's retry reaches another replica. */
  stopping: () => boolean;
  /** Bolt's receiver: gets the request once the edge check passed, its body as `rawBody`. */
  deliver: (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * An answer Keyhouse has at hand for a checked request, as the JSON of its acknowledgement, or
   * null to hand it to Bolt (handlers/commands/list-at-once.ts). Synchronous: it never waits.
   */
  answerAtOnce?: (parsed: Record<string, unknown>) => string | null;
}

/** `/slack/events`: the edge check (slack-request.ts) first, then Bolt. */
export function slackEventsRoute(options: SlackEventsOptions): Handler {
  const { signingSecret, logger, stopping, deliver, answerAtOnce } = options;
  return (req, res) => {
    if (stopping()) {
      res.writeHead(503, { connection: 'close' }).end();
      return;
    }
    // Slack signs with its own clock, the real one: a test's manual clock has no say here.
    void checkSlackRequest(req, Date.now() / 1000, signingSecret).then(
      (verdict) => {
        if (!verdict.ok) {
          logger.warn({ status: verdict.status, why: verdict.why }, 'refused a request to /slack/events');
          // The rest of a body too large is never read, so its connection cannot carry another request.
          res.writeHead(verdict.status, verdict.status === 413 ? { connection: 'close' } : {}).end();
          return;
        }
        const answer = answerAtOnce?.(verdict.parsed) ?? null;
        if (answer !== null) {
          res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
          return;
        }
        Object.assign(req, { rawBody: verdict.body });
        deliver(req, res);
      },
      () => res.writeHead(400).end(),
    );
  };
}
