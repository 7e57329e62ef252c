/**
 * A local HashiCorp Vault for tests and development: AppRole login, token lookup-self and KV version 2
 * (versions, check-and-set, metadata, lists), with tokens that expire on an injected clock, policies per
 * token, an optional namespace, and switches to make it misbehave on purpose.
 *
 * Behaviour follows `github-and-vault.md` §9–§12 and the description in `../shared/ref/
 * vault-kv2-approle.openapi.json`; where the fact sheet marks something UNCERTAIN the choice made here is
 * commented where it is implemented (`state.ts`, `routes.ts`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../../src/core/clock.js';
import { NOT_JSON, parseJsonText } from '../../src/util/http.js';
import { keyhousePolicy, type PolicyRule, policyHcl } from '../../src/vault/policy.js';
import {
  type CappedBody,
  FaultQueues,
  listen,
  sendJson,
  serveRecorded,
  withholdAnswer,
} from '../http-kit.js';
import type { AclRule } from './acl.js';
import { type AfterMode, DEFAULT_MESSAGES, type FakeVaultOperation, type Fault } from './faults.js';
import { type Answer, handle, needsToken, route } from './routes.js';
import { NO_EXPIRY, permissionDenied, VaultFault, VaultState } from './state.js';

export type { AclRule } from './acl.js';
export type { AfterMode, FakeVaultOperation } from './faults.js';

export interface FakeVaultOptions {
  /** Listen address; default `127.0.0.1`. */
  host?: string;
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Token lifetimes and timestamps; delays (`slowNext`) use real time. */
  clock?: Clock;
  /** When set, every request must carry it in `X-Vault-Namespace` (login too); otherwise none may. */
  namespace?: string;
  /** KV v2 mounts; default `['secret']`. */
  mounts?: string[];
  /** `cas_required` on every mount: a write without `options.cas` is refused. */
  casRequired?: boolean;
  /** Where AppRole is mounted; default `approle`. */
  approleMount?: string;
  /**
   * Keyhouse's AppRole role, whose policy is `keyhousePolicy(mount, pathTemplate)`. Defaults: mount
   * `secret`, path `keyhouse/{keyName}`, token TTL 1200 s (the lease in Vault's AppRole login sample).
   */
  keyhouse?: { mount?: string; pathTemplate?: string; tokenTtlSeconds?: number };
  /** Debug line per request (method, operation, status); nothing is logged without it. */
  logger?: Logger;
  /** Told once each request is over, answered or not (the playground redraws what Vault holds). */
  onServed?: (request: RecordedVaultRequest) => void;
}

/** One request as the fake saw it. Holds no credential and no written value (see `redact`). */
export interface RecordedVaultRequest {
  /** Arrival, ms since the epoch, on the fake's clock. */
  at: number;
  /** As sent (`PUT`, `LIST`, …). */
  method: string;
  /** Path without the query string, as sent (segments still encoded). */
  path: string;
  query: string;
  operation: FakeVaultOperation | null;
  /** `X-Vault-Namespace`, or null when absent. */
  namespace: string | null;
  /** Whether a token came (`X-Vault-Token` or `Authorization: Bearer`). */
  tokenSent: boolean;
  /** The status sent; 0 while in flight, or when the socket was dropped without an answer. */
  status: number;
  /** Parsed JSON body, the raw text when not JSON, `undefined` when empty. */
  body: unknown;
  /** The body answered (parsed JSON); undefined for none. */
  response: unknown;
}

export interface FakeVault {
  /** `VAULT_ADDR`: the origin, without `/v1`. */
  readonly url: string;
  readonly namespace: string | null;
  /** Keyhouse's AppRole pair. */
  readonly roleId: string;
  readonly secretId: string;
  /** Keyhouse's policy, and the same as HCL (what the README's `vault policy write` takes). */
  readonly keyhousePolicy: readonly PolicyRule[];
  readonly keyhousePolicyHcl: string;
  /** Every request seen, in arrival order. */
  readonly requests: RecordedVaultRequest[];
  /** The latest version's data at `path` under `mount`, or null when there is none. */
  read(mount: string, path: string): Record<string, unknown> | null;
  /** The version numbers kept at `path`, oldest first, and the current one; null when none. */
  versions(mount: string, path: string): { current: number; kept: number[] } | null;
  /** Every secret held, each with its kept versions (oldest first) and their data: what a person watching may be shown of it is the caller's to choose. */
  contents(): FakeVaultSecret[];
  /** Another AppRole role, e.g. with a policy that may read secrets back. */
  addRole(
    name: string,
    input: { policies: string[]; tokenTtlSeconds?: number },
  ): { roleId: string; secretId: string };
  setPolicy(name: string, rules: readonly AclRule[]): void;
  /** A token made outside AppRole (`VAULT_TOKEN`); `ttlSeconds` 0 (default) never expires. */
  issueToken(input: { policies: string[]; ttlSeconds?: number }): string;
  /** Every token issued so far, for tests that prove none of them leaked. */
  issuedTokens(): string[];
  /** Revokes every token issued so far (as a Vault restarted without its token store would forget them). */
  revokeTokens(): void;
  /** While sealed every request gets 503 `{"errors":["Vault is sealed"]}`. */
  seal(): void;
  unseal(): void;
  /**
   * The next `count` requests for `operation` get `status` and are not carried out. The body is
   * `{"errors": messages}` (a default per status); 429 adds `Retry-After` when `retryAfterSeconds` is set.
   */
  failNext(
    operation: FakeVaultOperation,
    count: number,
    status: number,
    options?: { messages?: string[]; retryAfterSeconds?: number },
  ): void;
  /** The next `count` requests for `operation` are carried out and answered after `ms` of real time. */
  slowNext(operation: FakeVaultOperation, count: number, ms: number): void;
  /**
   * The next `count` requests for `operation` are carried out (a write writes), then answered 500 or
   * 502, dropped without an answer, or never answered (`hang`, until the client goes away or `close`).
   */
  processThenFail(operation: FakeVaultOperation, count: number, mode: AfterMode): void;
  /** Forgets every fault still queued (`failNext`, `slowNext`, `processThenFail`): Vault is well again. */
  clearFaults(): void;
  /** Stops listening and drops open connections and pending delays. */
  close(): Promise<void>;
}

/** One secret as `contents()` gives it. */
export interface FakeVaultSecret {
  mount: string;
  path: string;
  currentVersion: number;
  versions: {
    version: number;
    /** When it was written (RFC 3339, the fake's clock). */
    createdTime: string;
    /** Soft-deleted (`deletion_time` set) or destroyed, as KV v2 marks a version. */
    deleted: boolean;
    destroyed: boolean;
    data: Record<string, unknown>;
  }[];
}

const REDACTED = '[redacted]';

/** Starts the fake on loopback; resolves once it listens. */
export async function startFakeVault(options: FakeVaultOptions = {}): Promise<FakeVault> {
  const clock = options.clock ?? systemClock;
  const host = options.host ?? '127.0.0.1';
  const approleMount = options.approleMount ?? 'approle';
  const namespace = options.namespace === undefined ? null : normalizeNamespace(options.namespace);
  const state = new VaultState(clock);
  for (const mount of options.mounts ?? ['secret'])
    state.addMount(mount, { casRequired: options.casRequired === true });

  const keyhouseMount = options.keyhouse?.mount ?? 'secret';
  const rules = keyhousePolicy(keyhouseMount, options.keyhouse?.pathTemplate ?? 'keyhouse/{keyName}');
  state.setPolicy('keyhouse', rules);
  const keyhouseRole = state.addRole({
    name: 'keyhouse',
    policies: ['keyhouse'],
    tokenTtlSeconds: options.keyhouse?.tokenTtlSeconds ?? 1200,
  });

  const faults = new FaultQueues<FakeVaultOperation, Fault>();
  const requests: RecordedVaultRequest[] = [];
  const closing = new AbortController();
  const logger = options.logger;
  let sealed = false;

  /** Decides the answer: seal, route, namespace, planned faults, token, then the handler. */
  function decide(req: IncomingMessage, record: RecordedVaultRequest, input: RawInput): Reply {
    if (sealed) return errorReply(new VaultFault(503, ['Vault is sealed']));
    const vaultPath = decodePath(record.path);
    if (vaultPath === null) return errorReply(new VaultFault(400, ['invalid path encoding']));
    const routed = route(state, record.method, vaultPath, input.query, approleMount);
    if (routed instanceof VaultFault) return errorReply(routed);
    record.operation = routed.operation;
    // Logging in without the namespace fails with "permission denied" (github-and-vault.md §9, V-HCP).
    // A namespace where none is configured is treated alike: that namespace does not exist here.
    const sent = record.namespace === null ? null : normalizeNamespace(record.namespace);
    if (sent !== namespace) return errorReply(permissionDenied());

    const planned = faults.take(routed.operation);
    if (planned?.kind === 'status') return plannedStatus(planned);
    if (input.tooLarge) return errorReply(new VaultFault(413, ['request body too large']));
    if (input.body === NOT_JSON) return errorReply(new VaultFault(400, ['failed to parse JSON input']));

    let answer: Answer;
    try {
      const token = needsToken(routed.operation) ? state.authenticate(readToken(req)) : null;
      answer = handle(state, routed, token, { body: input.body, query: input.query });
    } catch (error) {
      if (!(error instanceof VaultFault)) throw error;
      return errorReply(error);
    }
    if (planned?.kind === 'after') return afterReply(planned.mode);
    return { kind: 'answer', ...answer, delayMs: planned?.kind === 'slow' ? planned.ms : 0 };
  }

  async function deliver(
    reply: Reply,
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedVaultRequest,
  ) {
    if (reply.kind === 'drop' || reply.kind === 'hang') {
      await withholdAnswer(reply.kind, req, closing.signal);
      return;
    }
    if (reply.delayMs > 0) await sleep(reply.delayMs, undefined, { signal: closing.signal });
    record.status = reply.status;
    record.response = redact(record.operation, 'response', reply.body);
    sendJson(res, reply.status, reply.body, reply.headers);
  }

  /** The request's record, kept in `requests` from its arrival on. */
  function recordOf(req: IncomingMessage): RecordedVaultRequest {
    const url = new URL(req.url ?? '/', 'http://fake-vault');
    const record: RecordedVaultRequest = {
      at: clock.now().getTime(),
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: url.search,
      operation: null,
      namespace: headerValue(req, 'x-vault-namespace'),
      tokenSent: readToken(req) !== null,
      status: 0,
      body: undefined,
      response: undefined,
    };
    requests.push(record);
    return record;
  }

  /** Decides, keeps the request's body in the record (redacted, whatever was decided), and answers. */
  async function answer(
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedVaultRequest,
    raw: CappedBody,
  ): Promise<void> {
    const body = parseJsonText(raw.text);
    let reply: Reply;
    try {
      const query = new URLSearchParams(record.query);
      reply = decide(req, record, { body, query, tooLarge: raw.tooLarge });
    } finally {
      record.body = redact(record.operation, 'request', body === NOT_JSON ? raw.text : body);
    }
    await deliver(reply, req, res, record);
  }

  const server = createServer(
    serveRecorded(closing.signal, {
      record: recordOf,
      answer,
      bugBody: (message) => ({ errors: [`fake vault error: ${message}`] }),
      served: (record) => {
        logger?.debug(
          { method: record.method, operation: record.operation, status: record.status },
          'fake vault request',
        );
        options.onServed?.(record);
      },
    }),
  );
  const listening = await listen(server, host, options.port ?? 0, closing);

  return {
    url: listening.url,
    namespace: options.namespace ?? null,
    roleId: keyhouseRole.roleId,
    secretId: keyhouseRole.secretId,
    keyhousePolicy: rules,
    keyhousePolicyHcl: policyHcl(rules),
    requests,
    read(mount, path) {
      const secret = state.secret(mount, path);
      const latest = secret?.versions.get(secret.currentVersion);
      return latest === undefined ? null : structuredClone(latest.data);
    },
    versions(mount, path) {
      const secret = state.secret(mount, path);
      if (secret === undefined) return null;
      return { current: secret.currentVersion, kept: [...secret.versions.keys()].sort((a, b) => a - b) };
    },
    contents: () =>
      state.secrets().map(({ mount, path, secret }) => ({
        mount,
        path,
        currentVersion: secret.currentVersion,
        versions: [...secret.versions.entries()]
          .sort(([a], [b]) => a - b)
          .map(([version, stored]) => ({
            version,
            createdTime: stored.createdTime,
            deleted: stored.deletionTime !== '',
            destroyed: stored.destroyed,
            data: structuredClone(stored.data),
          })),
      })),
    addRole(name, input) {
      const role = state.addRole({
        name,
        policies: input.policies,
        tokenTtlSeconds: input.tokenTtlSeconds ?? 1200,
      });
      return { roleId: role.roleId, secretId: role.secretId };
    },
    setPolicy: (name, policyRules) => state.setPolicy(name, policyRules),
    issueToken: (input) =>
      state.issueToken({
        policies: ['default', ...input.policies],
        ttlSeconds: input.ttlSeconds ?? NO_EXPIRY,
      }).id,
    issuedTokens: () => state.tokenIds(),
    revokeTokens: () => state.revokeAll(),
    seal() {
      sealed = true;
    },
    unseal() {
      sealed = false;
    },
    failNext(operation, count, status, failOptions = {}) {
      const messages = failOptions.messages ?? DEFAULT_MESSAGES[status] ?? [`injected ${status}`];
      const retryAfterSeconds = failOptions.retryAfterSeconds ?? null;
      faults.add(operation, { kind: 'status', status, messages, retryAfterSeconds }, count);
    },
    slowNext(operation, count, ms) {
      faults.add(operation, { kind: 'slow', ms }, count);
    },
    processThenFail(operation, count, mode) {
      faults.add(operation, { kind: 'after', mode }, count);
    },
    clearFaults() {
      faults.clear();
    },
    close: () => listening.close(),
  };
}

type Reply =
  | { kind: 'answer'; status: number; body?: unknown; headers?: Record<string, string>; delayMs: number }
  | { kind: 'drop' }
  | { kind: 'hang' };

interface RawInput {
  body: unknown;
  query: URLSearchParams;
  tooLarge: boolean;
}

function errorReply(fault: VaultFault, headers?: Record<string, string>): Reply {
  return {
    kind: 'answer',
    status: fault.status,
    body: { errors: fault.messages },
    delayMs: 0,
    ...(headers ? { headers } : {}),
  };
}

function plannedStatus(fault: Extract<Fault, { kind: 'status' }>): Reply {
  const headers =
    fault.retryAfterSeconds === null ? undefined : { 'Retry-After': String(fault.retryAfterSeconds) };
  return errorReply(new VaultFault(fault.status, fault.messages), headers);
}

function afterReply(mode: AfterMode): Reply {
  if (mode === 'drop' || mode === 'hang') return { kind: mode };
  return errorReply(new VaultFault(mode, DEFAULT_MESSAGES[mode] ?? []));
}

/** `/v1/secret/data/a%20b` → `secret/data/a b`; null for a path outside `/v1/` or badly encoded. */
function decodePath(path: string): string | null {
  if (!path.startsWith('/v1/')) return null;
  try {
    return path.slice('/v1/'.length).split('/').map(decodeURIComponent).join('/');
  } catch {
    return null;
  }
}

/** `ns1/ns2/` and `ns1/ns2` name the same namespace. */
function normalizeNamespace(namespace: string): string {
  return namespace.replace(/\/+$/, '');
}

function headerValue(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? null : first;
}

/** `X-Vault-Token`, or `Authorization: Bearer` (github-and-vault.md §9). */
function readToken(req: IncomingMessage): string | null {
  const direct = headerValue(req, 'x-vault-token');
  if (direct !== null) return direct;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headerValue(req, 'authorization') ?? '');
  return bearer?.[1] ?? null;
}

/**
 * What the record keeps of a body: credentials (`secret_id`, `client_token`, lookup-self's `id`) and
 * every string stored in or read from a KV secret become `[redacted]`, so the records can be printed,
 * compared and checked against the description without carrying a secret. Types are kept (a string
 * stays a string), so the checks still see the shape sent.
 */
function redact(operation: FakeVaultOperation | null, side: 'request' | 'response', body: unknown): unknown {
  if (!isObject(body)) return body;
  const copy = structuredClone(body);
  if (side === 'request' && operation === 'app-role-login') replaceString(copy, 'secret_id');
  if (side === 'request' && operation === 'kv-v2-write' && isObject(copy.data))
    copy.data = redactLeaves(copy.data);
  if (side === 'response' && isObject(copy.auth)) replaceString(copy.auth, 'client_token');
  if (side === 'response' && operation === 'token-look-up-self' && isObject(copy.data))
    replaceString(copy.data, 'id');
  if (side === 'response' && operation === 'kv-v2-read' && isObject(copy.data) && isObject(copy.data.data)) {
    copy.data.data = redactLeaves(copy.data.data);
  }
  return copy;
}

function replaceString(holder: Record<string, unknown>, name: string): void {
  if (typeof holder[name] === 'string') holder[name] = REDACTED;
}

function redactLeaves(value: unknown): unknown {
  if (typeof value === 'string') return REDACTED;
  if (Array.isArray(value)) return value.map(redactLeaves);
  if (isObject(value))
    return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, redactLeaves(inner)]));
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
