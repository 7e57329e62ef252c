import { createPrivateKey } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { KeyhouseError } from '../core/errors.js';
import { Secret } from '../core/secret.js';
import { shareRun } from '../util/share-run.js';
import { GitHubNotFoundError } from './errors.js';
import type { RepositoryName } from './routes.js';
import { InstallationSchema, InstallationTokenSchema, parseBody } from './schemas.js';
import type { GitHubClientStats, GitHubResponse, GitHubTransport } from './transport.js';

/** A permission level an installation token may be narrowed to (GH-SUB `app-permissions`). */
export type AppPermissionLevel = 'read' | 'write';

export interface AppAuthOptions {
  /** The JWT's `iss`: the app's client ID (`Iv1.…`, GitHub's recommendation) or its numeric app ID. */
  appId: string | number;
  /** The app's private key, PEM (PKCS#1 as GitHub hands it out, or PKCS#8). */
  privateKey: Secret;
  transport: GitHubTransport;
  clock: Clock;
  /** A token is renewed this long before it expires (at most half its lifetime before). */
  renewalMarginMs: number;
  stats: GitHubClientStats;
}

/** What an installation token is narrowed to; absent, all the installation was granted. */
export type AppPermissions = Readonly<Record<string, AppPermissionLevel>> | undefined;

/** An installation token, and when to stop using it. */
export interface InstallationToken {
  installationId: number;
  /** The permission set it was minted for (`permissionsKey`). */
  scope: string;
  token: Secret;
  /** Epoch ms after which a new one is minted instead (`expires_at` less the renewal margin). */
  renewAt: number;
}

/**
 * The GitHub App's side of authentication (DOC-JWT, github-and-vault.md §4): a JWT signed with the app's
 * key finds the installation for a repository and mints installation tokens, which the other calls use.
 * Installations are remembered per repository and tokens per installation and permission set (one App
 * serves delivery and the leak alerts, each with a token narrowed to what it needs); concurrent callers
 * share one lookup and one mint; a token is renewed before it expires, by the injected clock.
 */
export class AppAuth {
  readonly #options: AppAuthOptions;
  readonly #installations = new Map<string, number>();
  readonly #lookups = new Map<string, Promise<number>>();
  /** By `tokenKey`: the installation and the permission set. */
  readonly #tokens = new Map<string, InstallationToken>();
  readonly #minting = new Map<string, Promise<InstallationToken>>();

  constructor(options: AppAuthOptions) {
    checkPrivateKey(options.privateKey);
    this.#options = options;
  }

  /**
   * A JWT for the app's own endpoints, signed by `universal-github-app-jwt` (RS256). GitHub recommends
   * `iat` 60 s in the past against clock drift and allows `exp` at most 10 minutes ahead: the library puts
   * `iat` 30 s before the `now` it is given and `exp` 10 minutes after `iat`, so it is given now − 30 s,
   * which makes `iat` now − 60 s and `exp` now + 9 minutes.
   */
  async appJwt(): Promise<Secret> {
    const now = Math.floor(this.#options.clock.now().getTime() / 1000);
    try {
      // Loaded when GitHub is first asked, not at start (about 4 MiB of RSS a Keyhouse without GitHub skips).
      const { default: githubAppJwt } = await import('universal-github-app-jwt');
      const { token } = await githubAppJwt({
        id: this.#options.appId,
        privateKey: this.#options.privateKey.reveal(),
        now: now - 30,
      });
      return new Secret(token);
    } catch (cause) {
      // The library's own messages name the key's format only; the cause is still left out, to be sure.
      const label = cause instanceof Error ? cause.name : 'unknown error';
      throw new KeyhouseError(
        'config_invalid',
        `GitHub App: the private key could not sign a JWT (${label})`,
      );
    }
  }

  /** The app's installation on `repository` (`GET /repos/{owner}/{repo}/installation`), remembered. */
  async installationId(repository: RepositoryName): Promise<number> {
    const key = repositoryKey(repository);
    const known = this.#installations.get(key);
    if (known !== undefined) return known;
    // A failure is not remembered: the app may be installed a minute later.
    return shareRun(this.#lookups, key, async () => {
      const id = await this.#lookUpInstallation(repository);
      this.#installations.set(key, id);
      return id;
    });
  }

  /**
   * A token for the installation narrowed to `permissions`: the remembered one until its renewal time,
   * else one freshly minted. Each permission set has its own token.
   */
  async token(installationId: number, permissions: AppPermissions): Promise<InstallationToken> {
    const scope = permissionsKey(permissions);
    const key = tokenKey(installationId, scope);
    const held = this.#tokens.get(key);
    if (held !== undefined && this.#now() < held.renewAt) return held;
    return shareRun(this.#minting, key, () => this.#mint(installationId, scope, permissions));
  }

  /** GitHub refused this token (401): drop it, unless another caller has already replaced it. */
  forgetToken(refused: InstallationToken): void {
    const key = tokenKey(refused.installationId, refused.scope);
    if (this.#tokens.get(key) === refused) this.#tokens.delete(key);
  }

  async #lookUpInstallation(repository: RepositoryName): Promise<number> {
    const response = await this.#options.transport.call('getRepoInstallation', {
      params: { owner: repository.owner, repo: repository.repo },
      credential: await this.appJwt(),
      bucket: 'app',
    });
    return parseBody(response, InstallationSchema).id;
  }

  async #mint(
    installationId: number,
    scope: string,
    permissions: AppPermissions,
  ): Promise<InstallationToken> {
    const { transport, stats } = this.#options;
    const mintedAt = this.#now();
    let response: GitHubResponse;
    try {
      response = await transport.call('createInstallationToken', {
        params: { installation_id: String(installationId) },
        ...(permissions === undefined ? {} : { body: { permissions } }),
        credential: await this.appJwt(),
        bucket: 'app',
      });
    } catch (error) {
      // The installation is gone (the app was uninstalled): find the repositories' installations afresh.
      if (error instanceof GitHubNotFoundError) this.#forgetInstallation(installationId);
      throw error;
    }
    stats.tokensMinted++;
    const raw = parseBody(response, InstallationTokenSchema);
    const expiresAt = Date.parse(raw.expires_at);
    const margin = Math.min(this.#options.renewalMarginMs, Math.max(0, (expiresAt - mintedAt) / 2));
    const token: InstallationToken = {
      installationId,
      scope,
      token: new Secret(raw.token),
      renewAt: expiresAt - margin,
    };
    this.#tokens.set(tokenKey(installationId, scope), token);
    return token;
  }

  #forgetInstallation(installationId: number): void {
    for (const [key, id] of this.#installations) if (id === installationId) this.#installations.delete(key);
    for (const [key, token] of this.#tokens)
      if (token.installationId === installationId) this.#tokens.delete(key);
  }

  #now(): number {
    return this.#options.clock.now().getTime();
  }
}

/** One string per permission set, the same whatever order its names were given in; `*` for none. */
export function permissionsKey(permissions: AppPermissions): string {
  if (permissions === undefined) return '*';
  return Object.keys(permissions)
    .sort()
    .map((name) => `${name}:${permissions[name]}`)
    .join(',');
}

function tokenKey(installationId: number, scope: string): string {
  return `${installationId} ${scope}`;
}

/** GitHub's owner and repository names are case-insensitive. */
function repositoryKey(repository: RepositoryName): string {
  return `${repository.owner}/${repository.repo}`.toLowerCase();
}

/** Refuses, at construction, a key that cannot sign: better at start than at the first delivery. */
function checkPrivateKey(privateKey: Secret): void {
  if (!(privateKey instanceof Secret))
    throw new KeyhouseError('config_invalid', 'GitHub App: privateKey must be a Secret');
  try {
    // Keys from environment variables often carry `\n` escapes; the JWT library accepts those too.
    const key = createPrivateKey(privateKey.reveal().replace(/\\n/g, '\n'));
    if (key.asymmetricKeyType !== 'rsa') throw new Error('not RSA');
  } catch {
    throw new KeyhouseError('config_invalid', 'GitHub App: privateKey is not an RSA private key in PEM form');
  }
}
