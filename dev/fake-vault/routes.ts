import { randomUUID } from 'node:crypto';
import type { FakeVaultOperation } from './faults.js';
import {
  badRequest,
  type FakeToken,
  nothingHere,
  type StoredSecret,
  VaultFault,
  type VaultState,
} from './state.js';

/** A request, routed: which operation, and for KV which mount and path. */
export interface Route {
  operation: FakeVaultOperation;
  /** KV only. */
  mount: string;
  /** KV only: the path under the mount (`keyhouse/etl`); for a list, the prefix (`""` for the root). */
  path: string;
}

/** What a handler answers: a status, and a body (`undefined` for 204). */
export interface Answer {
  status: number;
  body?: unknown;
}

const UNAUTHENTICATED: ReadonlySet<FakeVaultOperation> = new Set(['app-role-login']);

export function needsToken(operation: FakeVaultOperation): boolean {
  return !UNAUTHENTICATED.has(operation);
}

/**
 * Which operation a request is. `PUT` is `POST` and `GET ?list=true` is `LIST` (github-and-vault.md §9).
 * (The `LIST` method itself never arrives: Node's HTTP parser refuses methods it does not know with a
 * 400 of its own.) An unknown path is a 404; a method the fake does not model on a known path (KV
 * deletes) a 405.
 */
export function route(
  state: VaultState,
  method: string,
  vaultPath: string,
  query: URLSearchParams,
  approleMount: string,
): Route | VaultFault {
  const verb = method === 'PUT' ? 'POST' : method === 'GET' && query.get('list') === 'true' ? 'LIST' : method;
  if (vaultPath === 'auth/token/lookup-self') return only(verb, 'GET', 'token-look-up-self');
  if (vaultPath === `auth/${approleMount}/login`) return only(verb, 'POST', 'app-role-login');
  const mounted = state.resolveMount(vaultPath);
  const kind = mounted?.rest.split('/')[0];
  if (mounted === null || (kind !== 'data' && kind !== 'metadata')) {
    return new VaultFault(404, [`no handler for route "${vaultPath}". route entry not found.`]);
  }
  const path = mounted.rest.slice(kind.length + 1).replace(/\/$/, '');
  const operations: Record<string, FakeVaultOperation | undefined> =
    kind === 'data'
      ? { GET: 'kv-v2-read', POST: 'kv-v2-write' }
      : { GET: 'kv-v2-read-metadata', POST: 'kv-v2-write-metadata', LIST: 'kv-v2-list' };
  const operation = operations[verb];
  if (operation === undefined) return unsupported();
  if (path === '' && operation !== 'kv-v2-list') return nothingHere();
  return { operation, mount: mounted.mount, path };
}

function only(verb: string, wanted: string, operation: FakeVaultOperation): Route | VaultFault {
  return verb === wanted ? { operation, mount: '', path: '' } : unsupported();
}

function unsupported(): VaultFault {
  return new VaultFault(405, ['unsupported operation']);
}

/** The parts of a request a handler reads: the parsed JSON body, and the query string. */
export interface Input {
  body: unknown;
  query: URLSearchParams;
}

/** Carries out a routed request; `token` is null only for login. Throws `VaultFault` for error answers. */
export function handle(state: VaultState, routed: Route, token: FakeToken | null, input: Input): Answer {
  const { body } = input;
  switch (routed.operation) {
    case 'app-role-login':
      return login(state, body);
    case 'token-look-up-self':
      return lookupSelf(state, token!);
    case 'kv-v2-write':
      return writeVersion(state, routed, token!, body);
    case 'kv-v2-read':
      return readVersion(state, routed, token!, input.query);
    case 'kv-v2-read-metadata':
      return readMetadata(state, routed, token!);
    case 'kv-v2-write-metadata':
      return writeMetadata(state, routed, token!, body);
    case 'kv-v2-list':
      return list(state, routed, token!);
  }
}

/** Every JSON answer's envelope (github-and-vault.md §9). */
function envelope(members: { data?: unknown; auth?: unknown; kv?: boolean }): Record<string, unknown> {
  return {
    request_id: randomUUID(),
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data: members.data ?? null,
    wrap_info: null,
    warnings: null,
    auth: members.auth ?? null,
    ...(members.kv ? { mount_type: 'kv' } : {}),
  };
}

function login(state: VaultState, body: unknown): Answer {
  const { role_id: roleId, secret_id: secretId } = asObject(body);
  const token = state.login(roleId, secretId);
  const auth = {
    client_token: token.id,
    accessor: token.accessor,
    policies: token.policies,
    token_policies: token.policies,
    metadata: { role_name: token.role ?? '' },
    lease_duration: token.ttlSeconds,
    renewable: true,
    entity_id: randomUUID(),
    token_type: 'service',
    orphan: true,
  };
  return { status: 200, body: envelope({ auth }) };
}

function lookupSelf(state: VaultState, token: FakeToken): Answer {
  state.authorize(token, 'auth/token/lookup-self', 'read');
  const ttl = state.ttlLeft(token);
  const expireTime = ttl === null ? null : new Date(token.issuedAt + token.ttlSeconds * 1000).toISOString();
  const data = {
    accessor: token.accessor,
    creation_time: Math.floor(token.issuedAt / 1000),
    creation_ttl: token.ttlSeconds,
    display_name: token.displayName,
    entity_id: '',
    expire_time: expireTime,
    explicit_max_ttl: 0,
    id: token.id,
    identity_policies: [],
    issue_time: new Date(token.issuedAt).toISOString(),
    meta: null,
    num_uses: 0,
    orphan: true,
    path: token.path,
    policies: token.policies,
    renewable: ttl !== null,
    ttl: ttl ?? 0,
  };
  return { status: 200, body: envelope({ data }) };
}

function writeVersion(state: VaultState, routed: Route, token: FakeToken, body: unknown): Answer {
  const secret = state.secret(routed.mount, routed.path);
  state.authorize(token, `${routed.mount}/data/${routed.path}`, secret === undefined ? 'create' : 'update');
  const { data, options } = asObject(body);
  if (!isObject(data)) throw badRequest('no data provided');
  const cas = options === undefined ? undefined : asObject(options).cas;
  if (cas !== undefined && !(Number.isInteger(cas) && (cas as number) >= 0)) {
    throw badRequest('cas must be a non-negative integer');
  }
  const written = state.writeVersion(routed.mount, routed.path, data, cas as number | undefined);
  return {
    status: 200,
    body: envelope({ data: versionMetadata(written, written.currentVersion), kv: true }),
  };
}

function readVersion(state: VaultState, routed: Route, token: FakeToken, query: URLSearchParams): Answer {
  state.authorize(token, `${routed.mount}/data/${routed.path}`, 'read');
  const secret = state.secret(routed.mount, routed.path);
  const asked = Number(query.get('version') ?? '0');
  if (!(Number.isInteger(asked) && asked >= 0)) throw badRequest('version must be a non-negative integer');
  const number = asked === 0 ? (secret?.currentVersion ?? 0) : asked;
  const version = secret?.versions.get(number);
  if (secret === undefined || version === undefined) throw nothingHere();
  const data = { data: structuredClone(version.data), metadata: versionMetadata(secret, number) };
  return { status: 200, body: envelope({ data, kv: true }) };
}

function readMetadata(state: VaultState, routed: Route, token: FakeToken): Answer {
  state.authorize(token, `${routed.mount}/metadata/${routed.path}`, 'read');
  const secret = state.secret(routed.mount, routed.path);
  if (secret === undefined) throw nothingHere();
  const versions = Object.fromEntries(
    [...secret.versions].map(([number, version]) => [
      String(number),
      {
        created_time: version.createdTime,
        deletion_time: version.deletionTime,
        destroyed: version.destroyed,
      },
    ]),
  );
  const data = {
    cas_required: secret.casRequired,
    created_time: secret.createdTime,
    current_version: secret.currentVersion,
    custom_metadata: secret.customMetadata,
    delete_version_after: secret.deleteVersionAfter,
    max_versions: secret.maxVersions,
    oldest_version: secret.oldestVersion,
    updated_time: secret.updatedTime,
    versions,
  };
  return { status: 200, body: envelope({ data, kv: true }) };
}

function writeMetadata(state: VaultState, routed: Route, token: FakeToken, body: unknown): Answer {
  const exists = state.secret(routed.mount, routed.path) !== undefined;
  state.authorize(token, `${routed.mount}/metadata/${routed.path}`, exists ? 'update' : 'create');
  const input = asObject(body);
  const maxVersions = input.max_versions;
  if (maxVersions !== undefined && !(Number.isInteger(maxVersions) && (maxVersions as number) >= 0)) {
    throw badRequest('max_versions must be a non-negative integer');
  }
  const customMetadata = input.custom_metadata;
  if (
    customMetadata !== undefined &&
    !(isObject(customMetadata) && Object.values(customMetadata).every((value) => typeof value === 'string'))
  ) {
    throw badRequest('custom_metadata must map strings to strings');
  }
  state.writeMetadata(routed.mount, routed.path, {
    ...(maxVersions === undefined ? {} : { maxVersions: maxVersions as number }),
    ...(typeof input.cas_required === 'boolean' ? { casRequired: input.cas_required } : {}),
    ...(customMetadata === undefined ? {} : { customMetadata: customMetadata as Record<string, string> }),
    ...(typeof input.delete_version_after === 'string'
      ? { deleteVersionAfter: input.delete_version_after }
      : {}),
  });
  return { status: 204 };
}

function list(state: VaultState, routed: Route, token: FakeToken): Answer {
  const prefix = routed.path === '' ? '' : `${routed.path}/`;
  state.authorize(token, `${routed.mount}/metadata/${prefix}`, 'list');
  const keys = state.list(routed.mount, routed.path);
  if (keys.length === 0) throw nothingHere();
  return { status: 200, body: envelope({ data: { keys }, kv: true }) };
}

function versionMetadata(secret: StoredSecret, number: number): Record<string, unknown> {
  const version = secret.versions.get(number)!;
  return {
    created_time: version.createdTime,
    custom_metadata: secret.customMetadata,
    deletion_time: version.deletionTime,
    destroyed: version.destroyed,
    version: number,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObject(value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isObject(value)) throw badRequest('the body must be a JSON object');
  return value;
}
