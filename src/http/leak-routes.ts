/**
 * The two doors for leaks found outside Slack (product.md §13), as HTTP: `POST /leaks/github`
 * (GitHub's signed `secret_scanning_alert` webhook) and `POST /leaks/report` (a scanner's
 * fingerprints, behind a bearer token). What they share: a body of at most 1 MiB (the rest is never
 * read), a caller without the signature or token learns nothing but 401 (no body, no work, no
 * difference between wrong and missing), and an answer as soon as the work is queued, so they answer
 * within GitHub's and a CI job's patience whatever ClickHouse's budget is doing; the work follows.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Handler } from './server.js';
import { MAX_BODY_BYTES, readBody } from './slack-request.js';

/** What became of a request once it passed the door. */
export type Intake = { status: 202 | 200 } | { status: 400; problems: string[] } | { status: 503 };

export interface GitHubWebhookRouteOptions {
  /** Whether `X-Hub-Signature-256` is GitHub's signature of the raw body (constant-time). */
  verify(rawBody: Buffer, signature: string | undefined): boolean;
  /** A verified delivery: its id, its event name and its parsed body. */
  accept(delivery: { id: string; event: string; body: unknown }): Intake;
  logger: Logger;
  stopping: () => boolean;
}

/** GitHub's delivery GUID, or anything id-like a proxy may put there; never a whole body. */
const DELIVERY_ID = /^[A-Za-z0-9-]{1,100}$/;

export function githubWebhookRoute(options: GitHubWebhookRouteOptions): Handler {
  const { verify, accept, logger, stopping } = options;
  return (req, res) => {
    if (stopping()) return void res.writeHead(503, { connection: 'close' }).end();
    const signature = header(req, 'x-hub-signature-256');
    // Unsigned: refused before a byte of the body is read, whatever its size.
    if (signature === undefined) {
      logger.warn({ signed: false }, 'refused a delivery to /leaks/github: bad signature');
      return void res.writeHead(401, { connection: 'close' }).end();
    }
    if (tooLarge(req)) return refuseTooLarge(res);
    void readBody(req).then(
      (body) => {
        if (body === null) return refuseTooLarge(res);
        if (!verify(body, signature)) {
          logger.warn(
            { signed: signature !== undefined },
            'refused a delivery to /leaks/github: bad signature',
          );
          return void res.writeHead(401).end();
        }
        const id = header(req, 'x-github-delivery');
        const event = header(req, 'x-github-event');
        if (id === undefined || !DELIVERY_ID.test(id) || event === undefined)
          return answer(res, {
            status: 400,
            problems: ['X-GitHub-Delivery and X-GitHub-Event are required'],
          });
        const parsed = parseJson(body);
        if (parsed === undefined) return answer(res, { status: 400, problems: ['the body is not JSON'] });
        answer(res, accept({ id, event, body: parsed }));
      },
      () => res.writeHead(400).end(),
    );
  };
}

export interface LeakReportRouteOptions {
  /** `LEAK_REPORT_TOKEN`. */
  token: string;
  accept(body: unknown): Intake & { fingerprints?: number };
  logger: Logger;
  stopping: () => boolean;
}

export function leakReportRoute(options: LeakReportRouteOptions): Handler {
  const { accept, logger, stopping } = options;
  const expected = digest(`Bearer ${options.token}`);
  return (req, res) => {
    if (stopping()) return void res.writeHead(503, { connection: 'close' }).end();
    // The token before the body: a caller without it costs one hash, and its body is never read.
    const given = digest(header(req, 'authorization') ?? '');
    if (!timingSafeEqual(given, expected)) {
      logger.warn('refused a request to /leaks/report: bad or missing token');
      return void res.writeHead(401, { connection: 'close' }).end();
    }
    if (tooLarge(req)) return refuseTooLarge(res);
    void readBody(req).then(
      (body) => {
        if (body === null) return refuseTooLarge(res);
        const parsed = parseJson(body);
        if (parsed === undefined) return answer(res, { status: 400, problems: ['the body is not JSON'] });
        answer(res, accept(parsed));
      },
      () => res.writeHead(400).end(),
    );
  };
}

/** Hashes of equal length, so the comparison takes the same time whatever the caller sent. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function tooLarge(req: IncomingMessage): boolean {
  return Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES;
}

/** The rest of a body too large is never read, so its connection cannot carry another request. */
function refuseTooLarge(res: ServerResponse): void {
  res.writeHead(413, { connection: 'close' }).end();
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function answer(res: ServerResponse, intake: Intake & { fingerprints?: number }): void {
  const { status, ...rest } = intake;
  res
    .writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify({ ok: status < 300, ...rest }));
}
