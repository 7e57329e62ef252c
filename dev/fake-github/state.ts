import { randomBytes, randomInt } from 'node:crypto';
import sodium from 'libsodium-wrappers';
import type { Clock } from '../../src/core/clock.js';
import {
  type AlertRecord,
  basicError,
  type LocationInput,
  type UserLike,
  validationError,
} from './payloads.js';

/** An answer other than success, with GitHub's body for it. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;
  readonly body: Record<string, unknown>;

  constructor(status: number, body: Record<string, unknown>) {
    super(String(body.message ?? status));
    this.status = status;
    this.body = body;
  }
}

export const notFound = (): HttpError => new HttpError(404, basicError(404, 'Not Found'));
export const unprocessable = (
  message: string,
  field: string,
  code = 'invalid',
  resource = 'Secret',
): HttpError => new HttpError(422, validationError(message, [{ resource, field, code }]));

export type Permissions = Record<string, 'read' | 'write'>;

export interface Installation {
  id: number;
  account: UserLike;
  permissions: Permissions;
  createdAt: string;
}

/** An X25519 key pair of a repository or environment; `key_id` names it in writes. */
interface SealKeys {
  keyId: string;
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

interface StoredSecret {
  value: string;
  keyId: string;
  createdAt: string;
  updatedAt: string;
}

/** A repository's or an environment's secrets and the key they are sealed with. */
export interface SecretScope {
  keys: SealKeys;
  /** Earlier key pairs, so a box sealed with a replaced key can still be told apart from garbage. */
  retiredKeys: SealKeys[];
  secrets: Map<string, StoredSecret>;
}

export interface Repository {
  id: number;
  owner: UserLike;
  name: string;
  fullName: string;
  createdAt: string;
  installationId: number | null;
  secretScanning: boolean;
  scope: SecretScope;
  environments: Map<string, SecretScope>;
  alerts: Map<number, AlertRecord>;
}

export interface IssuedToken {
  token: string;
  installationId: number;
  expiresAt: number;
  permissions: Permissions;
  revoked: boolean;
}

/** One accepted write, opened: what a test reads to know which secret reached GitHub. */
export interface WrittenSecretRecord {
  repository: string;
  environment: string | null;
  name: string;
  /** The plaintext, from `crypto_box_seal_open` with the scope's private key. */
  value: string;
  /** The `key_id` sent, which the fake checked is the key the box opens with. */
  keyId: string;
  status: 201 | 204;
  at: string;
  /** The same moment in ms, to order it among another service's writes (`at` is to the second, as GitHub's times are). */
  atMs: number;
}

/** DOC-SEC: at most 100 secrets per repository and per environment, each value at most 48 KB. */
const MAX_SECRETS = 100;
const MAX_VALUE_BYTES = 48 * 1024;

/**
 * The fake's world: installations of the one app, repositories with environments, Actions secrets,
 * installation tokens and secret scanning alerts. Times come from the injected clock.
 */
export class FakeGitHubState {
  readonly #clock: Clock;
  readonly installations = new Map<number, Installation>();
  readonly #repositories = new Map<string, Repository>();
  readonly #tokens = new Map<string, IssuedToken>();
  readonly written: WrittenSecretRecord[] = [];
  #nextId = randomInt(1_000, 9_000) * 1_000;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** GitHub's timestamps are to the second; `at` is one moment of the clock (default now). */
  nowIso(at: number = this.nowMs()): string {
    return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  nowMs(): number {
    return this.#clock.now().getTime();
  }

  newId(): number {
    this.#nextId += randomInt(1, 50);
    return this.#nextId;
  }

  addInstallation(account: UserLike, permissions: Permissions): Installation {
    const installation = { id: this.newId(), account, permissions, createdAt: this.nowIso() };
    this.installations.set(installation.id, installation);
    return installation;
  }

  addRepository(
    owner: UserLike,
    name: string,
    options: { installationId: number | null; secretScanning: boolean },
  ): Repository {
    const fullName = `${owner.login}/${name}`;
    if (this.#repositories.has(fullName.toLowerCase()))
      throw new Error(`repository ${fullName} exists already`);
    const repository: Repository = {
      id: this.newId(),
      owner,
      name,
      fullName,
      createdAt: this.nowIso(),
      installationId: options.installationId,
      secretScanning: options.secretScanning,
      scope: newScope(),
      environments: new Map(),
      alerts: new Map(),
    };
    this.#repositories.set(fullName.toLowerCase(), repository);
    return repository;
  }

  /** Owner and repository names are case-insensitive. */
  repository(owner: string, repo: string): Repository | null {
    return this.#repositories.get(`${owner}/${repo}`.toLowerCase()) ?? null;
  }

  /** Every repository, in the order added. */
  repositories(): Repository[] {
    return [...this.#repositories.values()];
  }

  /** A test's handle on a repository; throws for one it never added. */
  known(fullName: string): Repository {
    const repository = this.#repositories.get(fullName.toLowerCase());
    if (repository === undefined) throw new Error(`the fake has no repository ${fullName}`);
    return repository;
  }

  addEnvironment(repository: Repository, name: string): void {
    if (!repository.environments.has(name)) repository.environments.set(name, newScope());
  }

  /** The repository's scope, or one of its environments'; 404 for an environment it lacks. */
  scope(repository: Repository, environment: string | null): SecretScope {
    if (environment === null) return repository.scope;
    const scope = repository.environments.get(environment);
    if (scope === undefined) throw notFound();
    return scope;
  }

  // --- installation tokens ---

  /**
   * Mints a token that expires `ttlMs` from now. Its length varies, as GitHub's do since the stateless
   * format (`ghs_APPID_JWT`, github-and-vault.md §4) is rolled out: every other token is of the old,
   * 40-character form, the rest `ghs_<app id>_…` of 60 to 180 characters more. Nothing may assume 40.
   */
  mintToken(installation: Installation, appId: number, permissions: Permissions, ttlMs: number): IssuedToken {
    const stateless = this.#tokens.size % 2 === 1;
    const body = randomBytes(stateless ? randomInt(60, 180) : 27)
      .toString('base64url')
      .replace(/[-_]/g, 'x');
    const token = stateless ? `ghs_${appId}_${body}` : `ghs_${body.slice(0, 36)}`;
    const issued = {
      token,
      installationId: installation.id,
      expiresAt: this.nowMs() + ttlMs,
      permissions,
      revoked: false,
    };
    this.#tokens.set(token, issued);
    return issued;
  }

  /** The token, or null when unknown, revoked or expired (GitHub answers 401 for all three). */
  token(token: string): IssuedToken | null {
    const issued = this.#tokens.get(token);
    if (issued === undefined || issued.revoked || issued.expiresAt <= this.nowMs()) return null;
    return issued;
  }

  revokeTokens(): void {
    for (const issued of this.#tokens.values()) issued.revoked = true;
  }

  tokens(): IssuedToken[] {
    return [...this.#tokens.values()];
  }

  // --- Actions secrets ---

  /** Replaces a scope's key pair, as GitHub may (its keys' lifetime is UNCERTAIN). Returns the new key id. */
  rotateKey(scope: SecretScope): string {
    scope.retiredKeys.push(scope.keys);
    scope.keys = newKeys();
    return scope.keys.keyId;
  }

  /**
   * Stores a secret after opening its box. A stale `key_id`, a box that does not open with the key it
   * names, a bad name or too many secrets are answered 422 (the real answers are UNCERTAIN).
   */
  putSecret(
    repository: Repository,
    environment: string | null,
    name: string,
    body: { encrypted_value: string; key_id: string },
  ): 201 | 204 {
    const scope = this.scope(repository, environment);
    checkName(name);
    const stored = name.toUpperCase();
    if (!scope.secrets.has(stored) && scope.secrets.size >= MAX_SECRETS) {
      throw unprocessable('Secrets are limited to 100', 'name', 'too_many');
    }
    if (body.key_id !== scope.keys.keyId) {
      const retired = scope.retiredKeys.some((keys) => keys.keyId === body.key_id);
      throw unprocessable(
        retired ? 'key_id is no longer current' : 'key_id does not name a public key',
        'key_id',
      );
    }
    const value = openBox(scope.keys, body.encrypted_value);
    if (value === null) throw unprocessable('encrypted_value could not be decrypted', 'encrypted_value');
    if (Buffer.byteLength(value) > MAX_VALUE_BYTES)
      throw unprocessable('Secret value is too large', 'encrypted_value', 'too_large');
    const nowMs = this.nowMs();
    const now = this.nowIso(nowMs);
    const existing = scope.secrets.get(stored);
    scope.secrets.set(stored, {
      value,
      keyId: body.key_id,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    });
    const status = existing === undefined ? 201 : 204;
    this.written.push({
      repository: repository.fullName,
      environment,
      name: stored,
      value,
      keyId: body.key_id,
      status,
      at: now,
      atMs: nowMs,
    });
    return status;
  }

  secret(scope: SecretScope, name: string): StoredSecret | null {
    return scope.secrets.get(name.toUpperCase()) ?? null;
  }

  deleteSecret(scope: SecretScope, name: string): boolean {
    return scope.secrets.delete(name.toUpperCase());
  }

  // --- secret scanning ---

  addAlert(
    repository: Repository,
    input: { secret: string; secretType: string; secretTypeDisplayName: string; locations: LocationInput[] },
  ): AlertRecord {
    const number = repository.alerts.size + 1;
    const now = this.nowIso();
    const alert: AlertRecord = {
      number,
      ...input,
      state: 'open',
      resolution: null,
      resolutionComment: null,
      resolvedAt: null,
      resolvedBy: null,
      createdAt: now,
      updatedAt: now,
    };
    repository.alerts.set(number, alert);
    return alert;
  }
}

function newScope(): SecretScope {
  return { keys: newKeys(), retiredKeys: [], secrets: new Map() };
}

/** GitHub's key ids are long digit strings (GH-SUB example `012345678912345678`). */
function newKeys(): SealKeys {
  const pair = sodium.crypto_box_keypair();
  const keyId = Array.from({ length: 18 }, () => String(randomInt(10))).join('');
  return { keyId, publicKey: pair.publicKey, privateKey: pair.privateKey };
}

export function publicKeyBase64(scope: SecretScope): string {
  return sodium.to_base64(scope.keys.publicKey, sodium.base64_variants.ORIGINAL);
}

function openBox(keys: SealKeys, encrypted: string): string | null {
  try {
    const box = sodium.from_base64(encrypted, sodium.base64_variants.ORIGINAL);
    return sodium.to_string(sodium.crypto_box_seal_open(box, keys.publicKey, keys.privateKey));
  } catch {
    return null;
  }
}

/** DOC-SEC's rules, which the client also checks; the fake holds any other client to them. */
function checkName(name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || name.toUpperCase().startsWith('GITHUB_')) {
    throw unprocessable(
      'Secret names can only contain alphanumeric characters or underscores, must not start with a number or GITHUB_',
      'name',
    );
  }
}

/** libsodium must be loaded before the first key pair is made. */
export function sodiumReady(): Promise<void> {
  return sodium.ready;
}
