import { randomUUID } from 'node:crypto';
import type { Receiver } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import type { Logger } from 'pino';
import { runAs } from './api/index.js';
import { App, AuthorizationError, HTTPReceiver, LogLevel, SocketModeReceiver } from './bolt.js';
import { type Clock, systemClock } from './core/clock.js';
import type { DestinationWriter } from './core/delivery-ports.js';
import type { Store } from './core/model.js';
import type { RoleApi } from './core/ports.js';
import { createErrorHandler } from './handlers/errors.js';
import { type HandlerDeps, listAtOnce, RenderedLists, registerHandlers } from './handlers/index.js';
import {
  healthRoute,
  metricsRoute,
  type Readiness,
  readinessOf,
  readinessRoute,
  slackEventsRoute,
} from './http/routes.js';
import { type Handler, HttpServer, type RouteKey, type Routes } from './http/server.js';
import { Catalog } from './i18n/index.js';
import { boltLogger } from './logger.js';
import { Metrics, observeNotifier } from './metrics.js';
import type { OutsideLeakRoutesOptions } from './outside-leak-routes.js';
import { Policy, type PolicyDocument } from './policy/index.js';
import { SlackAccessNotifier } from './slack/access-notifier.js';
import { SlackDeliveryNotifier } from './slack/delivery-notifier.js';
import { SlackNotifier } from './slack/notifier.js';
import { SlackPeople } from './slack/people.js';
import { SlackReaders } from './slack/readers.js';
import { SlackDirectory, SlackLifecycleNotifier } from './slack/timers-notifier.js';
import { SlackWatchNotifier } from './slack/watch-notifier.js';
import { notifierWords } from './slack/words.js';
import { Lifecycle } from './timers/index.js';
import { retirementRule } from './timers/retirement.js';
import { scheduledRotationRule } from './timers/scheduled-rotation.js';
import { Scheduler, type TickResult } from './timers/scheduler.js';
import { cached } from './util/cached.js';
import { InFlight } from './util/in-flight.js';
import { refuseWhileNoWait } from './util/no-wait.js';
import { alertResolutionComment } from './views/outside-leaks.js';
import { type ActivitySource, DriftWatch } from './watch/drift.js';
import type { AlertSource } from './watch/github-alerts.js';
import { Tripwire } from './watch/tripwire.js';
import { type KeyApi, Workflow } from './workflow/index.js';

export interface KeyhouseOptions {
  slack: {
    botToken: string;
    /** HTTP mode: verifies every request. Required unless `appToken` is set. */
    signingSecret: string | null;
    /** Socket Mode when set (`xapp-…`): no public URL, events arrive over a WebSocket. */
    appToken?: string | null;
    /** Web API base URL ending in `/api/`. */
    apiUrl: string;
    command: string;
    /** From `auth.test`, so Bolt does not call it on its own at construction. */
    botId: string;
    botUserId: string;
    clientOptions?: Omit<WebClientOptions, 'slackApiUrl' | 'logger'>;
  };
  policy: PolicyDocument;
  store: Store;
  keys: KeyApi;
  /** ClickHouse API origin, shown in the `curl` example next to a new secret. */
  clickhouseApiUrl: string;
  /** Keyhouse's own key ID (only its last four characters are used, to mark that key in lists). */
  clickhouseKeyId: string;
  logger: Logger;
  clock?: Clock;
  /** Transport for `response_url` posts (defaults to the global fetch). */
  fetch?: typeof fetch;
  /**
   * The sweep settles interrupted key creation and expires overdue requests: once at start, then
   * every `intervalMs` (default 30 s). `timer: false` leaves the scheduler's timers off, this one
   * and those below (tests call `sweep()`, `tick()` and `drift()` themselves); the sweep at start
   * still runs.
   */
  sweep?: { intervalMs?: number; timer?: boolean };
  /**
   * Timed lifecycle work (product.md §8): a tick every `intervalMs` (default 60 s) when the sweep's
   * timer runs; at most `writesPerTick` ClickHouse writes per tick (default 2).
   */
  timers?: { intervalMs?: number; writesPerTick?: number };
  /**
   * The drift watch reads ClickHouse's activities every `intervalMs` (default 10 minutes), one replica
   * at a time, when `keys` can list activities; its timer runs when the sweep's does (tests call `drift()`).
   */
  drift?: { intervalMs?: number };
  /**
   * `exclusive`: this instance is the database's only user (SQLite), so anything left `creating`
   * was interrupted. Otherwise (PostgreSQL replicas) attempts hold leases of `attemptLeaseMs`.
   */
  replicas?: { exclusive: boolean; attemptLeaseMs?: number };
  /** `/readyz` caches upstream checks this long so probes do not spend the ClickHouse budget (default 60 s). */
  readinessTtlMs?: number;
  /** How long `close()` waits for work in flight (default 10 s). */
  shutdownGraceMs?: number;
  /** Served on `/metrics`; a fresh registry when absent. Pass the one the ClickHouse client reports to. */
  metrics?: Metrics;
  /** Writes keys to the policy's destinations (product.md §12; src/delivery); absent, none is reachable. */
  destinations?: DestinationWriter;
  /**
   * Leaks found outside Slack (product.md §13). `POST /leaks/github` is served with `github` (the App's
   * alert reader and `GITHUB_WEBHOOK_SECRET`), `POST /leaks/report` with `reportToken`
   * (`LEAK_REPORT_TOKEN`); each is 404 without its setting, and both with `leakAction: off`.
   */
  leaks?: { github?: { alerts: AlertSource; webhookSecret: string }; reportToken?: string };
}

export type { Readiness } from './http/routes.js';

export interface Keyhouse {
  readonly app: App;
  readonly workflow: Workflow;
  readonly policy: Policy;
  readonly mode: 'http' | 'socket';
  readonly metrics: Metrics;
  /**
   * Serves `/healthz` and `/readyz` on `port` (0 = ephemeral) and, in HTTP mode, `/slack/events`;
   * in Socket Mode also connects to Slack. Resolves to the bound port.
   */
  listen(port: number, host?: string): Promise<number>;
  /** One sweep now (what the timer does), under the replica-wide lease. */
  sweep(): Promise<void>;
  /** Where timed rules live; register more with `scheduler.register(rule)`. */
  readonly scheduler: Scheduler;
  /** One tick of the timed rules now (what the timer does), under their replica-wide lease. */
  tick(): Promise<TickResult>;
  /** One drift pass now (what its timer does), under its replica-wide lease; 0 when another replica holds it. */
  drift(): Promise<{ reported: number }>;
  ready(): Promise<Readiness>;
  /**
   * Stops taking new work (the HTTP server stops accepting, the socket disconnects), waits up to
   * the grace period for work in flight, and stops the timers. The store stays open for the caller
   * to close. `drained` is false when work was still running at the deadline.
   */
  close(): Promise<{ drained: boolean }>;
}

/** Builds the whole app from what it is given; tests build the very same one. */
export function createApp(options: KeyhouseOptions): Keyhouse {
  const { logger, store } = options;
  const clock = options.clock ?? systemClock;
  const instanceId = randomUUID();
  const socketMode = Boolean(options.slack.appToken);
  const metrics = options.metrics ?? new Metrics();
  metrics.countRequestsWith(() => store.countRequestsByState());
  const clientOptions: WebClientOptions = {
    ...options.slack.clientOptions,
    // Every Web API call of Bolt's clients passes here: failed calls are counted by method.
    fetch: metrics.slackFetch(options.slack.clientOptions?.fetch ?? globalThis.fetch),
    slackApiUrl: options.slack.apiUrl,
    // Socket Mode would otherwise write 100 retries into these options (slack-platform.md §5).
    retryConfig: options.slack.clientOptions?.retryConfig ?? { retries: 3 },
  };

  // Bolt and its Web API client log whole message bodies at debug, and a secret's fallback path
  // goes through `chat.postEphemeral`: they are held at info whatever LOG_LEVEL says.
  const bolt = boltLogger(logger);
  const boltLevel = logger.isLevelEnabled('debug') ? LogLevel.INFO : bolt.getLevel();
  const signingSecret = socketMode ? '' : requireSigningSecret(options);
  const httpReceiver = socketMode
    ? null
    : new HTTPReceiver({
        signingSecret,
        // Every request reaches Bolt through `handle`, whose edge check (http/slack-request.ts) has
        // verified the signature, with a stricter clock; a second HMAC would only cost each request.
        signatureVerification: false,
        logger: bolt,
        logLevel: boltLevel,
        // An unrouted payload is answered 404 before Slack's 3 s run out, not just after.
        unhandledRequestTimeoutMillis: 2_500,
        // Bolt answers 500 when it cannot read an envelope; that is the sender's fault: 400.
        processEventErrorHandler: async ({ error, response }) => {
          if (response.headersSent) return false;
          logger.warn({ err: error }, 'Bolt could not process a request');
          response.writeHead(error instanceof AuthorizationError ? 401 : 400).end();
          return true;
        },
      });
  const receiver: Receiver =
    httpReceiver ??
    new SocketModeReceiver({
      appToken: options.slack.appToken ?? '',
      logger: bolt,
      logLevel: boltLevel,
      installerOptions: { clientOptions },
    });
  const app = new App({
    receiver,
    token: options.slack.botToken,
    botId: options.slack.botId,
    botUserId: options.slack.botUserId,
    logger: bolt,
    logLevel: boltLevel,
    extendedErrorHandler: true,
    // Keyhouse keeps its state in its store; Bolt's conversation store would only cost every event.
    convoStore: false,
    clientOptions,
  });

  const policy = new Policy(options.policy, {
    clock,
    logger,
    resolveGroup: async (usergroup) => (await app.client.usergroups.users.list({ usergroup })).users ?? [],
  });
  // Each person reads their own language and time zone; channels read the policy's language, in UTC.
  const catalog = new Catalog();
  const readers = new SlackReaders({
    client: app.client,
    clock,
    fallback: { locale: options.policy.locale, timeZone: 'UTC' },
    logger,
  });
  const words = notifierWords(catalog, readers, { locale: options.policy.locale, timeZone: 'UTC' });
  const slackNotifier = new SlackNotifier({
    client: app.client,
    approvalChannel: options.policy.approvalChannel,
    command: options.slack.command,
    fetch: options.fetch,
    logger,
    words,
  });
  const notifier = observeNotifier(slackNotifier, metrics, clock);
  const exclusive = options.replicas?.exclusive ?? true;
  // Ack first (handlers/ack-first.ts): while a listener decides its acknowledgement, ClickHouse and
  // Slack refuse to be waited on; a key list already in memory may still be shown.
  const source = options.keys;
  const keys = refuseWhileNoWait('ClickHouse', source, {
    atHand: (method, args) => {
      if (
        method === 'keyListAtHand' ||
        method === 'keyAtHand' ||
        method === 'serviceListAtHand' ||
        method === 'keysAtHand'
      )
        return true;
      if (method === 'listServices') {
        const services = source as Partial<{ serviceListAtHand(): boolean }>;
        return (
          !(args[0] as { fresh?: boolean } | undefined)?.fresh && services.serviceListAtHand?.() === true
        );
      }
      if (method === 'listKeys')
        return !(args[0] as { fresh?: boolean } | undefined)?.fresh && source.keyListAtHand?.() === true;
      return method === 'getKey' && source.keyAtHand?.(String(args[0])) === true;
    },
  });
  // A notice or a message rewrite a decision makes on the way (an overdue request found expired)
  // goes out just after the acknowledgement instead of being waited for.
  const guardedNotifier = refuseWhileNoWait('Slack', notifier, {
    defer: ['updateApproval', 'replyInThread', 'updateClaim', 'tellRequester'],
    onDeferredError: (error, method) => logger.warn({ err: error, method }, 'a deferred Slack notice failed'),
  });
  // Guarded like the key API: a services list not yet read waits until after the acknowledgement.
  const roles = roleSource(keys);
  const workflow = new Workflow({
    store,
    keys,
    ...(roles ? { roles } : {}),
    policy,
    notifier: guardedNotifier,
    clock,
    logger,
    apiUrl: options.clickhouseApiUrl,
    selfKeySuffix: options.clickhouseKeyId.slice(-4),
    people: new SlackPeople(app.client),
    // Channel posts speak the policy's language.
    access: new SlackAccessNotifier(
      app.client,
      catalog.messages({ locale: options.policy.locale, timeZone: 'UTC' }),
    ),
    ...(options.destinations
      ? {
          delivery: {
            writer: options.destinations,
            notifier: new SlackDeliveryNotifier({
              client: app.client,
              catalog,
              readers,
              securityChannel: options.policy.security.channel,
              locale: options.policy.locale,
            }),
          },
        }
      : {}),
    replicas: {
      instanceId,
      exclusive,
      attemptLeaseMs: options.replicas?.attemptLeaseMs ?? 30_000,
    },
  });

  // Every event, from arrival to the end of its listeners, counts as work in flight.
  const inFlight = new InFlight();
  app.use(async (args) => {
    const done = inFlight.begin();
    try {
      // Every ClickHouse call this event leads to is counted to the person who caused it, so one
      // person's burst cannot starve another's click (api/budget.ts).
      await runAs(actorOf(args.body), () => args.next());
    } catch (error) {
      // A listener that failed before acknowledging would leave Slack showing a timeout: ack now
      // (a second ack only throws, and is ignored), and the error handler tells the user why.
      if ('ack' in args && typeof args.ack === 'function') {
        await (args.ack as () => Promise<void>)().catch(() => undefined);
      }
      throw error;
    } finally {
      done();
    }
  });
  const security = options.policy.security;
  // Channel posts in the policy's language; each owner's DM in their own.
  const channelWords = () => catalog.messages({ locale: options.policy.locale, timeZone: 'UTC' });
  const watchNotifier = new SlackWatchNotifier(app.client, {
    channel: channelWords,
    person: async (userId) => catalog.messages(await readers.of(userId)),
  });
  const tripwire =
    security.leakAction === 'off'
      ? null
      : new Tripwire({
          store,
          // The client lists read: its own writes update its cached list, so the next list shows them.
          keys: options.keys,
          notifier: watchNotifier,
          audit: workflow.context.audit,
          clock,
          logger: logger.child({ component: 'tripwire' }),
          leakAction: security.leakAction,
          securityChannel: security.channel,
          gate: workflow.context.gate,
          metrics,
        });
  // All timed work (the sweep, the timed rules, the drift watch) runs on it, one replica at a time.
  const scheduler = new Scheduler({
    store,
    keys: options.keys,
    clock,
    logger,
    audit: workflow.context.audit,
    instanceId,
    exclusive,
    intervalMs: options.timers?.intervalMs,
    writesPerTick: options.timers?.writesPerTick,
    inFlight,
  });
  // Rotation retires the old key at the end of its overlap: one more timed rule (workflow/rotate.ts).
  scheduler.register(retirementRule(workflow.context));
  // A key in a destination is replaced on its role's schedule (product.md §12).
  scheduler.register(scheduledRotationRule(workflow.context));
  const lifecycle = new Lifecycle({
    ctx: workflow.context,
    scheduler,
    notifier: new SlackLifecycleNotifier(app.client, words),
    directory: new SlackDirectory(app.client),
  });
  const handlerDeps: HandlerDeps = {
    workflow,
    lifecycle,
    policy,
    catalog,
    readers,
    command: options.slack.command,
    logger,
    fetch: options.fetch,
    kickTimers: () => scheduler.tickSoon(),
    budgetWaitMs: () => source.budgetWaitMs?.() ?? 0,
    renderedLists: new RenderedLists(),
    ...(tripwire
      ? { watch: { tripwire, botUserId: options.slack.botUserId, botId: options.slack.botId } }
      : {}),
  };
  registerHandlers(app, handlerDeps);
  app.error(
    createErrorHandler({
      logger,
      client: app.client,
      fetch: options.fetch,
      catalog,
      readers,
      command: options.slack.command,
    }),
  );

  const sweep = scheduler.every({
    name: 'sweep',
    intervalMs: options.sweep?.intervalMs ?? 30_000,
    run: () => sweepOnce(workflow, metrics, logger),
    onSkipped: () => metrics.sweepSkipped(),
  });
  const activities = activitySource(options.keys);
  const driftWatch = activities
    ? new DriftWatch({
        store,
        keys: options.keys,
        activities,
        notifier: watchNotifier,
        audit: workflow.context.audit,
        clock,
        logger: logger.child({ component: 'drift' }),
        securityChannel: security.channel,
        unmanagedKeys: security.unmanagedKeys,
        selfKeySuffix: options.clickhouseKeyId.slice(-4),
        metrics,
      })
    : null;
  // The per-activity claims keep each report single even if two passes overlap.
  const drift = driftWatch
    ? scheduler.every({
        name: 'drift',
        intervalMs: options.drift?.intervalMs ?? 600_000,
        atStart: true,
        run: async () => {
          const result = await driftWatch.run();
          if (result.reported) logger.info(result, 'drift reported');
          return result;
        },
      })
    : null;

  const upstreamTtl = options.readinessTtlMs ?? 60_000;
  const ready = readinessOf(
    {
      database: () => store.ping(),
      // Cached, so that probes do not spend the ClickHouse budget.
      clickhouse: cached(upstreamTtl, () => options.keys.listOrganizations()),
      slack: cached(upstreamTtl, () => app.client.auth.test()),
    },
    logger,
  );

  let stopping = false;
  let stopWarmingGroups: (() => void) | null = null;
  // The doors for leaks found outside Slack, each when configured; their module loads only then.
  const leakRoutes =
    security.leakAction === 'off'
      ? {}
      : outsideLeakDoors(logger, {
          leaks: {
            store,
            keys: options.keys,
            notifier: watchNotifier,
            audit: workflow.context.audit,
            clock,
            logger: logger.child({ component: 'leaks' }),
            leakAction: security.leakAction,
            securityChannel: security.channel,
            gate: workflow.context.gate,
            metrics,
          },
          github: options.leaks?.github,
          reportToken: options.leaks?.reportToken,
          store,
          clock,
          logger: logger.child({ component: 'leaks' }),
          secretTypes: security.github?.secretTypes ?? [],
          comment: (keys) => alertResolutionComment(channelWords(), keys),
          inFlight,
          stopping: () => stopping,
        });
  const server = new HttpServer({
    logger,
    routes: {
      'GET /healthz': healthRoute(),
      'GET /readyz': readinessRoute(ready, () => stopping),
      'GET /metrics': metricsRoute(metrics, logger),
      ...leakRoutes,
      ...(httpReceiver && {
        'POST /slack/events': slackEventsRoute({
          signingSecret,
          logger,
          stopping: () => stopping,
          deliver: httpReceiver.requestListener,
          // A key list drawn before and still right is answered here, without Bolt.
          answerAtOnce: listAtOnce(handlerDeps),
        }),
      }),
    },
  });

  return {
    app,
    workflow,
    policy,
    mode: socketMode ? 'socket' : 'http',
    metrics,
    async listen(port, host = '0.0.0.0') {
      const bound = await server.listen(port, host);
      if (socketMode) await app.start();
      // Group memberships are looked up before anyone clicks, and kept fresh, so no click waits on Slack.
      stopWarmingGroups = policy.keepGroupsWarm();
      // A policy that cannot work (a role needing more approvals than it has approvers) is said at
      // start, not found by the first requester whose request waits forever.
      void policy.unapprovableRoles().then(
        (roles) => {
          for (const { roleId, approvals, approvers } of roles) {
            logger.warn(
              { side: 'policy', role: roleId, approvals, approvers },
              `policy: role "${roleId}" needs ${approvals} approvals but the policy's approvers are ${approvers} ` +
                'people: its requests can never be approved; lower its approvals or add approvers',
            );
          }
        },
        (error: unknown) => logger.warn({ err: error }, 'policy: could not count the approvers'),
      );
      // What a crash left behind is settled at start, in the background: the first ack must not wait.
      sweep.soon();
      // Timed rules start with the first interval, not at start: a restart storm must not make
      // every replica read the key list at once. The drift watch starts at once.
      if (options.sweep?.timer !== false) scheduler.start();
      return bound;
    },
    async sweep() {
      await sweep.now();
    },
    scheduler,
    tick: () => scheduler.tick(),
    async drift() {
      const turn = await drift?.now();
      return turn?.ran ? turn.result : { reported: 0 };
    },
    ready,
    async close() {
      stopping = true;
      scheduler.stop();
      stopWarmingGroups?.();
      let drained = false;
      await server.close(async () => {
        if (socketMode)
          await app.stop().catch((error: unknown) => logger.warn({ err: error }, 'socket stop failed'));
        drained = await inFlight.idle(options.shutdownGraceMs ?? 10_000);
        if (!drained) logger.warn({ running: inFlight.running }, 'shutting down with work still in flight');
      });
      return { drained };
    },
  };
}

/**
 * The outside-leak routes (`src/outside-leak-routes.ts`), served when configured: their module is
 * imported here, at start, only if a door is, and each route waits for it (it has long loaded by the
 * first delivery). Which routes exist is known at once, so an unconfigured door stays 404.
 */
function outsideLeakDoors(logger: Logger, options: OutsideLeakRoutesOptions): Routes {
  const keys: RouteKey[] = [
    ...(options.github ? (['POST /leaks/github'] as const) : []),
    ...(options.reportToken ? (['POST /leaks/report'] as const) : []),
  ];
  if (keys.length === 0) return {};
  const loaded = import('./outside-leak-routes.js').then(({ outsideLeakRoutes }) =>
    outsideLeakRoutes(options),
  );
  // Seen at start in the log, not only by the first delivery.
  loaded.catch((error: unknown) =>
    logger.error({ err: error }, 'the outside-leak routes could not be loaded'),
  );
  const routes: Partial<Record<RouteKey, Handler>> = {};
  for (const key of keys) {
    routes[key] = (req, res) => {
      loaded.then(
        (built) => built[key]!(req, res),
        () => {
          if (!res.headersSent) res.writeHead(500).end();
        },
      );
    };
  }
  return routes;
}

/** One sweep (workflow.sweep: settle interrupted creation, delete lost keys, lapse overdue requests), measured. */
async function sweepOnce(workflow: Workflow, metrics: Metrics, logger: Logger): Promise<void> {
  const started = performance.now();
  let outcome: 'ok' | 'failed' = 'failed';
  try {
    const result = await workflow.sweep();
    outcome = 'ok';
    if (result.expired || result.settled) logger.info(result, 'sweep');
  } finally {
    metrics.sweepRan((performance.now() - started) / 1000, outcome);
  }
}

/** The client can list services and manage roles (the real one can; a test's wrapper may not). */
function roleSource(keys: KeyApi): RoleApi | null {
  const candidate = keys as Partial<RoleApi>;
  const methods = ['listServices', 'listRoles', 'getRole', 'createRole', 'updateRole', 'deleteRole'] as const;
  return methods.every((name) => typeof candidate[name] === 'function') ? (keys as KeyApi & RoleApi) : null;
}

/** The client can read activities (the real one can; a test's wrapper may not). */
function activitySource(keys: KeyApi): ActivitySource | null {
  const candidate = keys as Partial<ActivitySource>;
  return typeof candidate.listActivities === 'function' ? (keys as KeyApi & ActivitySource) : null;
}

/** The Slack user behind an event, command or interaction; `slack` for events with none. */
function actorOf(body: unknown): string {
  if (typeof body !== 'object' || body === null) return 'slack';
  const b = body as { user?: unknown; user_id?: unknown; event?: { user?: unknown } };
  // `user` is an object in interactions and in a user_change event, an id elsewhere.
  const idOf = (user: unknown) =>
    typeof user === 'object' && user !== null ? (user as { id?: unknown }).id : user;
  const id = idOf(b.user) ?? b.user_id ?? idOf(b.event?.user);
  return typeof id === 'string' && id !== '' ? id : 'slack';
}

function requireSigningSecret(options: KeyhouseOptions): string {
  if (!options.slack.signingSecret)
    throw new Error('HTTP mode needs the signing secret (or set an app token for Socket Mode)');
  return options.slack.signingSecret;
}
