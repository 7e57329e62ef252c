/**
 * Keyhouse's rules without Slack: several workflow instances (replicas) sharing ONE store, the
 * ClickHouse emulator behind the real client, and notifiers that record what each person was
 * shown. Each instance also has the timers of product.md §8 (its scheduler with the lifecycle
 * rules and the rotation's retirement), whose messages are recorded the same way. Instances can
 * be killed at any moment (every call they make from then on hangs, as in a dead process, and
 * their leases stop being renewed), and the store can fail for a while. Used by the scenario
 * tests of issue 9 and the model-based invariant suite.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { Agent } from 'undici';
import { type Emulator, startEmulator } from '../../dev/emulator/server.js';
import { type FakeGitHub, startFakeGitHub } from '../../dev/fake-github/server.js';
import { type FakeVault, startFakeVault } from '../../dev/fake-vault/server.js';
import { ClickHouseCloudClient } from '../../src/api/index.js';
import {
  type DeliveryNotifier,
  DestinationError,
  type DestinationWriter,
} from '../../src/core/delivery-ports.js';
import type { Store } from '../../src/core/model.js';
import { Secret } from '../../src/core/secret.js';
import type {
  LeakReport,
  OutsideLeakReport,
  OutsideSite,
  WatchNotifier,
} from '../../src/core/watch-ports.js';
import { Destinations } from '../../src/delivery/index.js';
import { GitHubAppClient } from '../../src/github/index.js';
import { Policy, type PolicyDocument } from '../../src/policy/index.js';
import { openStore } from '../../src/store/index.js';
import {
  type AuditHeadNotice,
  type Directory,
  type ExpiredDeletion,
  type ExpiredNotice,
  type ExpiryWarning,
  Lifecycle,
  type LifecycleNotifier,
  type Nudge,
  type OffboardingReport,
  type Reactivation,
  Scheduler,
  type StaleOffer,
} from '../../src/timers/index.js';
import { retirementRule } from '../../src/timers/retirement.js';
import { scheduledRotationRule } from '../../src/timers/scheduled-rotation.js';
import { VaultClient } from '../../src/vault/index.js';
import { OutsideLeaks } from '../../src/watch/outside-leaks.js';
import { Tripwire } from '../../src/watch/tripwire.js';
import type {
  ClickTarget,
  KeyApi,
  Notifier,
  RequesterNotice,
  RoleApi,
  SecretReveal,
  SlackRef,
} from '../../src/workflow/index.js';
import { Workflow } from '../../src/workflow/index.js';
import { ManualClock } from './clock.js';
import { testPolicy } from './keyhouse.js';
import { capturingLogger } from './logs.js';
import { createThrowawaySchema, type ThrowawaySchema } from './postgres.js';
import { requirement } from './requirements.js';

/** What one person was shown, once: the key whose secret reached them. */
export interface Reveal {
  requestId: string;
  keyId: string;
  userId: string;
  instance: number;
}

/** A timed message (product.md §8) as one instance sent it, with the world's clock at that moment. */
export type TimedMessage = { instance: number; at: Date } & (
  | { kind: 'warning'; warning: ExpiryWarning }
  | { kind: 'expired'; notice: ExpiredNotice }
  | { kind: 'expired-deleted'; notice: ExpiredDeletion }
  | { kind: 'stale'; offer: StaleOffer }
  | { kind: 'nudge'; nudge: Nudge }
  | { kind: 'offboarding-report'; report: OffboardingReport }
  | { kind: 'reactivated'; notice: Reactivation }
  | { kind: 'audit-head'; notice: AuditHeadNotice }
  | { kind: 'retired'; userId: string; keyName: string; keySuffix: string }
);

/** A switch that makes every call through an object hang forever once it is thrown. */
class Killable {
  killed = false;
  /** Settles when the switch is thrown: what a test awaiting a call that may kill it races with. */
  readonly died: Promise<void>;
  #die: () => void = () => undefined;
  constructor() {
    this.died = new Promise((resolve) => {
      this.#die = resolve;
    });
  }
  kill(): void {
    this.killed = true;
    this.#die();
  }
  wrap<T extends object>(target: T): T {
    return new Proxy(target, {
      get: (obj, prop, receiver) => {
        const value = Reflect.get(obj, prop, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (this.killed) return new Promise(() => undefined);
          const result = (value as (...a: unknown[]) => unknown).apply(obj, args);
          // A call that was in flight when the process died never returns either.
          if (result instanceof Promise) {
            return result.then(
              (v) => (this.killed ? new Promise(() => undefined) : v),
              (e: unknown) => (this.killed ? new Promise(() => undefined) : Promise.reject(e)),
            );
          }
          return result;
        };
      },
    });
  }
}

/** A store that fails every call while `down` is set, as a database that went away would. */
export class FlakyStore {
  down = false;
  constructor(readonly inner: Store) {}
  wrap(): Store {
    return new Proxy(this.inner, {
      get: (obj, prop, receiver) => {
        const value = Reflect.get(obj, prop, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (this.down) return Promise.reject(new Error('store: the database is unreachable (injected)'));
          return (value as (...a: unknown[]) => unknown).apply(obj, args);
        };
      },
    });
  }
}

/** Records every reveal; `failReveals` makes the next reveals fail as an unreachable Slack would. */
class RecordingNotifier implements Notifier {
  failReveals = 0;
  constructor(
    private readonly world: World,
    private readonly instance: number,
  ) {}
  async postApproval(): Promise<SlackRef> {
    return { channel: 'C0APPROVALS', ts: String(Date.now()) };
  }
  async updateApproval(): Promise<void> {}
  async replyInThread(): Promise<void> {}
  async sendClaim(): Promise<SlackRef> {
    return { channel: 'D0DM', ts: String(Date.now()) };
  }
  async updateClaim(): Promise<void> {}
  async tellRequester(userId: string, notice: RequesterNotice): Promise<void> {
    if (notice.kind === 'key_retired') {
      const { keyName, keySuffix } = notice;
      this.world.timed.push({
        kind: 'retired',
        userId,
        keyName,
        keySuffix,
        instance: this.instance,
        at: this.world.clock.now(),
      });
    }
  }
  async revealSecret(target: ClickTarget, reveal: SecretReveal): Promise<void> {
    // Slack's answer takes a moment: an attempt is in flight across other work.
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.failReveals > 0) {
      this.failReveals -= 1;
      throw new Error('response_url refused (injected)');
    }
    // The test keeps what the requester saw, to paste it later (the leak tripwire's scenarios).
    this.world.secrets.set(reveal.key.id, reveal.secret.reveal());
    this.world.reveals.push({
      requestId: reveal.request.id,
      keyId: reveal.key.id,
      userId: target.userId,
      instance: this.instance,
    });
  }
}

/** Records every timed message an instance sends. */
class RecordingLifecycleNotifier implements LifecycleNotifier {
  constructor(
    private readonly world: World,
    private readonly instance: number,
  ) {}
  #record(message: DistributiveOmit<TimedMessage, 'instance' | 'at'>): Promise<void> {
    this.world.timed.push({
      ...message,
      instance: this.instance,
      at: this.world.clock.now(),
    } as TimedMessage);
    return Promise.resolve();
  }
  expiryWarning(warning: ExpiryWarning) {
    return this.#record({ kind: 'warning', warning });
  }
  keyExpired(notice: ExpiredNotice) {
    return this.#record({ kind: 'expired', notice });
  }
  expiredKeyDeleted(notice: ExpiredDeletion) {
    return this.#record({ kind: 'expired-deleted', notice });
  }
  staleOffer(offer: StaleOffer) {
    return this.#record({ kind: 'stale', offer });
  }
  nudge(_ref: SlackRef, nudge: Nudge) {
    return this.#record({ kind: 'nudge', nudge });
  }
  async requestCancelled(): Promise<void> {}
  offboardingReport(_channel: string, report: OffboardingReport) {
    return this.#record({ kind: 'offboarding-report', report });
  }
  reactivated(_channel: string, notice: Reactivation) {
    return this.#record({ kind: 'reactivated', notice });
  }
  auditHead(_channel: string, notice: AuditHeadNotice) {
    return this.#record({ kind: 'audit-head', notice });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What the tripwire said about one message: its thread reply and its security notice, counted. */
export interface LeakMessage {
  channel: string;
  ts: string;
  replies: number;
  notices: number;
  /** Keys named or counted in them, by what was done. */
  keys: LeakReport['keys'];
}

/** Records every leak notice an instance's tripwire sends, per message. */
class RecordingWatchNotifier implements WatchNotifier {
  constructor(private readonly world: World) {}
  #message(report: LeakReport): LeakMessage {
    const { channel, ts } = report.site;
    let found = this.world.leakMessages.find((m) => m.channel === channel && m.ts === ts);
    if (!found) {
      found = { channel, ts, replies: 0, notices: 0, keys: [] };
      this.world.leakMessages.push(found);
    }
    found.keys.push(...report.keys);
    return found;
  }
  async leakThread(report: LeakReport) {
    this.#message(report).replies += 1;
  }
  async leakSecurity(_channel: string, report: LeakReport) {
    this.#message(report).notices += 1;
  }
  async leakOwner() {}
  async driftSecurity() {}
  async driftOwner() {}
  async outsideLeakSecurity(_channel: string, report: OutsideLeakReport) {
    const place = placeOf(report.site);
    const found = this.world.outsideNotices.get(place) ?? { notices: 0, keys: [] };
    found.notices += 1;
    found.keys.push(...report.keys);
    this.world.outsideNotices.set(place, found);
  }
  async outsideLeakOwner() {}
}

/** A place outside Slack as the invariant suite counts its notices: an alert, or a report's source and URL. */
export function placeOf(site: OutsideSite): string {
  return site.kind === 'github'
    ? `github ${site.repository}#${site.alertNumber}`
    : `report ${site.source} ${site.url}`;
}

/** Slack's directory as the world says: a user is deactivated once the world says so. */
class WorldDirectory implements Directory {
  constructor(private readonly world: World) {}
  async isDeactivated(userId: string): Promise<boolean | null> {
    return this.world.deactivated.has(userId);
  }
}

export interface Instance {
  index: number;
  workflow: Workflow;
  notifier: RecordingNotifier;
  alive: Killable;
  /** The instance's own connections to ClickHouse: a crash drops them, and nothing queued goes out. */
  connections: Agent;
  /** Its timers: every lifecycle rule and the rotation's retirement, on the same store and client. */
  scheduler: Scheduler;
  lifecycle: Lifecycle;
  /** Its leak tripwire (leakAction: disable), as Slack's message events reach it. */
  tripwire: Tripwire;
  /** Its ClickHouse client, for the budget's own account of urgent turns (`stats.urgent`). */
  client: ClickHouseCloudClient;
  /** Leaks found outside Slack (a GitHub alert, a scanner's report), as its two doors hand them on. */
  outside: OutsideLeaks;
}

/**
 * The stores a world runs on: a SQLite file, and PostgreSQL where TEST_DATABASE_URL is set. Call
 * it at a test file's top level, where a missing PostgreSQL is recorded as that file's skip reason.
 */
export function worldBackends(): { name: string; postgres: string | undefined }[] {
  const postgres = requirement(process.env.TEST_DATABASE_URL, 'TEST_DATABASE_URL is not set');
  return [
    { name: 'SQLite file', postgres: undefined },
    ...(postgres ? [{ name: 'PostgreSQL', postgres }] : []),
  ];
}

/**
 * One destination in test memory (product.md §12): the key id and secret it holds now, every write,
 * and the faults a test sets (a refused write; a process dying just before or just after writing).
 */
export class MemoryDestination {
  current: { keyId: string; secret: string } | null = null;
  readonly writes: { keyId: string; instance: number }[] = [];
  /** The next this many writes are refused, as a destination that is down would. */
  failWrites = 0;
  /** The next write's process dies: `before` writing, or `after` (the write landed, its answer is lost). */
  crashOnWrite: 'before' | 'after' | null = null;
  onCrash: (instance: number) => void = () => undefined;

  writer(instance: number): DestinationWriter {
    return {
      write: async (_destination, item) => {
        if (this.crashOnWrite === 'before') {
          this.crashOnWrite = null;
          this.onCrash(instance);
          return new Promise<void>(() => undefined);
        }
        if (this.failWrites > 0) {
          this.failWrites -= 1;
          throw new DestinationError('memory', 'the destination is down');
        }
        this.current = { keyId: item.keyId, secret: item.secret.reveal() };
        this.writes.push({ keyId: item.keyId, instance });
        if (this.crashOnWrite === 'after') {
          this.crashOnWrite = null;
          this.onCrash(instance);
          return new Promise<void>(() => undefined);
        }
      },
      holds: async (_destination, key) => this.current?.keyId.endsWith(key.keySuffix) ?? false,
    };
  }
}

/** Where the fakes put destinations' keys: the GitHub repository and environment, and the Vault mount and path template. */
export const FAKE_PLACES = {
  repository: 'acme/infra',
  environment: 'production',
  mount: 'secret',
  path: 'clickhouse/{keyName}',
} as const;

/**
 * The destinations of product.md §12 as they really are: the fake GitHub (which opens every sealed
 * box written to it) and the fake Vault on loopback, on the world's clock, reached by each replica
 * through its own GitHub App and Vault clients and the real writer (src/delivery). Faults are the
 * fakes' own (`github.failNext`, `vault.failNext`, …); `crashOnWrite` kills the replica writing
 * next, before its write is sent or once it has landed (its answer lost).
 */
export class FakeDestinations {
  crashOnWrite: 'before' | 'after' | null = null;
  private constructor(
    readonly github: FakeGitHub,
    readonly vault: FakeVault,
  ) {}

  static async start(clock: ManualClock): Promise<FakeDestinations> {
    const github = await startFakeGitHub({ clock });
    github.addRepository(FAKE_PLACES.repository, { environments: [FAKE_PLACES.environment] });
    const vault = await startFakeVault({
      clock,
      keyhouse: { mount: FAKE_PLACES.mount, pathTemplate: FAKE_PLACES.path },
    });
    return new FakeDestinations(github, vault);
  }

  /** One replica's writer: its own clients on its own connections (a crash drops them), and the crash hook. */
  writer(
    options: { clock: ManualClock; logger: Logger; connections: Agent },
    crash: () => void,
  ): DestinationWriter {
    const { clock, logger, connections } = options;
    // Small retries and a short timeout: a slow answer is a fault to meet, not a reason to wait 10 s.
    const retry = { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 };
    const inner = new Destinations({
      github: new GitHubAppClient({
        apiUrl: this.github.url,
        appId: this.github.app.id,
        privateKey: new Secret(this.github.app.privateKeyPem),
        clock,
        dispatcher: connections,
        timeoutMs: 2_000,
        retry,
        logger,
      }),
      vault: new VaultClient({
        addr: this.vault.url,
        auth: { roleId: this.vault.roleId, secretId: new Secret(this.vault.secretId) },
        clock,
        dispatcher: connections,
        timeoutMs: 2_000,
        retry,
        logger,
      }),
      logger,
    });
    return {
      write: async (destination, item) => {
        const when = this.crashOnWrite;
        this.crashOnWrite = null;
        if (when === 'before') {
          crash();
          return new Promise<void>(() => undefined);
        }
        await inner.write(destination, item);
        if (when === 'after') {
          crash();
          return new Promise<void>(() => undefined);
        }
      },
      holds: (destination, key, since) => inner.holds(destination, key, since),
    };
  }

  /** The faults end: nothing queued at either fake, no crash armed. */
  clearFaults(): void {
    this.crashOnWrite = null;
    this.github.clearFaults();
    this.vault.clearFaults();
  }

  async close(): Promise<void> {
    await this.github.close();
    await this.vault.close();
  }
}

/** Records every call made through `target` as its arguments' JSON, into `said` (what reached Slack's side). */
function recordingCalls<T extends object>(said: string[], target: T): T {
  return new Proxy(target, {
    get: (obj, prop, receiver) => {
      const value = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        said.push(`${String(prop)} ${JSON.stringify(args)}`);
        return (value as (...a: unknown[]) => unknown).apply(obj, args);
      };
    },
  });
}

const silentDelivery: DeliveryNotifier = {
  async tell() {},
  async rotationFailed() {},
};

export interface WorldOptions {
  /** PostgreSQL URL (a throwaway schema is made); otherwise a SQLite file. */
  postgres?: string;
  /** Every destination of the policy is this one, and keys in it rotate on their role's schedule. */
  destination?: MemoryDestination;
  /**
   * The policy's destinations are the fake GitHub and the fake Vault (`FAKE_PLACES`), and keys in
   * them rotate on their role's schedule; Keyhouse's log lines are kept (`logLines`) to search.
   */
  fakes?: boolean;
  instances?: number;
  policy?: PolicyDocument;
  attemptLeaseMs?: number;
}

export class World {
  readonly reveals: Reveal[] = [];
  readonly timed: TimedMessage[] = [];
  /** Every message the tripwires answered, with how many replies and notices it got. */
  readonly leakMessages: LeakMessage[] = [];
  /** Every place outside Slack the security channel heard of (placeOf), with its notices and keys. */
  readonly outsideNotices = new Map<string, { notices: number; keys: LeakReport['keys'] }>();
  /** Each delivered key's secret, as its requester saw it (test memory only). */
  readonly secrets = new Map<string, string>();
  /** Users Slack reports deactivated (the daily check reads this; the event is sent by the test). */
  readonly deactivated = new Set<string>();
  /** Slack's user groups as the world says (`usergroups.users.list`): the on-call rota, for one. */
  readonly usergroups = new Map<string, Set<string>>();
  /**
   * A replica died holding audit events it could not write yet (the database was down): the
   * journal is in memory (issue 9 allows it), so those events are lost with the process.
   */
  journalLost = false;
  readonly instances: Instance[] = [];
  readonly #all: Instance[] = [];
  readonly clock = new ManualClock(new Date());
  logger = pino({ level: 'silent' });
  /** Keyhouse's log lines, when the world was started with `fakes` (otherwise it logs nothing). */
  logLines: string[] = [];
  /** Every call any notifier got (workflow, timers, delivery, watch), as JSON: what went towards Slack. */
  readonly said: string[] = [];
  /** The destinations' fakes, with `fakes`. */
  destinations: FakeDestinations | null = null;
  flaky!: FlakyStore;
  emulator!: Emulator;
  #schema: ThrowawaySchema | null = null;
  #dir = '';
  #stores: Store[] = [];
  #databaseUrl = '';
  #options: WorldOptions = {};
  #policy!: Policy;

  static async start(options: WorldOptions = {}): Promise<World> {
    const world = new World();
    await world.#start(options);
    return world;
  }

  async #start(options: WorldOptions): Promise<void> {
    this.#options = options;
    this.#dir = await mkdtemp(join(tmpdir(), 'keyhouse-world-'));
    this.emulator = await startEmulator({ clock: this.clock });
    if (options.fakes) {
      this.destinations = await FakeDestinations.start(this.clock);
      const captured = capturingLogger('debug');
      this.logger = captured.logger;
      this.logLines = captured.lines;
    }
    this.#schema = options.postgres ? await createThrowawaySchema(options.postgres) : null;
    this.#databaseUrl = options.postgres ?? `sqlite:${join(this.#dir, 'keyhouse.db')}`;
    const shared = await this.#openStore();
    this.flaky = new FlakyStore(shared);
    const policy = options.policy ?? testPolicy();
    this.#policy = new Policy(policy, {
      clock: this.clock,
      resolveGroup: async (groupId) => [...(this.usergroups.get(groupId) ?? [])],
    });
    for (let i = 0; i < (options.instances ?? 2); i++) this.#addInstance(i);
  }

  async #openStore(): Promise<Store> {
    const store = await openStore(this.#databaseUrl, {
      logger: this.logger,
      ...(this.#schema ? { schema: this.#schema.name } : {}),
    });
    this.#stores.push(store);
    return store;
  }

  #addInstance(index: number): Instance {
    const alive = new Killable();
    const notifier = new RecordingNotifier(this, index);
    const said = <T extends object>(target: T): T => alive.wrap(recordingCalls(this.said, target));
    // Each instance is a process of its own: its own client, budget and connections, so a crash
    // takes its queued calls with it (a request ClickHouse already received may still complete).
    const connections = new Agent();
    const client = new ClickHouseCloudClient({
      baseUrl: this.emulator.url,
      keyId: this.emulator.adminKey.keyId,
      keySecret: new Secret(this.emulator.adminKey.keySecret),
      logger: this.logger,
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
      keyListTtlMs: 0,
      // The documented 10 per 10 s, on a window short enough that timers' key lists never keep a
      // run waiting on the wall clock (the ratios are what the client's fairness works with).
      rateLimit: { requests: 10, windowMs: 200 },
      dispatcher: connections,
    });
    const keys: KeyApi = client;
    const workflow = new Workflow({
      store: alive.wrap(this.flaky.wrap()),
      keys: alive.wrap(keys),
      // Services and custom roles (product.md §16), through the same client.
      roles: alive.wrap<RoleApi>(client),
      policy: this.#policy,
      notifier: said(notifier),
      clock: this.clock,
      logger: this.logger,
      apiUrl: this.emulator.url,
      selfKeySuffix: this.emulator.adminKey.keyId.slice(-4),
      ...(this.#options.destination
        ? {
            delivery: {
              writer: alive.wrap(this.#options.destination.writer(index)),
              notifier: said(silentDelivery),
            },
          }
        : {}),
      ...(this.destinations
        ? {
            delivery: {
              writer: alive.wrap(
                this.destinations.writer(
                  { clock: this.clock, logger: this.logger, connections },
                  // The replica writing dies: the one at this index now, if it is still this one.
                  () => {
                    if (this.instances[index]?.alive === alive) this.crash(index);
                  },
                ),
              ),
              notifier: said(silentDelivery),
            },
          }
        : {}),
      replicas: {
        instanceId: `instance-${index}-${this.instances.length}`,
        exclusive: false,
        attemptLeaseMs: this.#options.attemptLeaseMs ?? 30_000,
      },
    });
    const scheduler = new Scheduler({
      store: workflow.context.store,
      keys: workflow.context.keys,
      clock: this.clock,
      logger: this.logger,
      audit: workflow.context.audit,
      // One process: the timers hold leases and marks under the workflow's own instance id.
      instanceId: workflow.context.replicas.instanceId,
      exclusive: false,
    });
    scheduler.register(retirementRule(workflow.context));
    if (this.#options.destination || this.destinations)
      scheduler.register(scheduledRotationRule(workflow.context));
    const lifecycle = new Lifecycle({
      ctx: workflow.context,
      scheduler,
      notifier: said(new RecordingLifecycleNotifier(this, index)),
      directory: alive.wrap(new WorldDirectory(this)),
    });
    const tripwire = new Tripwire({
      store: workflow.context.store,
      keys: workflow.context.keys,
      notifier: said(new RecordingWatchNotifier(this)),
      audit: workflow.context.audit,
      clock: this.clock,
      logger: this.logger,
      leakAction: 'disable',
      securityChannel: 'C0SECURITY',
      gate: workflow.context.gate,
    });
    const outside = new OutsideLeaks({
      store: workflow.context.store,
      keys: workflow.context.keys,
      notifier: said(new RecordingWatchNotifier(this)),
      audit: workflow.context.audit,
      clock: this.clock,
      logger: this.logger,
      leakAction: 'disable',
      securityChannel: 'C0SECURITY',
      gate: workflow.context.gate,
    });
    const instance = {
      index,
      workflow,
      notifier,
      alive,
      connections,
      scheduler,
      lifecycle,
      tripwire,
      client,
      outside,
    };
    this.instances[index] = instance;
    this.#all.push(instance);
    return instance;
  }

  /** Kills instance `i` where it stands (a crash) and starts a fresh one in its place. */
  crash(index: number): Instance {
    const dead = this.instances[index];
    if (dead) {
      if (dead.workflow.context.audit.journaled > 0) this.journalLost = true;
      dead.alive.kill();
      void dead.connections.destroy().catch(() => undefined);
    }
    return this.#addInstance(index);
  }

  /** Every instance ever started, the crashed ones included (their budget's account still counts). */
  get everyInstance(): readonly Instance[] {
    return this.#all;
  }

  instance(index: number): Instance {
    const found = this.instances[index];
    if (!found) throw new Error(`no instance ${index}`);
    return found;
  }

  /** Every byte the store holds (the SQLite files, or every row of the PostgreSQL schema), to search for a secret. */
  async storeText(): Promise<string> {
    if (this.#schema) return this.#schema.text();
    const files = await readdir(this.#dir);
    const texts = await Promise.all(files.map((name) => readFile(join(this.#dir, name), 'latin1')));
    return texts.join('\n');
  }

  /** The store as it really is (never down), for checking. */
  get store(): Store {
    return this.flaky.inner;
  }

  async close(): Promise<void> {
    for (const instance of this.instances) {
      instance.alive.kill();
      await instance.connections.destroy().catch(() => undefined);
    }
    for (const store of this.#stores) await store.close().catch(() => undefined);
    await this.emulator.close();
    await this.destinations?.close();
    await this.#schema?.drop();
    await rm(this.#dir, { recursive: true, force: true });
  }
}
