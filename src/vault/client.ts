import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import { type Clock, systemClock } from '../core/clock.js';
import { KeyhouseError } from '../core/errors.js';
import { Secret } from '../core/secret.js';
import { checkApiRoot, sleep } from '../util/http.js';
import { AppRoleLogin, StaticToken, type TokenSource } from './auth.js';
import { VaultApiError, VaultPermissionDeniedError, VaultWriteUnknownError } from './errors.js';
import { checkNamespace, kvUrlPath, segmentsOf } from './paths.js';
import {
  KvMetadataSchema,
  KvReadSchema,
  KvWriteSchema,
  LookupSelfSchema,
  readReply,
  type VersionMetadataSchema,
} from './schemas.js';
import {
  provedNotApplied,
  type VaultCall,
  type VaultReply,
  type VaultRetryPolicy,
  VaultTransport,
} from './transport.js';

export type { VaultRetryPolicy } from './transport.js';

/** AppRole (`VAULT_ROLE_ID`, `VAULT_SECRET_ID`), or a token made elsewhere (`VAULT_TOKEN`). */
export type VaultAuth = { roleId: string; secretId: Secret } | { token: Secret };

export interface VaultClientOptions {
  /** `VAULT_ADDR`: the origin without `/v1`, e.g. `https://vault.example.com:8200`. */
  addr: string;
  /** `VAULT_NAMESPACE` (Enterprise, HCP: `admin`), sent as `X-Vault-Namespace` on every call, login included. */
  namespace?: string;
  auth: VaultAuth;
  /** Where the AppRole auth method is mounted. Default `approle`. */
  approleMount?: string;
  /** Transport; defaults to undici's global dispatcher. */
  dispatcher?: Dispatcher;
  /** Per attempt, including reading the body. Default 10 000. */
  timeoutMs?: number;
  /** Receives one debug line per attempt: operation, method, route template, status, ms, attempt. */
  logger?: Logger;
  /** Decides when a token is renewed. Default the system clock. */
  clock?: Clock;
  /** Defaults: 3 attempts, 250 ms base, 4 s max backoff, at most 30 s waited for one 429. */
  retry?: Partial<VaultRetryPolicy>;
  /** Waits between attempts; injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  userAgent?: string;
}

/** One KV v2 version as Vault describes it. */
export interface KvVersionInfo {
  version: number;
  createdTime: string;
  /** Empty when not deleted. */
  deletionTime: string;
  destroyed: boolean;
  customMetadata: Readonly<Record<string, string>> | null;
}

/** The result of `writeVersion`: the new version, or null when Vault answered 204 without a body. */
export interface KvWritten {
  version: KvVersionInfo | null;
}

/** A version read back. Every value is wrapped: what was written may be a secret. */
export interface KvRead {
  /** Null for a deleted or destroyed version. Non-string values arrive JSON-encoded. */
  data: Readonly<Record<string, Secret>> | null;
  version: KvVersionInfo;
}

export interface KvMetadata {
  currentVersion: number;
  oldestVersion: number;
  /** 0 means the mount's setting (10 by default). */
  maxVersions: number;
  casRequired: boolean;
  createdTime: string;
  updatedTime: string;
  customMetadata: Readonly<Record<string, string>> | null;
  versions: Readonly<Record<string, { createdTime: string; deletionTime: string; destroyed: boolean }>>;
}

/** What lookup-self says of the client's token (never the token itself). */
export interface VaultTokenInfo {
  /** Seconds left; 0 for a token that does not expire. */
  ttlSeconds: number;
  policies: readonly string[];
  expireTime: string | null;
  renewable: boolean;
}

export type KvValue = string | Secret;

const DEFAULT_RETRY: VaultRetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 250,
  maxDelayMs: 4_000,
  maxRetryAfterMs: 30_000,
};

const ROUTES = {
  lookupSelf: '/v1/auth/token/lookup-self',
  data: '/v1/{kv_v2_mount_path}/data/{path}',
  metadata: '/v1/{kv_v2_mount_path}/metadata/{path}',
} as const;

/**
 * Client for HashiCorp Vault: AppRole login (or a static token), KV version 2 writes, reads and metadata,
 * and a readiness check. Modelled on the ClickHouse client: zod at the edge, one error class per status
 * family, retries only where safe, an injectable dispatcher and clock.
 *
 * No token, secret id or written secret reaches a log line or an error: they travel as `Secret`, are
 * revealed only into the request being sent, and are scrubbed from whatever Vault says back.
 */
export class VaultClient {
  readonly #transport: VaultTransport;
  readonly #tokens: TokenSource;

  constructor(options: VaultClientOptions) {
    const addr = checkAddr(options.addr);
    const namespace =
      options.namespace === undefined ? undefined : asConfig(() => checkNamespace(options.namespace));
    const approleMount = options.approleMount ?? 'approle';
    asConfig(() => segmentsOf('approleMount', approleMount));
    const retry = { ...DEFAULT_RETRY, ...options.retry };
    if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
      throw configError('retry.maxAttempts must be ≥ 1');
    }
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (!(timeoutMs > 0)) throw configError('timeoutMs must be positive');
    const auth = checkAuth(options.auth);

    this.#transport = new VaultTransport({
      addr,
      namespace,
      dispatcher: options.dispatcher,
      timeoutMs,
      logger: options.logger,
      retry,
      sleep: options.sleep ?? sleep,
      random: Math.random,
      userAgent: options.userAgent ?? `keyhouse node/${process.versions.node}`,
      credentials: 'secretId' in auth ? [auth.secretId] : [],
    });
    this.#tokens =
      'token' in auth
        ? new StaticToken(auth.token)
        : new AppRoleLogin({
            roleId: auth.roleId,
            secretId: auth.secretId,
            approleMount,
            transport: this.#transport,
            clock: options.clock ?? systemClock,
          });
  }

  /**
   * Readiness: `GET /v1/auth/token/lookup-self` with the client's token (logging in first with AppRole).
   * Throws what stopped it: a refused login, a token Vault no longer honours, an unreachable Vault.
   */
  async ping(): Promise<VaultTokenInfo> {
    const reply = await this.#withToken((token) =>
      this.#transport.send({
        operation: 'token-look-up-self',
        method: 'GET',
        route: ROUTES.lookupSelf,
        path: ROUTES.lookupSelf,
        token,
        retry: 'idempotent',
      }),
    );
    const { data } = readReply(reply, LookupSelfSchema);
    return {
      ttlSeconds: data.ttl,
      policies: data.policies,
      expireTime: data.expire_time ?? null,
      renewable: data.renewable ?? false,
    };
  }

  /**
   * `POST /v1/<mount>/data/<path>`: one new version holding `data`. `cas` (check-and-set) writes only if
   * the secret's current version is `cas` (0: only if it does not exist yet); a mismatch throws
   * `VaultCasMismatchError`.
   *
   * Sent again only when the answer proves nothing was written (429, 503, a connection never made) or
   * after a 403 cured by one new login. A timeout, a broken connection or another 5xx after sending
   * throws `VaultWriteUnknownError`: Vault may have written the version, and sending it again would
   * write a second one. A 2xx whose body is not JSON throws `VaultInvalidResponseError` with that status:
   * the version was written, though its number is unknown.
   */
  async writeVersion(
    mount: string,
    path: string,
    data: Readonly<Record<string, KvValue>>,
    options: { cas?: number } = {},
  ): Promise<KvWritten> {
    const urlPath = kvUrlPath(mount, 'data', path);
    const { body, secrets } = writeBody(data, options.cas);
    const reply = await this.#sendWrite(urlPath, body, secrets);
    // 200 and 204 are both success (github-and-vault.md §9); a 204 says nothing of the version.
    if (reply.body === undefined) return { version: null };
    const written = readReply(reply, KvWriteSchema).data;
    return { version: written === null || written === undefined ? null : versionInfo(written) };
  }

  /** `GET /v1/<mount>/data/<path>[?version=N]`: the latest version, or version `N`. */
  async readVersion(mount: string, path: string, options: { version?: number } = {}): Promise<KvRead> {
    const urlPath = kvUrlPath(mount, 'data', path);
    if (options.version !== undefined && !(Number.isInteger(options.version) && options.version > 0)) {
      throw invalidInput('Vault version must be a whole number ≥ 1');
    }
    const reply = await this.#read({
      operation: 'kv-v2-read',
      route: ROUTES.data,
      path: urlPath,
      ...(options.version === undefined ? {} : { query: { version: String(options.version) } }),
    });
    const { data } = readReply(reply, KvReadSchema);
    return {
      data: data.data === null ? null : wrapValues(data.data),
      version: versionInfo(data.metadata),
    };
  }

  /** `GET /v1/<mount>/metadata/<path>`: the versions of a secret, without any of their values. */
  async readMetadata(mount: string, path: string): Promise<KvMetadata> {
    const reply = await this.#read({
      operation: 'kv-v2-read-metadata',
      route: ROUTES.metadata,
      path: kvUrlPath(mount, 'metadata', path),
    });
    const { data } = readReply(reply, KvMetadataSchema);
    return {
      currentVersion: data.current_version,
      oldestVersion: data.oldest_version,
      maxVersions: data.max_versions,
      casRequired: data.cas_required,
      createdTime: data.created_time,
      updatedTime: data.updated_time,
      customMetadata: data.custom_metadata ?? null,
      versions: Object.fromEntries(
        Object.entries(data.versions).map(([version, info]) => [
          version,
          { createdTime: info.created_time, deletionTime: info.deletion_time, destroyed: info.destroyed },
        ]),
      ),
    };
  }

  #read(call: Pick<VaultCall, 'operation' | 'route' | 'path' | 'query'>): Promise<VaultReply> {
    return this.#withToken((token) =>
      this.#transport.send({ ...call, method: 'GET', token, retry: 'idempotent' }),
    );
  }

  /** A write sent with the retry rule for writes; a failure that may have written is `VaultWriteUnknownError`. */
  async #sendWrite(path: string, body: () => unknown, secrets: readonly Secret[]): Promise<VaultReply> {
    try {
      return await this.#withToken((token) =>
        this.#transport.send({
          operation: 'kv-v2-write',
          method: 'POST',
          route: ROUTES.data,
          path,
          token,
          body,
          secrets,
          retry: 'write',
        }),
      );
    } catch (error) {
      if (error instanceof VaultApiError && mayHaveWritten(error)) throw new VaultWriteUnknownError(error);
      throw error;
    }
  }

  /**
   * Runs `send` with a token. A 403 to a token we believe alive means it was revoked or expired early
   * (Vault restarted, clocks disagree): one new login and one more try. A second 403 is a real refusal
   * (a policy that does not allow the path). Resending is safe even for a write: a 403 wrote nothing.
   */
  async #withToken(send: (token: Secret) => Promise<VaultReply>): Promise<VaultReply> {
    const token = await this.#tokens.token();
    try {
      return await send(token);
    } catch (error) {
      if (!(error instanceof VaultPermissionDeniedError)) throw error;
      const fresh = await this.#tokens.replace(token);
      if (fresh === null) throw error;
      return send(fresh);
    }
  }
}

/** Whether a failed write may nonetheless have written its version. */
function mayHaveWritten(error: VaultApiError): boolean {
  if (provedNotApplied(error)) return false;
  return error.status === undefined || error.status >= 500;
}

function versionInfo(metadata: z.infer<typeof VersionMetadataSchema>): KvVersionInfo {
  return {
    version: metadata.version,
    createdTime: metadata.created_time,
    deletionTime: metadata.deletion_time,
    destroyed: metadata.destroyed,
    customMetadata: metadata.custom_metadata ?? null,
  };
}

function wrapValues(data: Record<string, unknown>): Record<string, Secret> {
  return Object.fromEntries(
    Object.entries(data).map(([name, value]) => [
      name,
      new Secret(typeof value === 'string' ? value : JSON.stringify(value)),
    ]),
  );
}

function reveal(value: KvValue): string {
  return value instanceof Secret ? value.reveal() : value;
}

/** The body of a write (secrets revealed only when it is built, per attempt), after checking its input. */
function writeBody(
  data: Readonly<Record<string, KvValue>>,
  cas: number | undefined,
): { body: () => unknown; secrets: Secret[] } {
  if (typeof data !== 'object' || data === null) throw invalidInput('Vault data must be an object');
  const entries = Object.entries(data);
  if (entries.length === 0) throw invalidInput('Vault data is empty');
  for (const [name, value] of entries) {
    if (name === '') throw invalidInput('Vault data has an empty field name');
    if (typeof value !== 'string' && !(value instanceof Secret)) {
      throw invalidInput(`Vault data field ${name} must be a string or a Secret`);
    }
  }
  if (cas !== undefined && !(Number.isInteger(cas) && cas >= 0)) {
    throw invalidInput('Vault cas must be a whole number ≥ 0');
  }
  return {
    body: () => ({
      data: Object.fromEntries(entries.map(([name, value]) => [name, reveal(value)])),
      ...(cas === undefined ? {} : { options: { cas } }),
    }),
    secrets: entries.flatMap(([, value]) => (value instanceof Secret ? [value] : [])),
  };
}

function invalidInput(message: string): KeyhouseError {
  return new KeyhouseError('invalid_input', message);
}

function checkAuth(auth: unknown): VaultAuth {
  if (typeof auth !== 'object' || auth === null) throw configError('auth is required');
  if ('token' in auth) {
    if (!(auth.token instanceof Secret) || auth.token.reveal() === '')
      throw configError('auth.token must be a non-empty Secret');
    return { token: auth.token };
  }
  const { roleId, secretId } = auth as { roleId?: unknown; secretId?: unknown };
  if (typeof roleId !== 'string' || roleId.trim() === '') throw configError('auth.roleId is required');
  if (!(secretId instanceof Secret) || secretId.reveal() === '')
    throw configError('auth.secretId must be a non-empty Secret');
  return { roleId, secretId };
}

function checkAddr(raw: string): string {
  const base = checkApiRoot(raw, 'addr', configError);
  if (/\/v1$/.test(base))
    throw configError('addr is VAULT_ADDR without /v1, e.g. https://vault.example.com:8200');
  return base;
}

/** A path check at construction is a configuration error, not bad input. */
function asConfig<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw configError((error as Error).message.replace(/^Vault /, ''));
  }
}

function configError(message: string): KeyhouseError {
  return new KeyhouseError('config_invalid', `Vault client: ${message}`);
}
