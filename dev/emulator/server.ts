/**
 * A local ClickHouse Cloud management API for tests and development: the organization, API key,
 * role and service endpoints Keyhouse uses, with the real envelopes, Basic auth, the documented limits (10 requests
 * per 10 s per key, 100 keys per organization) and switches to make it misbehave on purpose.
 *
 * Behaviour follows `clickhouse-cloud-api.md`; where that marks something UNCERTAIN the choice made
 * here is commented where it is implemented (`state.ts`, `routes.ts`).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../../src/core/clock.js';
import {
  type CappedBody,
  listen,
  parseForRecord,
  sendJson,
  serveRecorded,
  withholdAnswer,
} from '../http-kit.js';
import { ApiError } from './errors.js';
import { type CreateFailMode, FaultPlan, type FaultStatus, type GarbageKind, wrongTypes } from './faults.js';
import { generateKeyId, generateKeySecret, hashCredential } from './ids.js';
import { maxInWindow, type RateLimit, SlidingWindowLimiter, toRateLimit } from './rate-limit.js';
import { keyChanges } from './route-support.js';
import { dispatch, type EmulatorRoute, matchRoute } from './routes.js';
import type { NewService } from './services.js';
import {
  type ActivityActor,
  type ActivityType,
  type EmulatedActivity,
  EmulatorState,
  type KeyUpdateType,
  type NewKey,
  type NewRole,
  type ServedActivity,
} from './state.js';
import {
  type EmulatedKey,
  type EmulatedRole,
  type EmulatedService,
  type IpAccessListEntry,
  LEGACY_ROLES,
  type LegacyRole,
} from './types.js';

export type { CreateFailMode, FaultStatus, GarbageKind } from './faults.js';
export type { RateLimit } from './rate-limit.js';
export type { EmulatorRoute } from './routes.js';
export type { NewService, ServiceState } from './services.js';
export type {
  ActivityType,
  EmulatedActivity,
  KeyUpdateType,
  NewPolicy,
  NewRole,
  ServedActivity,
} from './state.js';

/** The console user `addKey` / `removeKey` act as unless told otherwise. */
export const CONSOLE_USER_ID = '5b6f1c9e-0d3a-4c41-9d2e-8f7a6b5c4d3e';
export type {
  AssignedRole,
  EmulatedKey,
  EmulatedPolicy,
  EmulatedRole,
  EmulatedService,
  IpAccessListEntry,
} from './types.js';

export interface EmulatorOptions {
  /** Listen address; default `127.0.0.1`. */
  host?: string;
  /** Default 0: an ephemeral port. */
  port?: number;
  organization?: { id?: string; name?: string };
  /** The bootstrapped admin key (legacy role `admin` and the Admin system role); generated when absent. */
  adminKey?: { keyId?: string; keySecret?: string; name?: string };
  /** `true` = the documented 10 requests per 10 000 ms per key; default off. */
  rateLimit?: boolean | RateLimit;
  /** Added before every response. */
  latencyMs?: number;
  /** Keys per organization, the admin key included; default 100 (the documented limit). */
  maxKeys?: number;
  /** Time for `createdAt`, `usedAt`, expiry and the rate window; latency and trickling use real time. */
  clock?: Clock;
  /** Debug line per request (method, path, route, status); nothing is logged without it. */
  logger?: Logger;
}

/** One request as the emulator saw it. Holds no credentials: secrets in create answers are `[redacted]`. */
export interface RecordedRequest {
  /** Arrival, ms since the epoch, from the emulator's clock. */
  at: number;
  method: string;
  /** Path without the query string. */
  path: string;
  route: EmulatorRoute | null;
  /** The status sent; 0 while in flight or when the socket was dropped without an answer. */
  status: number;
  /** The Basic-auth user name sent, known key or not. */
  keyId: string | null;
  /** Parsed JSON body, the raw text when not JSON, `undefined` when empty. */
  body: unknown;
  /** The body sent (parsed JSON, or text for non-JSON answers); null when nothing was sent. */
  response: unknown;
}

export interface Emulator {
  /** Origin, e.g. `http://127.0.0.1:43123` (no `/v1`). */
  readonly url: string;
  readonly organizationId: string;
  /** `keyId`/`keySecret` are the Basic credentials, `id` the key's UUID. */
  readonly adminKey: { keyId: string; keySecret: string; id: string };
  /** Every request seen, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Current keys as the API returns them (`ApiKey`), in creation order. */
  keys(): EmulatedKey[];
  /**
   * Whether ClickHouse would let this key id and secret in from loopback now (disabled, expired, a
   * wrong secret: refused), decided as the API's own check is, without marking the key used: how a
   * test asks whether a pair a destination holds is the one issued and still works.
   */
  accepts(keyId: string, keySecret: string): boolean;
  /**
   * Seeds a key as if made in the console. `roles` entries are legacy role values (`admin`, `developer`,
   * `query_endpoints`) or role names/UUIDs, which become `assignedRoles`. Unlike the API, a past `expireAt`
   * is allowed, to seed expired keys. Counts toward `maxKeys`.
   */
  addKey(input: {
    name: string;
    roles?: string[];
    expireAt?: string | null;
    state?: 'enabled' | 'disabled';
    ipAccessList?: IpAccessListEntry[];
  }): { key: EmulatedKey; keyId: string; keySecret: string };
  /** Deletes a key behind the client's back, as an admin in the console would. Throws for an unknown id. */
  removeKey(id: string): void;
  /** Current roles (system and custom) as `GET …/roles` returns them. */
  roles(): EmulatedRole[];
  /**
   * Makes a custom role as a person in the console would (one Keyhouse did not make), under the same
   * rules as `POST …/roles`; throws the API's refusal as an error.
   */
  addRole(input: NewRole): EmulatedRole;
  /** Current services as `GET …/services` returns them, in the order they were added. */
  services(): EmulatedService[];
  /**
   * Seeds a running service as if made in the console (`id` defaults to a new UUID, `provider` to
   * aws, `region` to us-east-1). The API's own service creation is not emulated.
   */
  addService(input: NewService): EmulatedService;
  /** Renames a service in the console; roles name it by id, so they still do. */
  renameService(id: string, name: string): EmulatedService;
  /** Deletes a service in the console; custom roles that name it keep doing so. Throws for an unknown id. */
  removeService(id: string): void;
  /**
   * Acts as a person in the ClickHouse Cloud console (default `console-user@example.com`): keys they add,
   * change or remove are recorded as their activities (`actorType: user`), as `addKey`/`removeKey` are.
   */
  asConsoleUser(user?: { id?: string; email?: string }): {
    addKey: Emulator['addKey'];
    updateKey(
      id: string,
      patch: { name?: string; state?: 'enabled' | 'disabled'; expireAt?: string | null },
    ): EmulatedKey;
    removeKey(id: string): void;
  };
  /** Every activity recorded so far, oldest first, as `GET …/activities` returns them. */
  activities(): ServedActivity[];
  /**
   * Records an activity of any type the emulator knows, now, as the console user: a service
   * starting or a login (what a key watch must read past), or a key event. `without` serves it
   * without those fields, as the spec allows (it requires none): a malformed entry that a client
   * must read past.
   */
  addActivity(input: {
    type: ActivityType;
    targetKeyId?: string;
    keyUpdateType?: KeyUpdateType;
    without?: Array<keyof EmulatedActivity>;
  }): EmulatedActivity;
  /**
   * The next `count` authenticated requests to `route` get `status` and are not processed. 429 answers
   * `{"error":"TOO_MANY_REQUESTS"}` with `X-RateLimit-Reset: resetSeconds` (default 1); the others the
   * error envelope. Faults queue per route in the order they were planned.
   */
  failNext(
    route: EmulatorRoute,
    count: number,
    status: FaultStatus,
    options?: { resetSeconds?: number },
  ): void;
  /**
   * The next `count` successful creates DO create the key, then answer 500 (`status500`, default),
   * answer 200 without `keySecret` (`no-secret`), destroy the socket without an answer (`drop`), or
   * never answer (`hang`: the connection stays open
   * until the client goes away or the emulator closes; a crash test kills the client once `keys()`
   * shows the key). A create that fails anyway does not use one up.
   */
  createThenFail(count: number, mode?: CreateFailMode): void;
  /**
   * The next `count` authenticated requests to `route` are processed as usual (a create does create the
   * key), but the answer is garbled: `non-json` an HTML page with status 200; `truncated` the headers and
   * half the body, then the socket is destroyed; `wrong-types` the JSON with every leaf of the wrong type;
   * `trickle` the correct answer in 20 pieces 100 ms apart (about 2 s).
   */
  garbageNext(route: EmulatorRoute, count: number, kind: GarbageKind): void;
  setLatency(ms: number): void;
  /** Switching the limit starts every key's window afresh. */
  setRateLimit(limit: boolean | RateLimit): void;
  /** The most requests (all routes, all keys, 429s included) that arrived within any `windowMs`. */
  maxRequestsInWindow(windowMs: number): number;
  /** Stops listening and drops open connections, pending latency and trickles. */
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json';
const TRICKLE_PIECES = 20;
const TRICKLE_INTERVAL_MS = 100;

/** An answer decided for a request, before latency and garbling are applied. */
interface JsonReply {
  kind: 'json';
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  garble?: GarbageKind;
}
type Reply = JsonReply | { kind: 'drop' } | { kind: 'hang' };

/**
 * Every answer but a 429 carries a `requestId`, as the spec's envelopes do. (The one public 401 sample,
 * from 2023, had none; clients must cope with both.)
 */
function envelopeError(error: ApiError): JsonReply {
  return {
    kind: 'json',
    status: error.status,
    body: { status: error.status, error: error.error, requestId: randomUUID() },
  };
}

/** The 429 body has neither `status` nor `requestId` (TF #133, PR #366). */
function tooManyRequests(resetSeconds: number): JsonReply {
  return {
    kind: 'json',
    status: 429,
    body: { error: 'TOO_MANY_REQUESTS' },
    headers: { 'X-RateLimit-Reset': String(resetSeconds) },
  };
}

function parseBasic(header: string | undefined): { keyId: string; keySecret: string } | null {
  const match = /^Basic\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { keyId: decoded.slice(0, colon), keySecret: decoded.slice(colon + 1) };
}

/** The secret of a create answer must never reach `requests`. */
function redact(body: unknown): unknown {
  const result = (body as { result?: { keySecret?: unknown } } | null)?.result;
  if (typeof result?.keySecret !== 'string') return body;
  const copy = structuredClone(body) as { result: { keySecret: string } };
  copy.result.keySecret = '[redacted]';
  return copy;
}

function toDate(value: string | null | undefined, what: string): Date | null {
  if (value === undefined || value === null || value === '') return null;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`${what}: not a date: ${value}`);
  return date;
}

/** A person in the ClickHouse Cloud console, as activities name them. */
function consoleActor(user: { id?: string; email?: string } = {}): ActivityActor {
  return {
    actorType: 'user',
    actorId: user.id ?? CONSOLE_USER_ID,
    actorDetails: user.email ?? 'console-user@example.com',
    actorIpAddress: '198.51.100.7',
  };
}

/** Starts the emulator on loopback; resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const clock = options.clock ?? systemClock;
  const host = options.host ?? '127.0.0.1';
  const maxKeys = options.maxKeys ?? 100;
  if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new RangeError(`maxKeys must be a positive integer`);
  const logger = options.logger;
  const state = new EmulatorState({
    clock,
    organizationId: options.organization?.id ?? randomUUID(),
    organizationName: options.organization?.name ?? 'Emulated organization',
    maxKeys,
  });
  const limiter = new SlidingWindowLimiter(toRateLimit(options.rateLimit));
  const faults = new FaultPlan();
  const requests: RecordedRequest[] = [];
  const closing = new AbortController();
  let latencyMs = Math.max(0, options.latencyMs ?? 0);

  /** Creates a key outside the API (the bootstrapped admin key, console seeds). */
  function seedKey(input: NewKey, credentials?: { keyId: string; keySecret: string }) {
    const keyId = credentials?.keyId ?? generateKeyId();
    const keySecret = credentials?.keySecret ?? generateKeySecret();
    const key = state.createKey(input, {
      keyIdHash: hashCredential(keyId),
      keyIdSuffix: keyId.slice(-4),
      keySecretHash: hashCredential(keySecret),
    });
    return { key, keyId, keySecret };
  }

  const adminOptions = options.adminKey ?? {};
  if ((adminOptions.keyId === undefined) !== (adminOptions.keySecret === undefined)) {
    throw new Error('adminKey: give both keyId and keySecret, or neither');
  }
  const admin = seedKey(
    {
      name: adminOptions.name ?? 'Keyhouse admin (emulator)',
      state: 'enabled',
      // The legacy role brings its system role (Admin) with it, as the key reads back in the real API.
      roles: ['admin'],
      assignedRoleIds: [],
      expireAt: null,
      ipAccessList: [{ source: '0.0.0.0/0', description: 'Anywhere' }],
    },
    adminOptions.keyId !== undefined && adminOptions.keySecret !== undefined
      ? { keyId: adminOptions.keyId, keySecret: adminOptions.keySecret }
      : undefined,
  );

  /** Decides the answer: route, auth, rate limit, planned faults, then the handler. */
  function decide(req: IncomingMessage, record: RecordedRequest, raw: CappedBody): Reply {
    const match = matchRoute(record.method, record.path);
    if (!match) return envelopeError(new ApiError(404, `No route for ${record.method} ${record.path}`));
    const route = match.route.name;
    record.route = route;

    const credentials = parseBasic(req.headers.authorization);
    record.keyId = credentials?.keyId ?? null;
    if (!credentials) return envelopeError(new ApiError(401, 'Missing or malformed Basic credentials'));
    const auth = state.authenticate(credentials.keyId, credentials.keySecret, req.socket.remoteAddress ?? '');
    if (!auth.ok) return envelopeError(new ApiError(auth.status, auth.message));

    const waitMs = limiter.waitMs(auth.keyUuid, record.at);
    if (waitMs > 0) return tooManyRequests(waitMs / 1000);

    const planned = faults.peek(route);
    if (planned?.kind === 'status') {
      faults.take(route);
      if (planned.status === 429) return tooManyRequests(planned.resetSeconds);
    }
    limiter.admit(auth.keyUuid, record.at);
    state.markUsed(auth.keyUuid);
    if (planned?.kind === 'status') {
      return envelopeError(new ApiError(planned.status, `Injected ${planned.status} (emulator failNext)`));
    }
    if (raw.tooLarge) return envelopeError(new ApiError(400, 'Request body is too large'));

    let reply: JsonReply;
    try {
      const outcome = dispatch(
        match,
        {
          state,
          callerKeyUuid: auth.keyUuid,
          callerAddress: req.socket.remoteAddress ?? '',
          query: new URL(req.url ?? '/', 'http://emulator').searchParams,
          now: clock.now(),
        },
        raw.text,
      );
      const body = {
        status: 200,
        requestId: randomUUID(),
        ...('result' in outcome ? { result: outcome.result } : {}),
      };
      reply = { kind: 'json', status: 200, body };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      reply = envelopeError(error);
    }

    if (planned?.kind === 'createThenFail' && reply.status === 200) {
      faults.take(route);
      if (planned.mode === 'no-secret' && reply.kind === 'json') {
        const { keySecret: _dropped, ...result } = (reply.body as { result: Record<string, unknown> }).result;
        return { ...reply, body: { ...(reply.body as object), result } };
      }
      if (planned.mode === 'drop' || planned.mode === 'hang') return { kind: planned.mode };
      return envelopeError(new ApiError(500, 'Internal error'));
    }
    if (planned?.kind === 'garbage') {
      faults.take(route);
      return { ...reply, garble: planned.garbage };
    }
    return reply;
  }

  async function deliver(reply: Reply, req: IncomingMessage, res: ServerResponse, record: RecordedRequest) {
    if (latencyMs > 0) await sleep(latencyMs, undefined, { signal: closing.signal });
    if (reply.kind === 'drop' || reply.kind === 'hang') {
      await withholdAnswer(reply.kind, req, closing.signal);
      return;
    }
    const text = JSON.stringify(reply.body);
    const headers = { 'Content-Type': JSON_TYPE, ...reply.headers };
    record.status = reply.status;
    record.response = redact(reply.body);
    switch (reply.garble) {
      case undefined:
        sendJson(res, reply.status, reply.body, reply.headers);
        return;
      case 'non-json': {
        const html = '<html><head><title>Gateway</title></head><body>upstream answered</body></html>';
        record.response = html;
        res.writeHead(reply.status, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
        return;
      }
      case 'wrong-types': {
        const mangled = wrongTypes(reply.body);
        record.response = mangled;
        const mangledText = JSON.stringify(mangled);
        res
          .writeHead(reply.status, { ...headers, 'Content-Length': Buffer.byteLength(mangledText) })
          .end(mangledText);
        return;
      }
      case 'truncated': {
        const bytes = Buffer.from(text);
        const half = Math.floor(bytes.length / 2);
        // The record gets the same cut of the redacted text, so a cut secret cannot leak into it.
        record.response = JSON.stringify(record.response).slice(0, half);
        res.writeHead(reply.status, { ...headers, 'Content-Length': bytes.length });
        res.write(bytes.subarray(0, half), () => res.destroy());
        return;
      }
      case 'trickle': {
        const bytes = Buffer.from(text);
        const piece = Math.ceil(bytes.length / TRICKLE_PIECES);
        res.writeHead(reply.status, { ...headers, 'Content-Length': bytes.length });
        for (let offset = 0; offset < bytes.length; offset += piece) {
          if (offset > 0) await sleep(TRICKLE_INTERVAL_MS, undefined, { signal: closing.signal });
          if (res.destroyed) return;
          res.write(bytes.subarray(offset, offset + piece));
        }
        res.end();
        return;
      }
    }
  }

  /** The request's record, kept in `requests` from its arrival on. */
  function recordOf(req: IncomingMessage): RecordedRequest {
    const record: RecordedRequest = {
      at: clock.now().getTime(),
      method: (req.method ?? 'GET').toUpperCase(),
      path: (req.url ?? '/').split('?')[0] ?? '/',
      route: null,
      status: 0,
      keyId: null,
      body: undefined,
      response: null,
    };
    requests.push(record);
    return record;
  }

  function asConsoleUser(user: { id?: string; email?: string } = {}) {
    const actor = consoleActor(user);
    return {
      addKey(input: Parameters<Emulator['addKey']>[0]) {
        const legacy: LegacyRole[] = [];
        const assignedRoleIds: string[] = [];
        for (const role of input.roles ?? []) {
          if ((LEGACY_ROLES as readonly string[]).includes(role)) {
            legacy.push(role as LegacyRole);
            continue;
          }
          const found = state.findRole(role);
          if (!found) throw new Error(`addKey: unknown role ${role}`);
          assignedRoleIds.push(found.id);
        }
        const seeded = seedKey({
          name: input.name,
          state: input.state ?? 'enabled',
          roles: legacy,
          assignedRoleIds,
          expireAt: toDate(input.expireAt, 'addKey expireAt'),
          ipAccessList: input.ipAccessList ?? [{ source: '0.0.0.0/0', description: 'Anywhere' }],
        });
        state.recordKeyActivity(actor, seeded.key.id, 'created');
        return seeded;
      },
      updateKey(
        id: string,
        patch: { name?: string; state?: 'enabled' | 'disabled'; expireAt?: string | null },
      ) {
        const before = state.getKey(id);
        const after = state.updateKey(id, {
          ...(patch.name === undefined ? {} : { name: patch.name }),
          ...(patch.state === undefined ? {} : { state: patch.state }),
          ...(patch.expireAt === undefined ? {} : { expireAt: toDate(patch.expireAt, 'updateKey expireAt') }),
        });
        for (const kind of keyChanges(before, after)) state.recordKeyActivity(actor, id, kind);
        return after;
      },
      removeKey(id: string) {
        state.deleteKey(id);
        state.recordKeyActivity(actor, id, 'deleted');
      },
    };
  }

  const server = createServer(
    serveRecorded(closing.signal, {
      record: recordOf,
      async answer(req, res, record, raw) {
        record.body = parseForRecord(raw.text);
        await deliver(decide(req, record, raw), req, res, record);
      },
      bugBody: (message) => envelopeError(new ApiError(500, `Emulator error: ${message}`)).body,
      served: ({ method, path, route, status }) =>
        logger?.debug({ method, path, route, status }, 'emulator request'),
    }),
  );
  const listening = await listen(server, host, options.port ?? 0, closing);

  return {
    url: listening.url,
    organizationId: state.organization.id,
    adminKey: { keyId: admin.keyId, keySecret: admin.keySecret, id: admin.key.id },
    requests,
    keys: () => state.listKeys(),
    accepts: (keyId, keySecret) => state.authenticate(keyId, keySecret, '127.0.0.1').ok,
    addKey: (input) => asConsoleUser().addKey(input),
    removeKey: (id) => asConsoleUser().removeKey(id),
    roles: () => state.listRoles(),
    addRole: (input) => state.createRole(input),
    services: () => state.listServices(),
    addService: (input) => state.addService(input),
    renameService: (id, name) => state.renameService(id, name),
    removeService: (id) => state.removeService(id),
    asConsoleUser,
    activities: () => state.listActivities(null, null),
    addActivity: ({ without, ...fields }) => state.recordActivity(consoleActor(), fields, without),
    failNext(route, count, status, failOptions) {
      faults.add(route, { kind: 'status', status, resetSeconds: failOptions?.resetSeconds ?? 1 }, count);
    },
    createThenFail(count, mode = 'status500') {
      faults.add('createKey', { kind: 'createThenFail', mode }, count);
    },
    garbageNext(route, count, kind) {
      faults.add(route, { kind: 'garbage', garbage: kind }, count);
    },
    setLatency(ms) {
      latencyMs = Math.max(0, ms);
    },
    setRateLimit(limit) {
      limiter.configure(toRateLimit(limit));
    },
    maxRequestsInWindow: (windowMs) =>
      maxInWindow(
        requests.map((request) => request.at),
        windowMs,
      ),
    close: () => listening.close(),
  };
}
