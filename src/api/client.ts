import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import {
  AmbiguousCreateError,
  AmbiguousRoleCreateError,
  ApiConnectionError,
  ClickHouseApiError,
  InternalServerError,
  InvalidResponseError,
} from '../core/api-errors.js';
import { currentLane } from '../core/budget.js';
import type { ActivityList, CreatedKey, MalformedActivity } from '../core/clickhouse.js';
import { KeyhouseError } from '../core/errors.js';
import { Secret } from '../core/secret.js';
import { deepFreeze } from '../util/deep-freeze.js';
import { checkApiRoot, sleep } from '../util/http.js';
import { CachedRead } from './cached-read.js';
import { SlidingWindowLimiter } from './limiter.js';
import {
  type CreateKeyInput,
  type CreateRoleInput,
  createKeyBody,
  createRoleBody,
  type UpdateKeyInput,
  type UpdateRoleInput,
  updateKeyBody,
  updateRoleBody,
} from './requests.js';
import { assertUuid, type PathParams } from './routes.js';
import {
  ActivitySchema,
  type ApiKey,
  ApiKeySchema,
  CreatedKeySchema,
  describeIssues,
  instantText,
  type Organization,
  OrganizationSchema,
  type Role,
  RoleSchema,
  type Service,
  ServiceSchema,
  UUID_PATTERN,
} from './schemas.js';
import {
  type ApiObserver,
  type ApiResponse,
  type ClientStats,
  type RetryPolicy,
  Transport,
} from './transport.js';

export type {
  CreateKeyInput,
  CreateRoleInput,
  LegacyRole,
  UpdateKeyInput,
  UpdateRoleInput,
} from './requests.js';
export type { ApiKey, AssignedRole, IpAccessEntry, Organization, Role, Service } from './schemas.js';
export type { ApiObserver, ClientStats, RetryPolicy } from './transport.js';

export interface ClickHouseCloudClientOptions {
  /** API origin without `/v1`, e.g. `https://api.clickhouse.cloud`. */
  baseUrl: string;
  /** The bot's admin key: its key ID (the Basic-auth username)… */
  keyId: string;
  /** …and its secret. */
  keySecret: Secret;
  /** The organization to manage; discovered with `GET /v1/organizations` (once) when absent. */
  organizationId?: string;
  /** Transport; defaults to undici's global dispatcher. Tests pass a MockAgent. */
  dispatcher?: Dispatcher;
  /** Per attempt, including reading the body. Default 10 000. */
  timeoutMs?: number;
  /** Receives one debug line per attempt: method, route template, status, ms, requestId, attempt. */
  logger?: Logger;
  /** Client-side budget: never more than `requests` sends in any `windowMs`. Default 10 per 10 000 ms. */
  rateLimit?: { requests: number; windowMs: number };
  /** How long a fetched key list answers `listKeys` and `getKey`. Default 5 000. */
  keyListTtlMs?: number;
  /**
   * After `keyListTtlMs`, a list this much older is still answered at once while one refresh runs in
   * the background (stale-while-revalidate), so a burst of readers never waits behind ClickHouse's
   * latency. Default twice `keyListTtlMs`; 0 turns it off. `getKey` and `fresh` reads never use it.
   */
  keyListStaleMs?: number;
  /** How long a fetched role list answers `listRoles` (roles rarely change). Default 60 000. */
  roleListTtlMs?: number;
  /**
   * How long a fetched service list answers `listServices`: a request modal lists services, and a
   * service renamed or deleted in the console shows within this. Default 30 000.
   */
  serviceListTtlMs?: number;
  /** Told of every attempt, 429 and wait for the rate budget (metrics). */
  observer?: ApiObserver;
  /** Defaults: 4 attempts, 500 ms base, 8 s max backoff, 60 s of 429 waiting per call. */
  retry?: Partial<RetryPolicy>;
  /** Waits between retries; injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds clock for cache ages, timings and `AmbiguousCreateError.startedAt`. Default `Date.now`. */
  now?: () => number;
  userAgent?: string;
}

/** The result of `createKey`. `keySecret` is shown once and can never be read again. */
export type { CreatedKey };

const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRateLimitWaitMs: 60_000,
};

/**
 * Client for the ClickHouse Cloud management API: organizations, API keys, roles and services.
 *
 * It keeps to the documented budget of 10 requests per 10 s per key on its own (sliding-window limiter),
 * coalesces concurrent identical reads, caches the key list briefly, and retries only where that is safe.
 * Its own writes update the cached list, so the next read shows them.
 */
export class ClickHouseCloudClient {
  /** Counters for tests and benchmarks; `byRoute` is keyed by operation (`listKeys`, `createKey`, …). */
  readonly stats: ClientStats = {
    requests: 0,
    byRoute: {},
    rateLimited: 0,
    retries: 0,
    urgent: { sent: 0, mostAheadByOneOwner: 0 },
  };
  /** The budget (10 requests per 10 s), shared by every call, and asked how long a caller would wait. */
  readonly #limiter: SlidingWindowLimiter;
  readonly #transport: Transport;
  readonly #now: () => number;
  readonly #keyId: string;
  readonly #configuredOrganizationId: string | undefined;

  #organizationId: Promise<string> | null = null;
  #organizations: Promise<Organization[]> | null = null;
  readonly #keys: CachedRead<ApiKey[]>;
  readonly #keyGets = new Map<string, Promise<ApiKey>>();
  readonly #roles: CachedRead<Role[]>;
  readonly #services: CachedRead<Service[]>;

  constructor(options: ClickHouseCloudClientOptions) {
    const baseUrl = checkBaseUrl(options.baseUrl);
    if (typeof options.keyId !== 'string' || options.keyId.trim() === '') {
      throw configError('keyId is required');
    }
    if (!(options.keySecret instanceof Secret)) throw configError('keySecret must be a Secret');
    if (options.organizationId !== undefined && !UUID_PATTERN.test(options.organizationId)) {
      throw configError('organizationId must be a UUID');
    }
    const retry = { ...DEFAULT_RETRY, ...options.retry };
    if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
      throw configError('retry.maxAttempts must be ≥ 1');
    }
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (!(timeoutMs > 0)) throw configError('timeoutMs must be positive');

    this.#now = options.now ?? Date.now;
    this.#keyId = options.keyId;
    this.#configuredOrganizationId = options.organizationId;
    const keyListTtlMs = options.keyListTtlMs ?? 5_000;
    this.#keys = new CachedRead({
      fetch: () => this.#readList('listKeys', ApiKeySchema),
      ttlMs: keyListTtlMs,
      staleMs: options.keyListStaleMs ?? 2 * keyListTtlMs,
      now: this.#now,
      // A refresh that finds the keys unchanged keeps the list handed out, so the key lists
      // rendered from it are reused (workflow/key-lists.ts); comparing costs once per refresh.
      same: (held, fetched) => JSON.stringify(held) === JSON.stringify(fetched),
    });
    this.#roles = new CachedRead({
      fetch: () => this.#readList('listRoles', RoleSchema),
      ttlMs: options.roleListTtlMs ?? 60_000,
      now: this.#now,
    });
    this.#services = new CachedRead({
      fetch: () => this.#readList('listServices', ServiceSchema),
      ttlMs: options.serviceListTtlMs ?? 30_000,
      now: this.#now,
    });
    const rateLimit = options.rateLimit ?? { requests: 10, windowMs: 10_000 };
    this.#limiter = new SlidingWindowLimiter(rateLimit);
    this.#transport = new Transport({
      baseUrl,
      keyId: options.keyId,
      keySecret: options.keySecret,
      dispatcher: options.dispatcher,
      timeoutMs,
      logger: options.logger,
      limiter: this.#limiter,
      retry,
      sleep: options.sleep ?? sleep,
      now: this.#now,
      userAgent: options.userAgent ?? `keyhouse node/${process.versions.node}`,
      stats: this.stats,
      observer: options.observer,
    });
  }

  /**
   * The organization this client manages: the configured one, or the single organization the key belongs
   * to (discovered once; concurrent callers share the one request; a failure is not remembered).
   */
  organizationId(): Promise<string> {
    if (this.#configuredOrganizationId !== undefined) return Promise.resolve(this.#configuredOrganizationId);
    if (this.#organizationId === null) {
      const discovery = this.#discoverOrganization();
      this.#organizationId = discovery;
      discovery.catch(() => {
        if (this.#organizationId === discovery) this.#organizationId = null;
      });
    }
    return this.#organizationId;
  }

  /** `GET /v1/organizations`: the organizations the key can see (the API returns exactly its own). */
  listOrganizations(): Promise<Organization[]> {
    if (this.#organizations === null) {
      const fetch = this.#transport
        .call('listOrganizations', { params: {} })
        .then((response) => parseResult(response, OrganizationSchema.array()));
      this.#organizations = fetch;
      const clear = () => {
        if (this.#organizations === fetch) this.#organizations = null;
      };
      fetch.then(clear, clear);
    }
    return this.#organizations.then(shared);
  }

  /**
   * Every key of the organization (the API does not paginate; at most 100 keys). Answered from a list at
   * most `keyListTtlMs` old unless `fresh`; concurrent calls share one request.
   */
  async listKeys(options: { fresh?: boolean } = {}): Promise<ApiKey[]> {
    return shared(await this.#keys.read(options.fresh === true));
  }

  /**
   * One key by its management UUID. Served from a fresh cached (or in-flight) key list when there is one;
   * otherwise one `GET …/keys/{keyId}` per id, shared by concurrent callers. When gets of several
   * different ids overlap, one list request answers them all instead of one request each (the rate
   * budget is 10 requests per 10 s).
   */
  async getKey(id: string): Promise<ApiKey> {
    assertUuid('keyId', id);
    await this.organizationId();
    return shared(await this.#getKeyCoalesced(id));
  }

  /**
   * Whether `listKeys()` would answer at once from memory (a fresh list, or a recent one while it is
   * refreshed), without waiting on ClickHouse: what may be shown in a Slack acknowledgement.
   */
  keyListAtHand(): boolean {
    return this.#keys.answersAtOnce();
  }

  /**
   * About how long a request made now, by whoever is working (the budget's current lane), would wait
   * for the budget, in ms (the limiter's `estimateWaitMs`): what a person is told while they wait.
   */
  budgetWaitMs(): number {
    return this.#limiter.estimateWaitMs(currentLane());
  }

  /**
   * Whether `listServices()` would answer at once from memory: a key list drawn in an
   * acknowledgement may then show a service renamed or deleted in the console as such.
   */
  serviceListAtHand(): boolean {
    return this.#services.answersAtOnce();
  }

  /** The key list `listKeys()` would answer at once (refreshed behind it when old), or null. */
  keysAtHand(): readonly ApiKey[] | null {
    const keys = this.#keys.readAtOnce();
    return keys === null ? null : shared(keys);
  }

  /** Whether `getKey(id)` would answer at once from a fresh cached list, without waiting on ClickHouse. */
  keyAtHand(id: string): boolean {
    return this.#keys.atHand()?.some((key) => key.id === id) === true;
  }

  /**
   * `POST …/keys`. Checks the input first (never an empty `ipAccessList`; not both `roles` and
   * `assignedRoleIds`). Never retried once the server may have acted: a timeout, broken connection, 5xx or
   * unusable 2xx throws `AmbiguousCreateError`, and the caller must find and settle the key.
   */
  async createKey(input: CreateKeyInput): Promise<CreatedKey> {
    const body = createKeyBody(input);
    const organizationId = await this.organizationId();
    const startedAt = new Date(this.#now());
    let response: ApiResponse;
    try {
      response = await this.#transport.call('createKey', { params: { organizationId }, body });
    } catch (error) {
      if (!mayHaveBeenProcessed(error)) throw error;
      this.#invalidateKeys();
      throw new AmbiguousCreateError({ keyName: input.name, startedAt, cause: error as ClickHouseApiError });
    }
    const parsed = CreatedKeySchema.safeParse(response.result);
    if (!parsed.success) {
      // The key probably exists but we cannot hand out its secret: the caller must delete it.
      this.#invalidateKeys();
      const cause = new InvalidResponseError(
        {
          status: response.status,
          requestId: response.requestId,
          method: response.method,
          route: response.route,
        },
        response.hasResult ? describeIssues(parsed.error) : 'result is missing',
      );
      throw new AmbiguousCreateError({
        keyName: input.name,
        startedAt,
        createdKeyId: peekKeyId(response.result),
        cause,
      });
    }
    const { key, keyId } = parsed.data;
    // Wrapped at once: from here on the secret only prints as a placeholder.
    const keySecret = new Secret(parsed.data.keySecret);
    this.#afterWrite((keys) => upsert(keys, key));
    return { key: shared(key), keyId, keySecret, requestId: response.requestId };
  }

  /**
   * `PATCH …/keys/{keyId}`. Only the fields set are sent; `expireAt: null` clears the expiry. Retried on
   * 5xx and timeouts (sending the same patch twice has the same effect as once).
   */
  async updateKey(id: string, patch: UpdateKeyInput): Promise<ApiKey> {
    assertUuid('keyId', id);
    const body = updateKeyBody(patch);
    const organizationId = await this.organizationId();
    const params = { organizationId, keyId: id };
    const key = await this.#write(() =>
      this.#patch({ update: 'updateKey', read: 'getKey' }, params, body, ApiKeySchema),
    );
    this.#afterWrite((keys) => upsert(keys, key));
    return shared(key);
  }

  /**
   * `DELETE …/keys/{keyId}`. Deletion is permanent. The API refuses to delete the key making the request.
   * A retry answered 404 after an attempt with an unknown outcome counts as deleted.
   */
  async deleteKey(id: string): Promise<{ requestId: string | null }> {
    assertUuid('keyId', id);
    const organizationId = await this.organizationId();
    const response = await this.#write(() => this.#delete('deleteKey', { organizationId, keyId: id }));
    this.#afterWrite((keys) => keys.filter((key) => key.id !== id));
    return { requestId: response.requestId };
  }

  /**
   * The organization's system and custom roles (ids for `assignedRoleIds`), with their policies and
   * actors; answered from a list at most `roleListTtlMs` old unless `fresh`, concurrent calls share
   * one request. Our own role writes show at once; a role's `actors` may lag key writes by the TTL
   * (ask `getRole` for who holds a role now: it is never cached).
   */
  async listRoles(options: { fresh?: boolean } = {}): Promise<Role[]> {
    return shared(await this.#roles.read(options.fresh === true));
  }

  /** `GET …/roles/{roleId}`: one role as it is now (never cached: it is what to ask before deleting one). */
  async getRole(id: string): Promise<Role> {
    assertUuid('roleId', id);
    const organizationId = await this.organizationId();
    const response = await this.#transport.call('getRole', { params: { organizationId, roleId: id } });
    return shared(parseResult(response, RoleSchema));
  }

  /**
   * `POST …/roles`: a custom role. Never retried once the server may have acted: a timeout, broken
   * connection, 5xx or unusable 2xx throws `AmbiguousRoleCreateError`, and the caller looks for the role
   * by name before making it again.
   */
  async createRole(input: CreateRoleInput): Promise<Role> {
    const body = createRoleBody(input);
    const organizationId = await this.organizationId();
    const touchesKeys = input.actors.some(isKeyActor);
    let response: ApiResponse;
    try {
      response = await this.#transport.call('createRole', { params: { organizationId }, body });
    } catch (error) {
      if (!mayHaveBeenProcessed(error)) throw error;
      this.#forgetRoles(touchesKeys);
      throw new AmbiguousRoleCreateError({ roleName: input.name, cause: error as ClickHouseApiError });
    }
    let role: Role;
    try {
      role = parseResult(response, RoleSchema);
    } catch (error) {
      this.#forgetRoles(touchesKeys);
      const createdRoleId = peekId(response.result);
      throw new AmbiguousRoleCreateError({
        roleName: input.name,
        createdRoleId,
        cause: error as InvalidResponseError,
      });
    }
    this.#afterRoleWrite((roles) => upsert(roles, role), touchesKeys);
    return shared(role);
  }

  /**
   * `PATCH …/roles/{roleId}`: a given `name`, `actors` or `policies` replaces the role's (a system role
   * is refused by the API). Retried on 5xx and timeouts: the same replacement twice is one.
   */
  async updateRole(id: string, patch: UpdateRoleInput): Promise<Role> {
    assertUuid('roleId', id);
    const body = updateRoleBody(patch);
    const organizationId = await this.organizationId();
    const params = { organizationId, roleId: id };
    // Keys read back the names of their roles, and actors are who holds one.
    const touchesKeys = patch.actors !== undefined || patch.name !== undefined;
    const role = await this.#write(
      () => this.#patch({ update: 'updateRole', read: 'getRole' }, params, body, RoleSchema),
      () => this.#forgetRoles(touchesKeys),
    );
    this.#afterRoleWrite((roles) => upsert(roles, role), touchesKeys);
    return shared(role);
  }

  /**
   * `DELETE …/roles/{roleId}`: a custom role and its policies. The emulator refuses a role a key still
   * holds (what the live API does is UNCERTAIN): unassign it first. A retry answered 404 after an
   * attempt with an unknown outcome counts as deleted.
   */
  async deleteRole(id: string): Promise<{ requestId: string | null }> {
    assertUuid('roleId', id);
    const organizationId = await this.organizationId();
    const response = await this.#write(
      () => this.#delete('deleteRole', { organizationId, roleId: id }),
      () => this.#forgetRoles(false),
    );
    this.#afterRoleWrite((roles) => roles.filter((role) => role.id !== id), false);
    return { requestId: response.requestId };
  }

  /**
   * The organization's services (`GET …/services`, not paginated), answered from a list at most
   * `serviceListTtlMs` old unless `fresh`; concurrent calls share one request.
   */
  async listServices(options: { fresh?: boolean } = {}): Promise<Service[]> {
    return shared(await this.#services.read(options.fresh === true));
  }

  /**
   * `GET …/activities?from_date=…`: the organization's activities since `from` (ISO-8601), for the drift
   * watch. Never cached; a read, so retried like the other reads.
   */
  async listActivities(options: { from?: string; to?: string } = {}): Promise<ActivityList> {
    const organizationId = await this.organizationId();
    const response = await this.#transport.call('listActivities', {
      params: { organizationId },
      query: { from_date: checkInstant('from', options.from), to_date: checkInstant('to', options.to) },
    });
    // Entry by entry: one the schema refuses is set aside, so it cannot hide every other one.
    const entries = parseResult(response, z.array(z.unknown()));
    const list: ActivityList = { activities: [], malformed: [] };
    for (const [index, entry] of entries.entries()) {
      const parsed = ActivitySchema.safeParse(entry);
      if (parsed.success) list.activities.push(parsed.data);
      else list.malformed.push(malformedActivity(index, entry, parsed.error));
    }
    return shared(list);
  }

  /** Forgets the cached key list, so the next read asks ClickHouse (after changes made elsewhere). */
  invalidateKeyList(): void {
    this.#invalidateKeys();
  }

  /**
   * The bot's own key, found the only way the API allows: the key whose `keySuffix` is the last 4
   * characters of the configured key ID. Null when none matches; throws `conflict` when several do (a
   * suffix is a weak identifier, and guessing wrong could show or delete the wrong key).
   */
  async findOwnKey(): Promise<ApiKey | null> {
    const suffix = this.#keyId.slice(-4);
    const matches = (await this.#keys.read()).filter((key) => key.keySuffix === suffix);
    if (matches.length > 1) {
      throw new KeyhouseError(
        'conflict',
        `${matches.length} keys end in …${suffix} (${matches.map((key) => key.id).join(', ')}); cannot tell which is this bot's own key`,
      );
    }
    return matches[0] === undefined ? null : shared(matches[0]);
  }

  async #discoverOrganization(): Promise<string> {
    const organizations = await this.listOrganizations();
    const [first] = organizations;
    if (first === undefined) {
      throw new KeyhouseError(
        'config_invalid',
        'the API key belongs to no organization (GET /v1/organizations is empty)',
      );
    }
    if (organizations.length > 1) {
      throw new KeyhouseError(
        'config_invalid',
        `the API key sees ${organizations.length} organizations; set the organization id explicitly`,
      );
    }
    return first.id;
  }

  /**
   * Decides synchronously where a key comes from, so overlapping callers see each other's choices: a fresh
   * cached list, an in-flight list, a list started because gets of other ids are already under way, or a
   * GET by id. A key missing from a list is asked for by id (the authoritative 404, or a key made since).
   */
  #getKeyCoalesced(id: string): Promise<ApiKey> {
    const cached = this.#keys.atHand();
    if (cached !== null) {
      const key = cached.find((candidate) => candidate.id === id);
      return key === undefined ? this.#getKeyById(id) : Promise.resolve(key);
    }
    const otherGets = this.#keyGets.size > 0 && !this.#keyGets.has(id);
    if (this.#keys.fetching() || otherGets) {
      return this.#keys.read().then((keys) => keys.find((key) => key.id === id) ?? this.#getKeyById(id));
    }
    return this.#getKeyById(id);
  }

  #getKeyById(id: string): Promise<ApiKey> {
    const existing = this.#keyGets.get(id);
    if (existing !== undefined) return existing;
    const fetch = this.organizationId()
      .then((organizationId) => this.#transport.call('getKey', { params: { organizationId, keyId: id } }))
      .then((response) => parseResult(response, ApiKeySchema));
    this.#keyGets.set(id, fetch);
    const clear = () => {
      if (this.#keyGets.get(id) === fetch) this.#keyGets.delete(id);
    };
    fetch.then(clear, clear);
    return fetch;
  }

  /**
   * Runs a PATCH or DELETE; if it fails after being sent, the cached list can no longer be trusted
   * (`distrust` forgets it: the key list unless told otherwise).
   */
  async #write<T>(send: () => Promise<T>, distrust: () => void = () => this.#invalidateKeys()): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (error instanceof ClickHouseApiError) distrust();
      throw error;
    }
  }

  /** A PATCH and its result; when the server took it (2xx) but its answer is unusable, a read of the record now. */
  async #patch<T>(
    routes: { update: 'updateKey' | 'updateRole'; read: 'getKey' | 'getRole' },
    params: PathParams,
    body: Record<string, unknown>,
    schema: z.ZodType<T, unknown>,
  ): Promise<T> {
    try {
      return parseResult(await this.#transport.call(routes.update, { params, body }), schema);
    } catch (error) {
      if (!(error instanceof InvalidResponseError && isSuccess(error.status))) throw error;
      return parseResult(await this.#transport.call(routes.read, { params }), schema);
    }
  }

  /** A DELETE; a 2xx whose body is unusable still says it was done (DELETE has no result). */
  #delete(route: 'deleteKey' | 'deleteRole', params: PathParams): Promise<{ requestId: string | null }> {
    return this.#transport
      .call(route, { params, notFoundAfterUnknownOutcomeIsSuccess: true })
      .catch((error: unknown) => {
        if (error instanceof InvalidResponseError && isSuccess(error.status))
          return { requestId: error.requestId };
        throw error;
      });
  }

  /** One `GET` of a whole list (keys, roles, services; none is paginated), each item through `schema`. */
  #readList<T>(
    route: 'listKeys' | 'listRoles' | 'listServices',
    schema: z.ZodType<T, unknown>,
  ): Promise<T[]> {
    return this.organizationId()
      .then((organizationId) => this.#transport.call(route, { params: { organizationId } }))
      .then((response) => parseResult(response, schema.array()));
  }

  /** After one of our own writes: the next read must show it, whether from the cache or a new request. */
  #afterWrite(apply: (keys: ApiKey[]) => ApiKey[]): void {
    this.#keys.afterWrite(apply);
  }

  #invalidateKeys(): void {
    this.#keys.invalidate();
  }

  /**
   * After one of our role writes: the next role list shows it. A write that names keys or renames a role
   * changes what keys read back (`assignedRoles`), so the key list is read again rather than guessed at.
   */
  #afterRoleWrite(apply: (roles: Role[]) => Role[], touchesKeys: boolean): void {
    this.#roles.afterWrite(apply);
    if (touchesKeys) this.#invalidateKeys();
  }

  /** A role write failed after being sent: neither the roles nor (when it named keys) the keys can be trusted. */
  #forgetRoles(touchesKeys: boolean): void {
    this.#roles.invalidate();
    if (touchesKeys) this.#invalidateKeys();
  }
}

/** What may be said of an activity the schema refused: where, when, what was wrong; not its content. */
function malformedActivity(index: number, entry: unknown, error: z.ZodError): MalformedActivity {
  const createdAt = instantText.safeParse((entry as { createdAt?: unknown } | null)?.createdAt);
  return {
    index,
    createdAt: createdAt.success ? createdAt.data : null,
    problems: describeIssues(error, ''),
    digest: createHash('sha256')
      .update(JSON.stringify(entry) ?? '')
      .digest('hex'),
  };
}

/** Parses an envelope's `result`; a missing or malformed one is an InvalidResponseError. */
function parseResult<T>(response: ApiResponse, schema: z.ZodType<T, unknown>): T {
  const context = {
    status: response.status,
    requestId: response.requestId,
    method: response.method,
    route: response.route,
  };
  if (!response.hasResult) throw new InvalidResponseError(context, 'result is missing');
  const parsed = schema.safeParse(response.result);
  if (!parsed.success) throw new InvalidResponseError(context, describeIssues(parsed.error));
  return parsed.data;
}

function isSuccess(status: number | undefined): boolean {
  return status !== undefined && status >= 200 && status < 300;
}

/** Whether a failed create may nonetheless have created the key. */
function mayHaveBeenProcessed(error: unknown): boolean {
  if (error instanceof ApiConnectionError) return error.requestMayHaveBeenSent;
  return error instanceof InternalServerError || error instanceof InvalidResponseError;
}

/** The management id of a created key from a create body we could not fully use, if it is there. */
function peekKeyId(result: unknown): string | null {
  const parsed = ApiKeySchema.safeParse((result as { key?: unknown } | null | undefined)?.key);
  return parsed.success && UUID_PATTERN.test(parsed.data.id) ? parsed.data.id : null;
}

/** An actor that is an API key: giving it a role changes that key's `assignedRoles`. */
function isKeyActor(actor: string): boolean {
  return actor.startsWith('apiKey/');
}

/** The id of a created role we could not fully parse, when it is a UUID (every id in a path is one). */
function peekId(record: unknown): string | null {
  const id = (record as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' && UUID_PATTERN.test(id) ? id : null;
}

function upsert<T extends { id: string }>(records: T[], record: T): T[] {
  const index = records.findIndex((existing) => existing.id === record.id);
  return index === -1
    ? [...records, record]
    : records.map((existing, i) => (i === index ? record : existing));
}

/**
 * Callers share the cached values, frozen, so a caller editing a result cannot edit the cache. (A
 * copy per read cost more than building the key list itself; writes replace, never mutate.)
 */
function shared<T>(value: T): T {
  return deepFreeze(value);
}

function checkBaseUrl(raw: string): string {
  const base = checkApiRoot(raw, 'baseUrl', configError);
  if (/\/v1$/.test(base)) {
    throw configError('baseUrl is the API origin without /v1, e.g. https://api.clickhouse.cloud');
  }
  return base;
}

/** A query instant must be a real date; sent as ISO-8601 UTC. */
function checkInstant(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new KeyhouseError('invalid_input', `${name} must be an ISO-8601 date-time`);
  return date.toISOString();
}

function configError(message: string): KeyhouseError {
  return new KeyhouseError('config_invalid', `ClickHouse client: ${message}`);
}
