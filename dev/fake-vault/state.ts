import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../../src/core/clock.js';
import type { Capability } from '../../src/vault/policy.js';
import { Acl, type AclRule } from './acl.js';

/** An error answer: the server sends `{"errors": messages}` with this status. */
export class VaultFault extends Error {
  override readonly name = 'VaultFault';
  readonly status: number;
  readonly messages: string[];

  constructor(status: number, messages: string[]) {
    super(messages.join('; ') || `status ${status}`);
    this.status = status;
    this.messages = messages;
  }
}

export const permissionDenied = (): VaultFault => new VaultFault(403, ['permission denied']);
/** What Vault answers for a KV path, version or list with nothing in it (github-and-vault.md §9). */
export const nothingHere = (): VaultFault => new VaultFault(404, []);
export const badRequest = (message: string): VaultFault => new VaultFault(400, [message]);

export interface FakeRole {
  name: string;
  roleId: string;
  secretId: string;
  policies: string[];
  tokenTtlSeconds: number;
}

export interface FakeToken {
  id: string;
  accessor: string;
  policies: string[];
  /** `auth/approle/login` or `auth/token/create`: how it was made. */
  path: string;
  displayName: string;
  /** The AppRole role it was issued to, if any. */
  role?: string;
  issuedAt: number;
  ttlSeconds: number;
  revoked: boolean;
}

export interface StoredVersion {
  data: Record<string, unknown>;
  createdTime: string;
  deletionTime: string;
  destroyed: boolean;
}

export interface StoredSecret {
  versions: Map<number, StoredVersion>;
  currentVersion: number;
  oldestVersion: number;
  /** 0: the mount's setting (10). */
  maxVersions: number;
  casRequired: boolean;
  customMetadata: Record<string, string> | null;
  deleteVersionAfter: string;
  createdTime: string;
  updatedTime: string;
}

/** What Vault keeps of versions when neither the secret nor the mount says (`max_versions` 0). */
const DEFAULT_MAX_VERSIONS = 10;
/** Tokens from `issueToken` without a TTL do not expire, as a root token does not. */
export const NO_EXPIRY = 0;

/**
 * Everything the fake Vault knows: policies, AppRole roles, tokens (their TTL on the injected clock)
 * and KV v2 mounts with versioned secrets. Pure: the HTTP side (server.ts) decides answers from it.
 */
export class VaultState {
  readonly #clock: Clock;
  readonly #policies = new Map<string, AclRule[]>();
  readonly #roles = new Map<string, FakeRole>();
  readonly #tokens = new Map<string, FakeToken>();
  /** mount → path → secret. */
  readonly #mounts = new Map<string, Map<string, StoredSecret>>();
  readonly #casRequiredMounts = new Set<string>();

  constructor(clock: Clock) {
    this.#clock = clock;
    // Vault's default policy, as far as Keyhouse uses it: a token may look itself up.
    this.#policies.set('default', [{ path: 'auth/token/lookup-self', capabilities: ['read'] }]);
  }

  now(): number {
    return this.#clock.now().getTime();
  }

  setPolicy(name: string, rules: readonly AclRule[]): void {
    this.#policies.set(
      name,
      rules.map((rule) => ({ path: rule.path, capabilities: [...rule.capabilities] })),
    );
  }

  addMount(mount: string, options: { casRequired?: boolean } = {}): void {
    if (!this.#mounts.has(mount)) this.#mounts.set(mount, new Map());
    if (options.casRequired) this.#casRequiredMounts.add(mount);
  }

  /** The configured mount a request path (`secret/data/x`) falls under, and the rest of it. */
  resolveMount(path: string): { mount: string; rest: string } | null {
    const candidates = [...this.#mounts.keys()].filter((mount) => path.startsWith(`${mount}/`));
    const mount = candidates.sort((a, b) => b.length - a.length)[0];
    return mount === undefined ? null : { mount, rest: path.slice(mount.length + 1) };
  }

  addRole(input: {
    name: string;
    policies: string[];
    tokenTtlSeconds: number;
    roleId?: string;
    secretId?: string;
  }): FakeRole {
    const role: FakeRole = {
      name: input.name,
      roleId: input.roleId ?? randomUUID(),
      secretId: input.secretId ?? randomUUID(),
      policies: input.policies,
      tokenTtlSeconds: input.tokenTtlSeconds,
    };
    this.#roles.set(role.name, role);
    return role;
  }

  /** AppRole login; a wrong role id or secret id is refused alike, so neither can be probed alone. */
  login(roleId: unknown, secretId: unknown): FakeToken {
    if (typeof roleId !== 'string' || roleId === '') throw badRequest('missing role_id');
    const role = [...this.#roles.values()].find(
      (candidate) => candidate.roleId === roleId && candidate.secretId === secretId,
    );
    if (role === undefined) throw badRequest('invalid role or secret ID');
    return this.issueToken({
      policies: ['default', ...role.policies],
      ttlSeconds: role.tokenTtlSeconds,
      path: 'auth/approle/login',
      displayName: 'approle',
      role: role.name,
    });
  }

  issueToken(input: {
    policies: string[];
    ttlSeconds: number;
    path?: string;
    displayName?: string;
    role?: string;
  }): FakeToken {
    const token: FakeToken = {
      // Service tokens look like this since Vault 1.10.
      id: `hvs.${randomBytes(18).toString('base64url')}`,
      accessor: randomBytes(12).toString('base64url'),
      policies: input.policies,
      path: input.path ?? 'auth/token/create',
      displayName: input.displayName ?? 'token',
      ...(input.role === undefined ? {} : { role: input.role }),
      issuedAt: this.now(),
      ttlSeconds: input.ttlSeconds,
      revoked: false,
    };
    this.#tokens.set(token.id, token);
    return token;
  }

  /** The live token with this id; an unknown, revoked or expired one is a 403 as Vault gives it. */
  authenticate(id: string | null): FakeToken {
    const token = id === null ? undefined : this.#tokens.get(id);
    if (token === undefined || token.revoked || this.ttlLeft(token) === 0) throw permissionDenied();
    return token;
  }

  /** Seconds left; for a token without expiry, 0 is never reached (see `authenticate`). */
  ttlLeft(token: FakeToken): number | null {
    if (token.ttlSeconds === NO_EXPIRY) return null;
    return Math.max(0, Math.ceil((token.issuedAt + token.ttlSeconds * 1000 - this.now()) / 1000));
  }

  revokeAll(): void {
    for (const token of this.#tokens.values()) token.revoked = true;
  }

  tokenIds(): string[] {
    return [...this.#tokens.keys()];
  }

  authorize(token: FakeToken, path: string, capability: Capability): void {
    const rules = token.policies.flatMap((name) => this.#policies.get(name) ?? []);
    if (!new Acl(rules).allows(path, capability)) throw permissionDenied();
  }

  secret(mount: string, path: string): StoredSecret | undefined {
    return this.#mounts.get(mount)?.get(path);
  }

  /** Every secret of every mount, mounts and paths in sorted order. */
  secrets(): { mount: string; path: string; secret: StoredSecret }[] {
    return [...this.#mounts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .flatMap(([mount, paths]) =>
        [...paths.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([path, secret]) => ({ mount, path, secret })),
      );
  }

  /** One new version; `cas` as KV v2 defines it (github-and-vault.md §10). */
  writeVersion(
    mount: string,
    path: string,
    data: Record<string, unknown>,
    cas: number | undefined,
  ): StoredSecret {
    const secrets = this.#mounts.get(mount)!;
    const existing = secrets.get(path);
    const casRequired = this.#casRequiredMounts.has(mount) || existing?.casRequired === true;
    if (cas === undefined && casRequired) {
      throw badRequest('check-and-set parameter required for this call');
    }
    if (cas !== undefined && cas !== (existing?.currentVersion ?? 0)) {
      // The docs give no text for this (UNCERTAIN); Vault's own wording, as commonly reported.
      throw badRequest('check-and-set parameter did not match the current version');
    }
    const secret = existing ?? this.#newSecret();
    const version = secret.currentVersion + 1;
    const now = new Date(this.now()).toISOString();
    secret.versions.set(version, {
      data: structuredClone(data),
      createdTime: now,
      deletionTime: '',
      destroyed: false,
    });
    secret.currentVersion = version;
    secret.updatedTime = now;
    if (secret.oldestVersion === 0) secret.oldestVersion = version;
    this.#trim(secret);
    secrets.set(path, secret);
    return secret;
  }

  writeMetadata(
    mount: string,
    path: string,
    input: {
      maxVersions?: number;
      casRequired?: boolean;
      customMetadata?: Record<string, string>;
      deleteVersionAfter?: string;
    },
  ): void {
    const secrets = this.#mounts.get(mount)!;
    const secret = secrets.get(path) ?? this.#newSecret();
    if (input.maxVersions !== undefined) secret.maxVersions = input.maxVersions;
    if (input.casRequired !== undefined) secret.casRequired = input.casRequired;
    if (input.customMetadata !== undefined) secret.customMetadata = input.customMetadata;
    if (input.deleteVersionAfter !== undefined) secret.deleteVersionAfter = input.deleteVersionAfter;
    secret.updatedTime = new Date(this.now()).toISOString();
    this.#trim(secret);
    secrets.set(path, secret);
  }

  /** The names directly under `prefix` (`""` for the mount's root): leaves as is, folders ending in `/`. */
  list(mount: string, prefix: string): string[] {
    const start = prefix === '' ? '' : `${prefix}/`;
    const names = new Set<string>();
    for (const path of this.#mounts.get(mount)?.keys() ?? []) {
      if (!path.startsWith(start)) continue;
      const rest = path.slice(start.length);
      const slash = rest.indexOf('/');
      names.add(slash === -1 ? rest : rest.slice(0, slash + 1));
    }
    return [...names].sort();
  }

  #newSecret(): StoredSecret {
    const now = new Date(this.now()).toISOString();
    return {
      versions: new Map(),
      currentVersion: 0,
      oldestVersion: 0,
      maxVersions: 0,
      casRequired: false,
      customMetadata: null,
      deleteVersionAfter: '0s',
      createdTime: now,
      updatedTime: now,
    };
  }

  /** Versions beyond `max_versions` are removed, oldest first. */
  #trim(secret: StoredSecret): void {
    const keep = secret.maxVersions === 0 ? DEFAULT_MAX_VERSIONS : secret.maxVersions;
    for (const version of [...secret.versions.keys()].sort((a, b) => a - b)) {
      if (secret.versions.size <= keep) break;
      secret.versions.delete(version);
    }
    const remaining = [...secret.versions.keys()];
    if (remaining.length > 0) secret.oldestVersion = Math.min(...remaining);
  }
}
