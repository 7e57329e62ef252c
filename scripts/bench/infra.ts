/**
 * Benchmark child: the fake Slack Web API and the ClickHouse Cloud emulator (rate limit on, latency
 * from `--latency`), answering the benchmark's questions over IPC. It runs apart from the load
 * generator and from the apps so that neither's CPU time is charged to the other.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { type RecordedRequest, startEmulator } from '../../dev/emulator/server.js';
import { startFakeSlack } from '../../dev/fake-slack/index.js';
import { ACTION } from '../../src/views/ids.js';
import type {
  Claim,
  ClickHouseTraffic,
  InfraAnswers,
  InfraCommand,
  InfraReady,
  InfraReply,
  InfraRequest,
  ResponsePosts,
} from './protocol.js';

/** The policy's approval channel; the benchmark writes the same id into the policy file. */
const APPROVAL_CHANNEL = process.env.BENCH_APPROVAL_CHANNEL ?? 'C0APPROVALS';
/** Marks the show-once message: its `curl --user 'id:secret'` example. The secret never leaves this process. */
const SECRET_MARK = 'curl --user';

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number ≥ 0`);
  return value;
}

/** Button values with `actionId` in a message's blocks. */
function buttonValues(message: { blocks?: unknown[] }, actionId: string): string[] {
  const values: string[] = [];
  for (const block of message.blocks ?? []) {
    const elements = (block as { elements?: unknown[] }).elements ?? [];
    for (const element of elements) {
      const e = element as { action_id?: unknown; value?: unknown };
      if (e.action_id === actionId && typeof e.value === 'string') values.push(e.value);
    }
  }
  return values;
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('infra.ts must be started with an IPC channel (child_process.fork)');
  const send = process.send.bind(process);

  // The emulator logs one debug line per request once it has answered: that instant, minus the
  // request's arrival, is the server time of a create, which the benchmark subtracts from Keyhouse's.
  const createDoneAt: number[] = [];
  const emulatorLog = pino(
    { level: 'debug', base: null },
    new Writable({
      write(chunk, _encoding, done) {
        const line = JSON.parse(String(chunk)) as { route?: string; time?: number };
        if (line.route === 'createKey') createDoneAt.push(line.time ?? Date.now());
        done();
      },
    }),
  );

  const slack = await startFakeSlack();
  const clickhouse = await startEmulator({
    rateLimit: true,
    latencyMs: flag('latency', 300),
    logger: emulatorLog,
  });

  const createEnd = new Map<RecordedRequest, number>();
  function clickhouseTraffic(from: number): ClickHouseTraffic {
    const all = clickhouse.requests;
    let k = 0;
    for (const request of all) {
      if (request.route !== 'createKey') continue;
      const end = createDoneAt[k++];
      if (end !== undefined) createEnd.set(request, end);
    }
    const counted = all.slice(from);
    const byRoute: Record<string, number> = {};
    const createMs: number[] = [];
    for (const request of counted) {
      const route = request.route ?? 'unknown';
      byRoute[route] = (byRoute[route] ?? 0) + 1;
      const end = createEnd.get(request);
      if (route === 'createKey' && end !== undefined) createMs.push(end - request.at);
    }
    return {
      next: all.length,
      total: counted.length,
      byRoute,
      tooMany: counted.filter((request) => request.status === 429).length,
      firstAt: counted[0]?.at ?? null,
      lastAt: counted.at(-1)?.at ?? null,
      createMs,
    };
  }

  function responses(urls: string[]): ResponsePosts[] {
    const byId = new Map<string, ResponsePosts>();
    const idOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);
    for (const url of urls) byId.set(idOf(url), { url, posts: 0, firstOkAt: null, secretAt: null });
    for (const post of slack.responseUrlPosts) {
      const entry = byId.get(post.id);
      if (!entry) continue;
      entry.posts += 1;
      if (post.status !== 200) continue;
      entry.firstOkAt ??= post.at;
      if (entry.secretAt === null && JSON.stringify(post.body).includes(SECRET_MARK))
        entry.secretAt = post.at;
    }
    return [...byId.values()];
  }

  function claims(users: string[]): Claim[] {
    return users.flatMap((user) =>
      slack
        .messages(user)
        .flatMap(({ history: _history, ...message }) =>
          buttonValues(message, ACTION.createKey).map((requestId) => ({ requestId, user, message })),
        ),
    );
  }

  function answer(command: InfraCommand): InfraAnswers[InfraCommand['op']] {
    switch (command.op) {
      case 'issue':
        return {
          responseUrls: command.binds.map((bind) => slack.newResponseUrl(bind)),
          triggerIds: command.binds.map((bind) => slack.newTriggerId(bind.user)),
        };
      case 'approvals':
        return {
          requestIds: slack
            .messages(APPROVAL_CHANNEL)
            .filter((message) => !message.thread_ts)
            .flatMap((message) => buttonValues(message, ACTION.approve)),
        };
      case 'claims':
        return { claims: claims(command.users) };
      case 'responses':
        return { posts: responses(command.urls) };
      case 'clickhouse':
        return clickhouseTraffic(command.from);
      case 'slackTraffic':
        return { events: slack.calls.length + slack.responseUrlPosts.length };
    }
  }

  process.on('message', (raw) => {
    const request = raw as InfraRequest;
    let reply: InfraReply;
    try {
      reply = { kind: 'reply', id: request.id, ok: true, value: answer(request) };
    } catch (error) {
      reply = { kind: 'reply', id: request.id, ok: false, error: String(error) };
    }
    send(reply);
  });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.allSettled([slack.close(), clickhouse.close()]);
    process.exit(0);
  };
  // The benchmark going away, however it went, ends this process too.
  process.on('disconnect', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());

  const ready: InfraReady = {
    kind: 'ready',
    slackUrl: slack.url,
    slackApiUrl: slack.apiUrl,
    clickhouseUrl: clickhouse.url,
    adminKey: { keyId: clickhouse.adminKey.keyId, keySecret: clickhouse.adminKey.keySecret },
  };
  send(ready);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench infra failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
