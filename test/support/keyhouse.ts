/**
 * Runs the real Keyhouse app (HTTP mode, `/slack/events`) against the fake Slack Web API, the
 * ClickHouse emulator and a real SQLite file, and drives it with signed requests as Slack would.
 * Everything the app logs is captured at debug so tests can search it for secrets.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../dev/emulator/server.js';
import {
  type FakeMessage,
  type FakeSlack,
  type FakeSlackOptions,
  startFakeSlack,
} from '../../dev/fake-slack/index.js';
import { type AppResponse, postToApp } from '../../dev/fake-slack/slack-http.js';
import { ClickHouseCloudClient } from '../../src/api/index.js';
import { createApp, type Keyhouse, type KeyhouseOptions } from '../../src/app.js';
import { type Clock, systemClock } from '../../src/core/clock.js';
import type { KeyRequest, Store } from '../../src/core/model.js';
import { Secret } from '../../src/core/secret.js';
import { Metrics } from '../../src/metrics.js';
import { type PolicyDocument, parsePolicy } from '../../src/policy/index.js';
import { openStore } from '../../src/store/index.js';
import { ACTION, BLOCK, CALLBACK, expiryBlockId } from '../../src/views/ids.js';
import type { KeyApi } from '../../src/workflow/index.js';
import { capturingLogger } from './logs.js';
import { loadOpenApiContract } from './openapi.js';
import { APPROVAL_CHANNEL, testPolicyFields, USERS } from './policy-fixture.js';
import { createThrowawaySchema, type ThrowawaySchema } from './postgres.js';
import { requirement } from './requirements.js';
import {
  blockAction,
  SLACK_TEST_DEFAULTS,
  slashCommand,
  stateValue,
  viewSubmission,
} from './slack-payloads.js';

export const SIGNING_SECRET = 'test-signing-secret';

/** The ClickHouse OpenAPI contract, when `../shared/ref` is there (required in CI). */
const contract = requirement(
  loadOpenApiContract(),
  "../shared/ref/clickhouse-cloud-openapi.json not found: the end-to-end suites run without checking the emulator's traffic against the spec",
);

export { APPROVAL_CHANNEL, USERS } from './policy-fixture.js';

/** A policy with one role of each approval count; tests override fields as they need. */
export function testPolicy(overrides: Record<string, unknown> = {}): PolicyDocument {
  return parsePolicy(JSON.stringify(testPolicyFields(overrides)), 'test-policy.json');
}

export interface HarnessOptions {
  policy?: PolicyDocument;
  /** The fake Slack's workspace: user groups, users, a shared clock, per-method latency. */
  slack?: FakeSlackOptions;
  emulator?: EmulatorOptions;
  clock?: Clock;
  /**
   * ClickHouse's budget, applied to the emulator and to Keyhouse's client alike (default: the
   * emulator does not limit, the client keeps to 10 per 10 s). A short window keeps the ratios and
   * saves the test the wall time.
   */
  budget?: { requests: number; windowMs: number };
  /** The client's key-list cache lifetime (default 5 s). */
  keyListTtlMs?: number;
  /** Wraps the ClickHouse client, e.g. to count or break calls. */
  keys?: (client: ClickHouseCloudClient) => KeyApi;
  /** Wraps each instance's store as Keyhouse sees it (the harness's own reads use the store itself). */
  store?: (store: Store) => Store;
  /** Timed rules: ClickHouse writes per tick (default the app's). */
  timers?: { writesPerTick?: number };
  /** Runs the scheduler's timers, as production does (default: off; tests call sweep, tick, drift). */
  timersRunning?: boolean;
  /** Leaks found outside Slack: the GitHub alert reader and webhook secret, the report token. */
  leaks?: KeyhouseOptions['leaks'];
}

export interface RequestValues {
  keyName: string;
  roleId: string;
  expiry: string;
  reason: string;
  ipList?: string;
  /** Ticks the break-glass box (product.md §15). */
  breakGlass?: boolean;
}

/** One running Keyhouse: its app, its own store connection, and where it listens. */
export interface Instance {
  keyhouse: Keyhouse;
  store: Store;
  url: string;
}

export interface InstanceOptions {
  /** Socket Mode with this app token instead of HTTP mode. */
  appToken?: string;
  attemptLeaseMs?: number;
}

export class Harness {
  readonly instances: Instance[] = [];

  private constructor(
    readonly slack: FakeSlack,
    readonly clickhouse: Emulator,
    readonly client: ClickHouseCloudClient,
    readonly dir: string,
    private readonly options: HarnessOptions,
    private readonly databaseUrl: string,
    private readonly schema: ThrowawaySchema | null,
    private readonly logger: Logger,
    private readonly logLines: string[],
    /** Shared by the instances, as one process's would be: the ClickHouse client reports to it too. */
    readonly metrics: Metrics,
  ) {}

  /**
   * Starts the fakes and one Keyhouse instance. With `postgres`, the instances share a throwaway
   * PostgreSQL schema (replicas); otherwise a SQLite file in a temporary directory.
   */
  static async start(
    options: HarnessOptions & { postgres?: string; socketMode?: boolean } = {},
  ): Promise<Harness> {
    const dir = await mkdtemp(join(tmpdir(), 'keyhouse-e2e-'));
    const { logger, lines: logLines } = capturingLogger('debug');
    const slack = await startFakeSlack(options.slack);
    const clickhouse = await startEmulator(
      options.budget ? { ...options.emulator, rateLimit: options.budget } : options.emulator,
    );
    const metrics = new Metrics();
    const client = new ClickHouseCloudClient({
      observer: metrics.clickhouse,
      baseUrl: clickhouse.url,
      keyId: clickhouse.adminKey.keyId,
      keySecret: new Secret(clickhouse.adminKey.keySecret),
      logger: logger.child({ component: 'clickhouse' }),
      retry: { baseDelayMs: 20, maxDelayMs: 100 },
      ...(options.budget ? { rateLimit: options.budget } : {}),
      ...(options.keyListTtlMs === undefined ? {} : { keyListTtlMs: options.keyListTtlMs }),
    });
    const schema = options.postgres ? await createThrowawaySchema(options.postgres) : null;
    const databaseUrl = options.postgres ?? `sqlite:${join(dir, 'keyhouse.db')}`;
    const harness = new Harness(
      slack,
      clickhouse,
      client,
      dir,
      options,
      databaseUrl,
      schema,
      logger,
      logLines,
      metrics,
    );
    await harness.startInstance(options.socketMode ? { appToken: SLACK_TEST_DEFAULTS.appToken } : {});
    return harness;
  }

  /** Starts one more Keyhouse on the same fakes and database (a replica, or a restart). */
  async startInstance(extra: InstanceOptions = {}): Promise<Instance> {
    const { options, logger } = this;
    const store = await openStore(this.databaseUrl, {
      logger,
      ...(this.schema ? { schema: this.schema.name } : {}),
    });
    const keyhouse = createApp({
      slack: {
        botToken: SLACK_TEST_DEFAULTS.botToken,
        signingSecret: SIGNING_SECRET,
        appToken: extra.appToken ?? null,
        apiUrl: this.slack.apiUrl,
        command: '/chkey',
        botId: SLACK_TEST_DEFAULTS.botId,
        botUserId: SLACK_TEST_DEFAULTS.botUserId,
        clientOptions: { retryConfig: { retries: 0 } },
      },
      policy: options.policy ?? testPolicy(),
      store: options.store ? options.store(store) : store,
      keys: options.keys ? options.keys(this.client) : this.client,
      clickhouseApiUrl: this.clickhouse.url,
      clickhouseKeyId: this.clickhouse.adminKey.keyId,
      logger,
      clock: options.clock ?? systemClock,
      sweep: { timer: options.timersRunning ?? false },
      metrics: this.metrics,
      ...(options.timers ? { timers: options.timers } : {}),
      ...(options.leaks ? { leaks: options.leaks } : {}),
      replicas: { exclusive: this.schema === null, attemptLeaseMs: extra.attemptLeaseMs ?? 30_000 },
    });
    const port = await keyhouse.listen(0, '127.0.0.1');
    const instance = { keyhouse, store, url: `http://127.0.0.1:${port}` };
    this.instances.push(instance);
    return instance;
  }

  /** The first instance's app, store and address. */
  get keyhouse(): Keyhouse {
    return this.first.keyhouse;
  }

  get store(): Store {
    return this.first.store;
  }

  get url(): string {
    return this.first.url;
  }

  private get first(): Instance {
    const first = this.instances[0];
    if (!first) throw new Error('no instance running');
    return first;
  }

  /** Stops one instance as a shutdown would (its store closed too). */
  async stopInstance(instance: Instance): Promise<{ drained: boolean }> {
    const outcome = await instance.keyhouse.close();
    await instance.store.close();
    this.instances.splice(this.instances.indexOf(instance), 1);
    return outcome;
  }

  async close(): Promise<void> {
    for (const instance of [...this.instances]) await this.stopInstance(instance);
    await this.slack.close();
    await this.clickhouse.close();
    await this.schema?.drop();
    await rm(this.dir, { recursive: true, force: true });
  }

  /**
   * Every request Keyhouse sent to ClickHouse and every answer, checked strictly against the
   * published OpenAPI spec; [] when all conform. Empty too on a clone without `../shared`.
   */
  apiContractViolations(): string[] {
    if (!contract) return [];
    return this.clickhouse.requests.flatMap((exchange) =>
      contract
        .validateExchange(exchange, { strict: true })
        .map((v) => `${exchange.method} ${exchange.path}: ${v}`),
    );
  }

  /** Everything logged so far, one JSON line each, at debug. */
  get logs(): string {
    return this.logLines.join('');
  }

  /** Sends a signed request as Slack would, to the first instance or to `options.to`. */
  post(
    body: Parameters<typeof postToApp>[1],
    options: { timestampSec?: number; signature?: string; to?: Instance } = {},
  ): Promise<AppResponse> {
    const { to, ...signing } = options;
    return postToApp((to ?? this.first).url, body, { signingSecret: SIGNING_SECRET, ...signing });
  }

  /** `/chkey <text>` from `user`; returns the HTTP answer and the response URL the app may use. */
  async command(
    user: string,
    text: string,
  ): Promise<{ response: AppResponse; responseUrl: string; triggerId: string }> {
    const responseUrl = this.slack.newResponseUrl({ user, channel: 'C0GENERAL' });
    const triggerId = this.slack.newTriggerId(user);
    const fields = slashCommand({ user_id: user, text, response_url: responseUrl, trigger_id: triggerId });
    const response = await this.post({
      kind: 'command',
      fields: fields as unknown as Record<string, string>,
    });
    return { response, responseUrl, triggerId };
  }

  /**
   * What `user` was answered for `/chkey <text>`: the acknowledgement's body, or, when the answer
   * had to wait (their language not looked up yet, a key list not at hand), the message that came
   * to the command's response URL just after.
   */
  async answer(user: string, text: string): Promise<Record<string, unknown>> {
    const { response, responseUrl } = await this.command(user, text);
    if (response.json !== null && response.json !== undefined)
      return response.json as Record<string, unknown>;
    const id = responseUrl.slice(responseUrl.lastIndexOf('/') + 1);
    const post = await this.slack.waitFor(() => this.slack.responseUrlPosts.find((p) => p.id === id), {
      message: `the answer to /chkey ${text}`,
    });
    return post.body;
  }

  /** Submits the request modal as `user` filled it. */
  submitRequest(user: string, values: RequestValues): Promise<AppResponse> {
    const payload = viewSubmission({
      user,
      callbackId: CALLBACK.requestModal,
      values: {
        [BLOCK.keyName]: { [ACTION.keyNameInput]: values.keyName },
        [BLOCK.role]: { [ACTION.roleSelect]: stateValue.staticSelect(values.roleId) },
        [expiryBlockId(values.roleId)]: { [ACTION.expirySelect]: stateValue.staticSelect(values.expiry) },
        [BLOCK.reason]: { [ACTION.reasonInput]: values.reason },
        [BLOCK.ipList]: { [ACTION.ipListInput]: values.ipList ?? null },
        ...(values.breakGlass
          ? { [BLOCK.breakGlass]: { [ACTION.breakGlassCheck]: stateValue.checkboxes(['break_glass']) } }
          : {}),
      },
    });
    return this.post({ kind: 'interaction', payload });
  }

  /** Clicks a button carrying `value` as `user`, on `message` in `channel` when given. */
  async click(
    user: string,
    actionId: string,
    value: string,
    where: { channel?: string; message?: FakeMessage; to?: Instance } = {},
  ): Promise<{ response: AppResponse; responseUrl: string; triggerId: string }> {
    const channel = where.channel ?? 'C0GENERAL';
    const responseUrl = this.slack.newResponseUrl({
      user,
      channel,
      ...(where.message ? { messageTs: where.message.ts } : {}),
    });
    const triggerId = this.slack.newTriggerId(user);
    const message = where.message as unknown as Record<string, unknown> | undefined;
    const payload = blockAction({ user, actionId, value, responseUrl, triggerId, channel, message });
    const response = await this.post({ kind: 'interaction', payload }, where.to ? { to: where.to } : {});
    return { response, responseUrl, triggerId };
  }

  async requests(): Promise<KeyRequest[]> {
    return this.store.listRequests({});
  }

  /**
   * Polls an async or sync condition until it holds (the fake's `waitFor` takes sync ones only).
   * The ceiling only bounds a test that would otherwise hang: a busy machine (two test runs on two
   * cores) may need many times what an idle one does, so it is generous.
   */
  async until<T>(
    predicate: () => Promise<T> | T,
    message = 'condition',
    timeoutMs = 30_000,
  ): Promise<NonNullable<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${message}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Waits until the request is in `state`. */
  async untilState(requestId: string, state: KeyRequest['state']): Promise<KeyRequest> {
    return this.until(async () => {
      const request = await this.store.getRequest(requestId);
      return request?.state === state ? request : null;
    }, `request ${requestId} to be ${state}`);
  }

  /** The request `user` submitted last. */
  async latestRequest(user: string): Promise<KeyRequest> {
    const last = (await this.store.listRequests({ requesterId: user })).at(-1);
    if (!last) throw new Error(`no request from ${user}`);
    return last;
  }

  /**
   * Submits a request as `requester`, has `approver` approve it once its message is up, and waits
   * for the Create key DM: the request, ready to be claimed.
   */
  async approvedRequest(
    requester: string,
    values: RequestValues,
    approver: string = USERS.bob,
  ): Promise<KeyRequest> {
    await this.submitRequest(requester, values);
    const request = await this.latestRequest(requester);
    await this.approvalMessage(request.id);
    await this.approve(approver, request.id);
    await this.claimMessage(requester, request.id);
    return request;
  }

  /**
   * The approval message for a request, once posted and recorded: Keyhouse writes down where it is
   * just after Slack answers, and what rewrites it or replies in its thread (a click, an expiry)
   * finds it there. Seen in the fake alone, a step that follows can race that write.
   */
  async approvalMessage(requestId: string): Promise<FakeMessage> {
    const message = await this.slack.waitFor(
      () =>
        this.slack
          .messages(APPROVAL_CHANNEL)
          .find((m) => !m.thread_ts && JSON.stringify(m).includes(requestId)),
      { message: `approval message for ${requestId}` },
    );
    await this.until(
      async () => (await this.store.getMessageRefs(requestId)).some((ref) => ref.kind === 'approval'),
      `the approval message of ${requestId} to be recorded`,
    );
    return message;
  }

  /** The requester's Create key DM, once sent. */
  claimMessage(user: string, requestId: string): Promise<FakeMessage> {
    return this.slack.waitFor(
      () => this.slack.messages(user).find((m) => JSON.stringify(m).includes(requestId)),
      { message: `Create key DM for ${requestId}` },
    );
  }

  approve(user: string, requestId: string, to?: Instance) {
    return this.click(user, ACTION.approve, requestId, { channel: APPROVAL_CHANNEL, ...(to ? { to } : {}) });
  }

  createKey(user: string, requestId: string, to?: Instance) {
    return this.click(user, ACTION.createKey, requestId, {
      channel: this.slack.dmChannel(user),
      ...(to ? { to } : {}),
    });
  }

  /** Every byte of every SQLite file in the data directory, to search for secrets. */
  databaseBytes(): string {
    return readdirSync(this.dir)
      .map((name) => readFileSync(join(this.dir, name)).toString('latin1'))
      .join('\n');
  }

  /**
   * Where `needle` (a secret) went. `slackMessages` counts the Slack deliveries that carried it and
   * that Slack accepted; `slackAttempts` lists every carrying request, accepted or not, by path, so a
   * test can check that each was an ephemeral answer to the requester; the rest count occurrences.
   */
  traces(needle: string): {
    slackMessages: number;
    slackAttempts: string[];
    logs: number;
    database: number;
    clickhouseLog: number;
  } {
    const carrying = (x: unknown) => JSON.stringify(x).includes(needle);
    const calls = this.slack.calls.filter((c) => carrying(c.args));
    const posts = this.slack.responseUrlPosts.filter((p) => carrying(p.body));
    return {
      slackMessages:
        calls.filter((c) => c.response.ok === true).length + posts.filter((p) => p.status === 200).length,
      slackAttempts: [
        ...calls.map((c) => `${c.method}:${String(c.args.user)}:${c.response.ok === true ? 'ok' : 'failed'}`),
        ...posts.map((p) => `response_url:${p.status === 200 ? 'ok' : 'failed'}`),
      ],
      logs: occurrences(this.logs, needle),
      database: occurrences(this.databaseBytes(), needle),
      clickhouseLog: occurrences(JSON.stringify(this.clickhouse.requests), needle),
    };
  }

  /** Waits until the app has made no Slack call for `quietMs` (its follow-up rewrites are done). */
  async quiet(quietMs = 150): Promise<void> {
    let seen = -1;
    await this.until(async () => {
      const now = this.slack.calls.length + this.slack.responseUrlPosts.length;
      if (now === seen) return true;
      seen = now;
      await new Promise((resolve) => setTimeout(resolve, quietMs));
      return false;
    }, 'Slack traffic to stop');
  }
}

export function occurrences(haystack: string, needle: string): number {
  if (!needle) throw new Error('empty needle');
  return haystack.split(needle).length - 1;
}
