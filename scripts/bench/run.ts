/**
 * The benchmark's scenarios, in order: start-up of each app, warm-up, `/chkey help` on both apps,
 * requests submitted and approved through the real flow, paced Create key clicks, a burst of lists
 * on a cold key-list cache, lists on both apps at full speed, then lists at a fixed rate.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { SLACK_TEST_DEFAULTS } from '../../test/support/slack-payloads.js';
import {
  APPROVAL_CHANNEL,
  ASKER,
  COMMAND,
  Payloads,
  policyDocument,
  REQUESTERS,
  SIGNING_SECRET,
} from './fixtures.js';
import { type DriveOptions, drive, firstAck, mergeRuns, type Run, type Shot } from './load.js';
import { load, machine } from './machine.js';
import type { Options } from './options.js';
import {
  type AppProcess,
  freePort,
  heapSnapshot,
  Infra,
  type Memory,
  memoryOf,
  prepareRuntime,
  probeMemory,
  productionNodeFlags,
  ROOT,
  type Runtime,
  spawnApp,
  tail,
} from './processes.js';
import type { Claim, ClickHouseTraffic, ResponsePosts } from './protocol.js';
import { type Summary, summarize } from './stats.js';

/** Creates are paced under ClickHouse's budget (10 per 10 s) so the client's throttle never queues them. */
const CREATE_INTERVAL_MS = 1_100;
const RATE_WINDOW_MS = 10_000;
export const BURST = 30;
/** Help and list run in this many turns per app, alternating, so passing disturbances hit both. */
const ROUNDS = 4;

export interface Timed extends Summary {
  perSecond: number;
}

/** Start-up, and memory after all the load. */
export interface AppFigures extends Memory {
  /** The app's own view after the load, MiB: V8's heap (committed and used) and memory outside it. */
  v8: {
    heapTotalMb: number;
    heapUsedMb: number;
    externalMb: number;
    arrayBuffersMb: number;
    /** Committed MiB per V8 heap space. */
    spacesMb: Record<string, number>;
  };
  firstAckMs: number;
  /** Right after the first ack, before any load. */
  rssAtFirstAckMb: number;
  /** Heap snapshot taken after the load (`--heap-snapshot`). */
  heapSnapshot?: string;
}

/** A stretch of the run, on the monotonic clock V8's CPU profiles use (µs), to slice a profile by. */
export interface Phase {
  name: string;
  startUs: number;
  endUs: number;
}

export interface Figures {
  meta: ReturnType<typeof machine> & Record<string, unknown>;
  apps: { keyhouse: AppFigures; bare: AppFigures };
  help: { keyhouse: Timed; bare: Timed };
  list: {
    keyhouse: Timed;
    bare: Timed;
    /** From sending the command to the list message arriving on its response URL. */
    toMessage: Summary;
    /** ClickHouse calls during both list phases (full speed and fixed rate), and per 100 of those lists. */
    clickhouse: Record<string, number>;
    clickhousePer100: number;
    /** Ack times when lists arrive at a fixed rate below either app's capacity (open loop). */
    openLoop: { rate: number; keyhouse: Summary; bare: Summary; toMessage: Summary };
  };
  burst: {
    size: number;
    ack: Summary;
    toMessage: Summary;
    listKeysCalls: number;
    clickhouseCalls: number;
    clickhouse: Record<string, number>;
    /** From the first list sent to Keyhouse's first ClickHouse call (its client may hold it back). */
    firstCallAfterMs: number | null;
  };
  submit: Timed;
  approve: Timed;
  create: {
    everyMs: number;
    ack: Summary;
    /** From sending the click to the secret arriving on its response URL. */
    toSecret: Summary;
    /** The emulator's own time for each create (its latency, mostly). */
    server: Summary;
    /** `toSecret` minus `server`, click by click. */
    overhead: Summary;
    clickhouse: Record<string, number>;
  };
  clickhouse: {
    calls: number;
    userActions: number;
    per100: number;
    tooMany: number;
    byRoute: Record<string, number>;
  };
  phases: Phase[];
  warnings: string[];
}

function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

function timed(run: Run): Timed {
  return { ...summarize(run.ms), perSecond: run.perSecond };
}

const per100 = (calls: number, count: number) => (count === 0 ? Number.NaN : (calls / count) * 100);

/** What every scenario shares: the infrastructure, the payloads, and the bookkeeping. */
export class Session {
  readonly warnings: string[] = [];
  readonly phases: Phase[] = [];
  /** Every measured response time by phase, in send order, written to `samples.json` with `--keep`. */
  readonly samples: { name: string; ms: number[] }[] = [];
  /** User actions Keyhouse answered, for ClickHouse calls per 100 of them. */
  actions = 0;

  constructor(
    readonly options: Options,
    readonly infra: Infra,
    readonly payloads: Payloads,
    readonly progress: (message: string) => void,
  ) {}

  /** Drives `shots` at `origin` as one named phase; a request not answered 200 becomes a warning. */
  async drive(
    name: string,
    origin: string,
    shots: Shot[],
    overrides: Partial<DriveOptions> = {},
  ): Promise<Run> {
    const startUs = monotonicUs();
    const run = await drive(origin, shots, {
      signingSecret: SIGNING_SECRET,
      concurrency: this.options.concurrency,
      ...overrides,
    });
    this.phases.push({ name, startUs, endUs: monotonicUs() });
    this.samples.push({ name, ms: run.ms.map((value) => Number(value.toFixed(3))) });
    if (run.failed > 0 || run.bad > 0) {
      this.warnings.push(
        `${name}: ${run.failed} unanswered, ${run.bad} not 200 (${JSON.stringify(run.statuses)})`,
      );
    }
    return run;
  }

  clickhouse(from: number): Promise<ClickHouseTraffic> {
    return this.infra.ask({ op: 'clickhouse', from });
  }

  /**
   * Waits until ClickHouse has had no call for a whole rate window (10 s), so that Keyhouse's
   * client-side throttle holds nothing back; returns the traffic so far.
   */
  async emptyRateWindow(): Promise<ClickHouseTraffic> {
    const traffic = await this.clickhouse(0);
    const idleFor = traffic.lastAt === null ? Number.POSITIVE_INFINITY : Date.now() - traffic.lastAt;
    if (idleFor < RATE_WINDOW_MS + 500) {
      const wait = RATE_WINDOW_MS + 500 - idleFor;
      this.progress(`waiting ${(wait / 1000).toFixed(1)} s for ClickHouse's rate window to empty`);
      await sleep(wait);
    }
    return traffic;
  }

  /**
   * Time from sending each list command to its list: the ack itself when the list came in it,
   * else the post on its response URL (waited for).
   */
  async toMessage(urls: string[], run: Run): Promise<number[]> {
    const pending = urls.flatMap((url, i) => (run.inAck[i] ? [] : [{ url, i }]));
    const posts =
      pending.length > 0
        ? await this.answered(
            pending.map((p) => p.url),
            'firstOkAt',
          )
        : [];
    const viaUrl = new Map(pending.map((p, k) => [p.i, posts[k]?.firstOkAt ?? null]));
    return urls.flatMap((_, i) => {
      const sent = run.sentAt[i];
      if (sent === undefined || Number.isNaN(sent)) return [];
      if (run.inAck[i]) return Number.isNaN(run.msBySend[i] ?? Number.NaN) ? [] : [run.msBySend[i]!];
      const at = viaUrl.get(i);
      return at === null || at === undefined ? [] : [at - sent];
    });
  }

  /** Waits until every response URL got an accepted post (`firstOkAt`) or the secret (`secretAt`). */
  answered(urls: string[], what: 'firstOkAt' | 'secretAt', timeoutMs = 60_000): Promise<ResponsePosts[]> {
    return until(`${urls.length} posts on response URLs (${what})`, timeoutMs, async () => {
      const { posts } = await this.infra.ask({ op: 'responses', urls });
      return posts.every((post) => post[what] !== null) ? posts : null;
    });
  }

  /** Waits until the app has made no Slack call for 250 ms (its follow-ups are done). */
  async slackQuiet(): Promise<void> {
    let seen = -1;
    await until('Slack traffic to stop', 60_000, async () => {
      const { events } = await this.infra.ask({ op: 'slackTraffic' });
      if (events === seen) return true;
      seen = events;
      await sleep(250);
      return null;
    });
  }
}

/** Polls `probe` every 50 ms until it returns non-null. */
async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

export interface Started {
  app: AppProcess;
  origin: string;
  firstAckMs: number;
  rssAtFirstAckMb: number;
}

/** Spawns an app and polls it with a signed `/chkey help` until it answers 200. */
export async function startApp(
  s: Session,
  spec: {
    name: string;
    runtime: Runtime;
    entry: string;
    dir: string;
    log: string;
    env: Record<string, string>;
    /** Node flags for this app only. */
    nodeArgs?: string[];
  },
): Promise<Started> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const helpProbe = await s.payloads.commands('help', [ASKER], 1);
  const nodeArgs = [
    ...(s.options.cpuProf
      ? ['--cpu-prof', '--cpu-prof-dir', join(spec.dir, 'profiles'), `--cpu-prof-name=${spec.log}.cpuprofile`]
      : []),
    ...(s.options.heapSnapshot ? ['--heapsnapshot-signal=SIGUSR2'] : []),
    ...s.options.appNodeArgs,
    ...(spec.nodeArgs ?? []),
  ];
  const app = spawnApp({
    name: spec.name,
    runtime: spec.runtime,
    entry: spec.entry,
    cwd: spec.dir, // a directory without a stray .env
    logPath: join(spec.dir, `${spec.log}.log`),
    extraNodeArgs: nodeArgs,
    env: { ...spec.env, PORT: String(port) },
  });
  const startUs = monotonicUs();
  try {
    const at = await firstAck(origin, helpProbe.shots[0]!.body, {
      signingSecret: SIGNING_SECRET,
      everyMs: 5,
      timeoutMs: 30_000,
      alive: () => app.child.exitCode === null && app.child.signalCode === null,
    });
    s.phases.push({ name: `start ${spec.log}`, startUs, endUs: monotonicUs() });
    return { app, origin, firstAckMs: at - app.spawnedAt, rssAtFirstAckMb: memoryOf(app.pid).rssMb };
  } catch (error) {
    throw new Error(`${spec.name} did not answer: ${(error as Error).message}\n${tail(app.logPath)}`);
  }
}

/** Bare Bolt, then Keyhouse through `src/main.ts` (its real entry point), each with its environment. */
export async function startApps(
  s: Session,
  runtime: Runtime,
  dir: string,
  policyPath: string,
  /** The SQLite file's name in `dir` (a fresh one makes Keyhouse migrate it at start, as a first start does). */
  database = 'keyhouse.db',
): Promise<{ bare: Started; keyhouse: Started }> {
  // One app starts at a time, so neither start-up competes with the other for the two cores.
  s.progress('starting the bare Bolt app');
  const bare = await startApp(s, {
    name: 'bare Bolt',
    runtime,
    entry: runtime.bareEntry,
    dir,
    log: 'bare-bolt',
    env: {
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: SLACK_TEST_DEFAULTS.botToken,
      SLACK_BOT_ID: SLACK_TEST_DEFAULTS.botId,
      SLACK_BOT_USER_ID: SLACK_TEST_DEFAULTS.botUserId,
      SLACK_API_URL: s.infra.ready.slackApiUrl,
      SLACK_COMMAND: COMMAND,
    },
  });
  s.progress('starting Keyhouse (src/main.ts, its real entry point)');
  const keyhouse = await startApp(s, {
    name: 'Keyhouse',
    runtime,
    entry: runtime.keyhouseEntry,
    dir,
    log: 'keyhouse',
    // As `npm start` and the image run it; bare Bolt runs with Node's defaults.
    nodeArgs: [...productionNodeFlags(), ...s.options.keyhouseNodeArgs],
    env: {
      SLACK_BOT_TOKEN: SLACK_TEST_DEFAULTS.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: s.infra.ready.slackApiUrl,
      SLACK_COMMAND: COMMAND,
      CLICKHOUSE_API_URL: s.infra.ready.clickhouseUrl,
      CLICKHOUSE_KEY_ID: s.infra.ready.adminKey.keyId,
      CLICKHOUSE_KEY_SECRET: s.infra.ready.adminKey.keySecret,
      DATABASE_URL: `sqlite:${join(dir, database)}`,
      KEYHOUSE_POLICY: policyPath,
      LOG_LEVEL: 'info',
    },
  });
  return { bare, keyhouse };
}

/** Memory after the load: `/proc` for what the OS sees, the app's probe for how V8 accounts for it. */
async function memoryFigures(started: Started): Promise<AppFigures> {
  const fromProc = memoryOf(started.app.pid);
  const { memory: usage, spaces } = await probeMemory(started.app);
  const mb = (bytes: number) => bytes / 2 ** 20;
  return {
    firstAckMs: started.firstAckMs,
    rssAtFirstAckMb: started.rssAtFirstAckMb,
    ...fromProc,
    v8: {
      heapTotalMb: mb(usage.heapTotal),
      heapUsedMb: mb(usage.heapUsed),
      externalMb: mb(usage.external),
      arrayBuffersMb: mb(usage.arrayBuffers),
      spacesMb: Object.fromEntries(Object.entries(spaces).map(([name, space]) => [name, mb(space.size)])),
    },
  };
}

/**
 * What every run stands on: the fake Slack and the emulator, the session over them, both apps'
 * runtime (built with tsc, or tsx) and the policy file.
 */
export async function prepareSession(options: Options, dir: string, progress: (message: string) => void) {
  progress('starting the fake Slack and the ClickHouse emulator');
  const infra = await Infra.start(options.latency, APPROVAL_CHANNEL, join(dir, 'infra.log'));
  const s = new Session(options, infra, new Payloads(infra), progress);
  progress(
    options.runtime === 'built' ? 'compiling src/ and the baseline with tsc' : 'running both apps with tsx',
  );
  const runtime = prepareRuntime(options.runtime, dir);
  if (runtime.buildWarning)
    s.warnings.push(`tsc reported errors (it emitted anyway):\n${runtime.buildWarning}`);
  const policyPath = join(dir, 'policy.json');
  writeFileSync(policyPath, JSON.stringify(policyDocument(), null, 2));
  return { s, runtime, policyPath };
}

/** Runs every scenario and returns the figures; the caller stops the processes. */
export async function runBenchmark(
  options: Options,
  dir: string,
  progress: (message: string) => void,
): Promise<Figures> {
  const meta = {
    ...machine(ROOT),
    runtime: options.runtime,
    latencyMs: options.latency,
    concurrency: options.concurrency,
    requests: options.requests,
    approvals: options.approvals,
    creates: options.creates,
    warmup: options.warmup,
    cpuProf: options.cpuProf,
    appNodeArgs: options.appNodeArgs.join(' ') || 'none',
    keyhouseNodeArgs: [...productionNodeFlags(), ...options.keyhouseNodeArgs].join(' ') || 'none',
  };

  const { s, runtime, policyPath } = await prepareSession(options, dir, progress);
  const { bare, keyhouse } = await startApps(s, runtime, dir, policyPath);
  s.actions += 1; // its first-ack probe

  progress(`warm-up: ${options.warmup} help commands per app, and 10 lists on Keyhouse`);
  for (const app of [bare, keyhouse]) {
    const { shots } = await s.payloads.commands('help', [ASKER], options.warmup);
    await s.drive(`warm-up ${app.app.name}`, app.origin, shots);
  }
  s.actions += options.warmup;
  const warmLists = await s.payloads.commands('list', REQUESTERS, 10);
  const warmRun = await s.drive('warm-up lists', keyhouse.origin, warmLists.shots);
  s.actions += 10;
  await s.toMessage(warmLists.urls, warmRun);
  await s.slackQuiet();

  progress(`help: ${options.requests} per app at ${options.concurrency} connections, in ${ROUNDS} turns`);
  const apps = { bare, keyhouse };
  const help = await interleaved(s, 'help', apps, 'help', [ASKER], options.requests);

  const { submitted, approved, claims } = await approveMany(s, keyhouse.origin);
  const create = await createKeys(s, keyhouse.origin, claims);
  const burst = await listBurst(s, keyhouse.origin);

  progress(`list: ${options.requests} per app at ${options.concurrency} connections, in ${ROUNDS} turns`);
  const listMark = (await s.clickhouse(0)).next;
  const list = await interleaved(s, 'list', apps, 'list', REQUESTERS, options.requests);

  progress(`list: ${options.requests} per app arriving at ${options.rate}/s (open loop), in ${ROUNDS} turns`);
  const paced = await interleaved(s, 'list paced', apps, 'list', REQUESTERS, options.requests, {
    intervalMs: 1000 / options.rate,
  });
  // Both list phases together last long enough for the key-list cache (5 s) to expire in between.
  const listTraffic = await s.clickhouse(listMark);

  const total = await s.clickhouse(0);
  if (total.tooMany > 0) s.warnings.push(`ClickHouse answered 429 ${total.tooMany} times`);
  const figuresOf = { keyhouse: await memoryFigures(keyhouse), bare: await memoryFigures(bare) };
  if (options.heapSnapshot) {
    progress('writing heap snapshots');
    figuresOf.bare.heapSnapshot = await heapSnapshot(bare.app.pid, dir);
    figuresOf.keyhouse.heapSnapshot = await heapSnapshot(keyhouse.app.pid, dir);
  }
  const figures: Figures = {
    meta: { ...meta, buildMs: Math.round(runtime.buildMs), loadAtEnd: load() },
    apps: figuresOf,
    help: { keyhouse: timed(help.keyhouse), bare: timed(help.bare) },
    list: {
      keyhouse: timed(list.keyhouse),
      bare: timed(list.bare),
      toMessage: summarize(list.toMessage),
      clickhouse: listTraffic.byRoute,
      clickhousePer100: per100(listTraffic.total, 2 * options.requests),
      openLoop: {
        rate: options.rate,
        keyhouse: summarize(paced.keyhouse.ms),
        bare: summarize(paced.bare.ms),
        toMessage: summarize(paced.toMessage),
      },
    },
    burst,
    submit: timed(submitted),
    approve: timed(approved),
    create,
    clickhouse: {
      calls: total.total,
      userActions: s.actions,
      per100: per100(total.total, s.actions),
      tooMany: total.tooMany,
      byRoute: total.byRoute,
    },
    phases: s.phases,
    warnings: s.warnings,
  };
  if (options.keep) writeFileSync(join(dir, 'samples.json'), JSON.stringify(s.samples));
  if (options.cpuProf) {
    // The profiles themselves are written when the apps exit; this lets one slice them by phase.
    mkdirSync(join(dir, 'profiles'), { recursive: true });
    writeFileSync(join(dir, 'profiles', 'phases.json'), JSON.stringify(s.phases, null, 2));
  }
  return figures;
}

/**
 * The same command to both apps in ROUNDS alternating turns, so that a passing disturbance (other
 * work on this shared machine) falls on both. Keyhouse's follow-up work (a list's message) is
 * awaited after its turn, so it never runs into the other app's.
 */
async function interleaved(
  s: Session,
  name: string,
  apps: { bare: Started; keyhouse: Started },
  text: 'help' | 'list',
  users: readonly string[],
  count: number,
  overrides: Partial<DriveOptions> = {},
): Promise<{ bare: Run; keyhouse: Run; toMessage: number[] }> {
  const runs = { bare: [] as Run[], keyhouse: [] as Run[] };
  const toMessage: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const size = Math.floor(count / ROUNDS) + (round < count % ROUNDS ? 1 : 0);
    if (size === 0) continue;
    for (const which of ['bare', 'keyhouse'] as const) {
      const batch = await s.payloads.commands(text, users, size);
      const run = await s.drive(`${name} ${which}`, apps[which].origin, batch.shots, overrides);
      runs[which].push(run);
      // `help` is answered in the ack; a list too when it is ready in time, else on its response URL.
      if (which === 'keyhouse' && text === 'list') toMessage.push(...(await s.toMessage(batch.urls, run)));
    }
    await s.slackQuiet();
  }
  s.actions += count;
  return { bare: mergeRuns(runs.bare), keyhouse: mergeRuns(runs.keyhouse), toMessage };
}

/** Time from sending request i to its response URL's post i, for those that arrived. */
function sinceSent(posts: ResponsePosts[], run: Run, what: 'firstOkAt' | 'secretAt'): number[] {
  return posts.flatMap((post, i) => {
    const at = post[what];
    const sent = run.sentAt[i];
    return at === null || sent === undefined || Number.isNaN(sent) ? [] : [at - sent];
  });
}

/** Setup through the real flow: modal submissions, then one Approve click each. */
async function approveMany(s: Session, origin: string) {
  const { options } = s;
  s.progress(`setup: ${options.approvals} requests submitted through the request modal`);
  const run = Date.now().toString(36);
  const submitted = await s.drive('submit', origin, s.payloads.submissions(options.approvals, run));
  s.actions += options.approvals;
  const requestIds = await until('every approval message', 60_000, async () => {
    const { requestIds: ids } = await s.infra.ask({ op: 'approvals' });
    return ids.length >= options.approvals ? ids : null;
  });

  s.progress(`Approve: ${requestIds.length} clicks by an approver at ${options.concurrency} connections`);
  const approved = await s.drive('approve', origin, await s.payloads.approvals(requestIds));
  s.actions += requestIds.length;
  const claims = await until('every Create key DM', 60_000, async () => {
    const { claims: found } = await s.infra.ask({ op: 'claims', users: REQUESTERS });
    return found.length >= requestIds.length ? found : null;
  });
  await s.slackQuiet();
  return { submitted, approved, claims };
}

/**
 * Create key clicks, one every CREATE_INTERVAL_MS, measuring click → secret on the response URL
 * minus the emulator's own time for that create (its configured latency, mostly).
 */
async function createKeys(s: Session, origin: string, claims: Claim[]): Promise<Figures['create']> {
  // The client's throttle would queue creates behind earlier calls: start with an empty window.
  const before = await s.emptyRateWindow();
  // One claim per requester in turn, so each user's keys grow evenly for the list scenarios.
  const byUser = REQUESTERS.map((user) => claims.filter((claim) => claim.user === user));
  const picked: Claim[] = [];
  const count = Math.min(s.options.creates, claims.length);
  for (let round = 0; picked.length < count; round++) {
    for (const own of byUser) {
      const claim = own[round];
      if (claim && picked.length < count) picked.push(claim);
    }
  }

  s.progress(`Create key: ${picked.length} clicks, one every ${CREATE_INTERVAL_MS} ms`);
  const clicks = await s.payloads.createClicks(picked);
  const created = await s.drive('create', origin, clicks.shots, { intervalMs: CREATE_INTERVAL_MS });
  s.actions += picked.length;
  const secrets = await s.answered(clicks.urls, 'secretAt', 30_000);
  const traffic = await s.clickhouse(before.next);
  const toSecret = sinceSent(secrets, created, 'secretAt');
  // Clicks are a second apart, so the i-th create ClickHouse saw is the i-th click's.
  const paired = traffic.createMs.length === picked.length && toSecret.length === picked.length;
  if (!paired) {
    s.warnings.push(
      `create: ${traffic.createMs.length} creates and ${toSecret.length} secrets for ${picked.length} clicks; overhead uses the median create time`,
    );
  }
  const median = summarize(traffic.createMs).p50;
  const overhead = toSecret.map((ms, i) => ms - (paired ? traffic.createMs[i]! : median));
  await s.slackQuiet();
  return {
    everyMs: CREATE_INTERVAL_MS,
    ack: summarize(created.ms),
    toSecret: summarize(toSecret),
    server: summarize(traffic.createMs),
    overhead: summarize(overhead),
    clickhouse: traffic.byRoute,
  };
}

/** BURST lists at once while the key-list cache is cold (its last fetch was at warm-up). */
async function listBurst(s: Session, origin: string): Promise<Figures['burst']> {
  // After the creates the window is full, and the client would hold the list call back.
  const mark = (await s.emptyRateWindow()).next;
  s.progress(`list: ${BURST} concurrent /chkey list on a cold key-list cache`);
  const shots = await s.payloads.commands('list', REQUESTERS, BURST);
  const run = await s.drive('list burst', origin, shots.shots, { concurrency: BURST });
  s.actions += BURST;
  const toMessage = await s.toMessage(shots.urls, run);
  const traffic = await s.clickhouse(mark);
  await s.slackQuiet();
  return {
    size: BURST,
    ack: summarize(run.ms),
    toMessage: summarize(toMessage),
    listKeysCalls: traffic.byRoute.listKeys ?? 0,
    clickhouseCalls: traffic.total,
    clickhouse: traffic.byRoute,
    firstCallAfterMs: traffic.firstAt === null ? null : traffic.firstAt - run.sentAt[0]!,
  };
}
