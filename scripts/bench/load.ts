/**
 * The load generator: signed Slack requests over a fixed pool of keep-alive connections, each one's
 * HTTP response time measured with `performance.now()` from just before sending (signing excluded)
 * to the end of the answer.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, request } from 'undici';
import { signSlackRequest } from '../../dev/fake-slack/signing.js';
import { encodeSlackBody, type SlackRequestBody } from '../../dev/fake-slack/slack-http.js';

export interface Shot {
  body: SlackRequestBody;
}

export interface Run {
  /** Response time of each answered request, ms, in send order. */
  ms: number[];
  /** Response time by send index (NaN for failures), to pair with `sentAt` and `inAck`. */
  msBySend: number[];
  /** Whether request i was answered with a body (a command answered in its ack), by send index. */
  inAck: boolean[];
  /** Wall time (epoch ms, sub-ms) each request was sent, in send order; NaN for failures. */
  sentAt: number[];
  statuses: Record<string, number>;
  /** Requests that got no HTTP answer at all (connection errors). */
  failed: number;
  /** Answers other than 200. */
  bad: number;
  elapsedMs: number;
  perSecond: number;
}

export interface DriveOptions {
  signingSecret: string;
  concurrency: number;
  /** Open-loop pacing: request i is not sent before `i * intervalMs` after the start. */
  intervalMs?: number;
}

function signed(raw: string, contentType: string, signingSecret: string): Record<string, string> {
  return {
    'content-type': contentType,
    ...signSlackRequest(raw, signingSecret, Math.floor(Date.now() / 1000)),
  };
}

/**
 * Sends every shot to `origin` from `concurrency` workers, each with its own keep-alive connection
 * and one request in flight at a time (a closed loop, unless `intervalMs` paces it).
 *
 * The connections are opened, with one untimed GET each, before the clock starts: requests on
 * connections opened while the server is already busy came back in a ramp up to ten times the
 * median (seen with a plain `http` server too), which measured the start of the run, not the app.
 */
export async function drive(origin: string, shots: Shot[], options: DriveOptions): Promise<Run> {
  const encoded = shots.map((shot) => encodeSlackBody(shot.body));
  const ms: number[] = new Array(shots.length).fill(Number.NaN);
  const sentAt: number[] = new Array(shots.length).fill(Number.NaN);
  const inAck: boolean[] = new Array(shots.length).fill(false);
  const statuses: Record<string, number> = {};
  let failed = 0;
  let bad = 0;
  let next = 0;
  let started = Number.NaN;

  const worker = async (client: Client) => {
    for (;;) {
      const i = next++;
      const shot = encoded[i];
      if (shot === undefined) return;
      if (options.intervalMs !== undefined) {
        const due = started + i * options.intervalMs - performance.now();
        if (due > 0) await sleep(due);
      }
      const headers = signed(shot.raw, shot.contentType, options.signingSecret);
      const t0 = performance.now();
      sentAt[i] = performance.timeOrigin + t0;
      try {
        const response = await client.request({
          path: '/slack/events',
          method: 'POST',
          headers,
          body: shot.raw,
        });
        const answer = await response.body.text();
        ms[i] = performance.now() - t0;
        inAck[i] = answer.length > 0;
        statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
        if (response.statusCode !== 200) bad += 1;
      } catch {
        failed += 1;
        sentAt[i] = Number.NaN;
      }
    }
  };
  const clients = Array.from(
    { length: Math.min(options.concurrency, shots.length) },
    () => new Client(origin, { pipelining: 1 }),
  );
  await Promise.all(
    clients.map(async (client) => (await client.request({ path: '/', method: 'GET' })).body.dump()),
  );
  started = performance.now();
  await Promise.all(clients.map(worker));
  const elapsedMs = performance.now() - started;
  await Promise.all(clients.map((client) => client.close()));
  return {
    ms: ms.filter((value) => !Number.isNaN(value)),
    msBySend: ms,
    inAck,
    sentAt,
    statuses,
    failed,
    bad,
    elapsedMs,
    perSecond: (shots.length - failed) / (elapsedMs / 1000),
  };
}

/** Runs of the same scenario taken in turns, as one: samples joined, time added up. */
export function mergeRuns(runs: Run[]): Run {
  const statuses: Record<string, number> = {};
  for (const run of runs) {
    for (const [status, count] of Object.entries(run.statuses))
      statuses[status] = (statuses[status] ?? 0) + count;
  }
  const sum = (pick: (run: Run) => number) => runs.reduce((total, run) => total + pick(run), 0);
  const elapsedMs = sum((run) => run.elapsedMs);
  const answered = sum((run) => run.sentAt.length - run.failed);
  return {
    ms: runs.flatMap((run) => run.ms),
    msBySend: runs.flatMap((run) => run.msBySend),
    inAck: runs.flatMap((run) => run.inAck),
    sentAt: runs.flatMap((run) => run.sentAt),
    statuses,
    failed: sum((run) => run.failed),
    bad: sum((run) => run.bad),
    elapsedMs,
    perSecond: answered / (elapsedMs / 1000),
  };
}

/**
 * Polls `origin` with one signed request every `everyMs` until it is answered 200; returns the
 * `performance.now()` of that answer. Connection refusals are expected while the app starts.
 */
export async function firstAck(
  origin: string,
  body: SlackRequestBody,
  options: { signingSecret: string; everyMs: number; timeoutMs: number; alive: () => boolean },
): Promise<number> {
  const { raw, contentType } = encodeSlackBody(body);
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    try {
      const response = await request(`${origin}/slack/events`, {
        method: 'POST',
        headers: { ...signed(raw, contentType, options.signingSecret), connection: 'close' },
        body: raw,
      });
      await response.body.text();
      if (response.statusCode === 200) return performance.now();
    } catch {
      // Not listening yet.
    }
    if (!options.alive()) throw new Error('the app exited before answering');
    if (performance.now() > deadline) throw new Error(`no 200 within ${options.timeoutMs} ms`);
    await sleep(options.everyMs);
  }
}
