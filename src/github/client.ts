import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { type Clock, systemClock } from '../core/clock.js';
import { KeyhouseError } from '../core/errors.js';
import { Secret } from '../core/secret.js';
import { checkApiRoot, sleep } from '../util/http.js';
import { AppAuth, type AppPermissions } from './app-auth.js';
import {
  GitHubApiError,
  GitHubAuthenticationError,
  GitHubBadRequestError,
  GitHubInvalidResponseError,
} from './errors.js';
import { nextLink } from './link.js';
import {
  checkEnvironmentName,
  parseRepository,
  type RepositoryName,
  ROUTES,
  type RouteName,
} from './routes.js';
import {
  AlertSchema,
  LocationsSchema,
  PublicKeySchema,
  parseBody,
  type RawAlert,
  type RawLocation,
  type SecretMetadata,
  SecretMetadataSchema,
} from './schemas.js';
import { PublicKeyFormatError, sealSecret } from './sealed-box.js';
import { checkSecretName, checkSecretValueSize } from './secret-names.js';
import {
  type CallOptions,
  type GitHubClientStats,
  type GitHubResponse,
  type GitHubRetryPolicy,
  GitHubTransport,
} from './transport.js';

export interface GitHubAppClientOptions {
  /** API root: `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise Server. */
  apiUrl: string;
  /** The JWT's `iss`: the app's client ID (GitHub's recommendation) or its numeric app ID. */
  appId: string | number;
  /** The app's private key in PEM form (PKCS#1 as GitHub hands it out, or PKCS#8). */
  privateKey: Secret;
  /** Transport; defaults to undici's global dispatcher. */
  dispatcher?: Dispatcher;
  /** Per attempt, including reading the body. Default 10 000. */
  timeoutMs?: number;
  /** Receives one debug line per attempt: method, route template, status, ms, request id, attempt. */
  logger?: Logger;
  /** Time for token renewal and rate-limit resets. Default the system clock. */
  clock?: Clock;
  /** Waits between retries and for rate limits; injectable so tests move a manual clock instead. */
  sleep?: (ms: number) => Promise<void>;
  /** Defaults: 4 attempts, 500 ms base, 8 s max backoff, 60 s of rate-limit waiting per call. */
  retry?: Partial<GitHubRetryPolicy>;
  /** An installation token is renewed this long before it expires. Default 5 minutes. */
  tokenRenewalMarginMs?: number;
  /**
   * What the installation token of each kind of call is narrowed to (GH-SUB `app-permissions`):
   * `secrets` for Actions secrets (write, delete, read their metadata; e.g. `{ secrets: 'write',
   * environments: 'read' }`), `alerts` for secret scanning alerts (e.g. `{ secret_scanning_alerts:
   * 'write' }`). A kind left out gets tokens with everything the installation granted. One App serves
   * both: a token is kept per installation and permission set, each renewed before it expires. GitHub
   * refuses (422) a permission the installation lacks.
   */
  permissions?: { secrets?: AppPermissions; alerts?: AppPermissions };
  /** `X-GitHub-Api-Version`. Default `2026-03-10`. */
  apiVersion?: string;
  userAgent?: string;
  /** For jitter; injectable so tests can pin delays. */
  random?: () => number;
}

/** Where an Actions secret lives: a repository, or one of its environments. */
export interface ActionsSecretTarget {
  /** `owner/repo`. */
  repository: string;
  /** An environment of that repository; absent for a repository secret. */
  environment?: string;
}

export interface SecretToWrite {
  /** Checked as GitHub names secrets (letters, digits, `_`; no leading digit or `GITHUB_`), sent upper-case. */
  name: string;
  value: Secret;
}

export interface WrittenSecret {
  /** The name as written (upper-case). */
  name: string;
  /** 201 (a new secret) rather than 204 (an existing one replaced). */
  created: boolean;
  /** The `key_id` of the public key the value was sealed with. */
  keyId: string;
}

/** A secret scanning alert (GH-SUB `secret-scanning-alert-with-metadata`), its secret held in a `Secret`. */
export interface SecretScanningAlert {
  number: number;
  state: 'open' | 'resolved' | null;
  /** `false_positive`, `wont_fix`, `revoked`, `used_in_tests`, or null while open. */
  resolution: string | null;
  resolutionComment: string | null;
  secretType: string | null;
  secretTypeDisplayName: string | null;
  /** The secret that was found; null when GitHub left it out. */
  secret: Secret | null;
  htmlUrl: string | null;
  createdAt: string | null;
  validity: string | null;
}

/** Where an alert's secret was seen (GH-SUB `secret-scanning-location`). */
export interface AlertLocation {
  /** `commit`, `wiki_commit`, `issue_body`, `pull_request_comment`, … */
  type: string;
  /** The file, for commit and wiki-commit locations. */
  path: string | null;
  commitSha: string | null;
  startLine: number | null;
  /** Where to look: the page (`html_url`, `page_url`) or, for issues and comments, the API URL GitHub gives. */
  url: string | null;
}

export type { GitHubClientStats, GitHubRetryPolicy } from './transport.js';

const DEFAULT_RETRY: GitHubRetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRateLimitWaitMs: 60_000,
};
const DEFAULT_API_VERSION = '2026-03-10';
/** Pages of locations read at most (100 each): enough to say where a secret is, bounded for a hostile alert. */
const MAX_LOCATION_PAGES = 10;

/**
 * Keyhouse as a GitHub App (github-and-vault.md): writes Actions secrets (repository or environment) as
 * libsodium sealed boxes, and reads and resolves secret scanning alerts. Authentication is the app's:
 * a JWT finds a repository's installation and mints installation tokens, which are remembered and renewed
 * before they expire, and minted again once when GitHub refuses one (401).
 *
 * Every answer goes through a zod schema; errors are `GitHubApiError`s by status, and neither they nor
 * the debug log ever carry a secret, a token or the app's key.
 */
export class GitHubAppClient {
  /** Counters for tests: requests by operation, retries, rate limits, tokens minted. */
  readonly stats: GitHubClientStats = {
    requests: 0,
    byRoute: {},
    rateLimited: 0,
    retries: 0,
    tokensMinted: 0,
  };
  readonly #transport: GitHubTransport;
  readonly #auth: AppAuth;
  readonly #permissions: { secrets: AppPermissions; alerts: AppPermissions };

  constructor(options: GitHubAppClientOptions) {
    const apiUrl = checkApiUrl(options.apiUrl);
    checkAppId(options.appId);
    const retry = { ...DEFAULT_RETRY, ...options.retry };
    if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
      throw configError('retry.maxAttempts must be ≥ 1');
    }
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (!(timeoutMs > 0)) throw configError('timeoutMs must be positive');
    const clock = options.clock ?? systemClock;
    this.#transport = new GitHubTransport({
      apiUrl,
      dispatcher: options.dispatcher,
      timeoutMs,
      logger: options.logger,
      clock,
      sleep: options.sleep ?? sleep,
      retry,
      userAgent: options.userAgent ?? `keyhouse node/${process.versions.node}`,
      apiVersion: options.apiVersion ?? DEFAULT_API_VERSION,
      stats: this.stats,
      random: options.random ?? Math.random,
    });
    this.#auth = new AppAuth({
      appId: options.appId,
      privateKey: options.privateKey,
      transport: this.#transport,
      clock,
      renewalMarginMs: options.tokenRenewalMarginMs ?? 5 * 60_000,
      stats: this.stats,
    });
    this.#permissions = {
      secrets: options.permissions?.secrets,
      alerts: options.permissions?.alerts,
    };
  }

  /** The id of the app's installation on `owner/repo` (404 when the app is not installed there). */
  installationId(repository: string): Promise<number> {
    return this.#auth.installationId(parseRepository(repository));
  }

  /**
   * Writes Actions secrets into one repository or environment: its public key is fetched right before
   * (how long a key lives, and what GitHub does with a stale `key_id`, are UNCERTAIN, so none is kept
   * between calls), each value sealed with it and `PUT`. Should a `PUT` be refused (400, 404, 409, 422),
   * the key is fetched again, and a value is sealed and sent once more if the key has changed.
   * Names and sizes are checked before anything is sent.
   */
  async writeSecrets(
    target: ActionsSecretTarget,
    secrets: readonly SecretToWrite[],
  ): Promise<WrittenSecret[]> {
    const scope = resolveTarget(target);
    const names = checkSecrets(secrets);
    let key = await this.#publicKey(scope);
    const written: WrittenSecret[] = [];
    for (const [index, secret] of secrets.entries()) {
      const name = names[index]!;
      try {
        written.push(await this.#putSecret(scope, name, secret.value, key));
      } catch (error) {
        if (!(error instanceof GitHubApiError) || !KEY_MAY_BE_STALE.has(error.status ?? 0)) throw error;
        const fresh = await this.#publicKey(scope);
        if (fresh.key_id === key.key_id) throw error;
        key = fresh;
        written.push(await this.#putSecret(scope, name, secret.value, key));
      }
    }
    return written;
  }

  /** Deletes an Actions secret (204). A 404 is an error unless an earlier attempt's outcome was unknown. */
  async deleteSecret(target: ActionsSecretTarget, name: string): Promise<void> {
    const scope = resolveTarget(target);
    await this.#installationCall(scope.repository, scope.routes.delete, 'secrets', {
      params: { ...scope.params, secret_name: checkSecretName(name) },
      notFoundAfterUnknownOutcomeIsSuccess: true,
    });
  }

  /** An Actions secret's name and timestamps; GitHub never returns its value. */
  async getSecretMetadata(target: ActionsSecretTarget, name: string): Promise<SecretMetadata> {
    const scope = resolveTarget(target);
    const response = await this.#installationCall(scope.repository, scope.routes.get, 'secrets', {
      params: { ...scope.params, secret_name: checkSecretName(name) },
    });
    return parseBody(response, SecretMetadataSchema);
  }

  /** One secret scanning alert with its secret (`hide_secret=false`; the webhook's alert has no secret). */
  async getAlert(repository: string, alertNumber: number): Promise<SecretScanningAlert> {
    const repo = parseRepository(repository);
    const response = await this.#installationCall(repo, 'getAlert', 'alerts', {
      params: alertParams(repo, alertNumber),
      query: { hide_secret: 'false' },
    });
    return toAlert(parseBody(response, AlertSchema));
  }

  /**
   * Where an alert's secret was found, following the `Link` header's `rel="next"` (at most 10 pages of
   * 100; a secret seen in more places than that is listed by its first thousand).
   */
  async listAlertLocations(repository: string, alertNumber: number): Promise<AlertLocation[]> {
    const repo = parseRepository(repository);
    const params = alertParams(repo, alertNumber);
    const locations: AlertLocation[] = [];
    let page: string | undefined;
    for (let read = 0; read < MAX_LOCATION_PAGES; read++) {
      const response = await this.#installationCall(repo, 'listAlertLocations', 'alerts', {
        params,
        ...(page === undefined ? { query: { per_page: '100' } } : { url: page }),
      });
      locations.push(...parseBody(response, LocationsSchema).map(toLocation));
      const next = nextLink(headerValue(response, 'link'));
      if (next === null) break;
      page = next;
    }
    return locations;
  }

  /**
   * Resolves an alert as `revoked` with `comment`. GitHub answers 400 when "the resolution was not
   * changed", which re-resolving an alert already revoked may give: the alert is then read again, and a
   * revoked alert counts as done (`alreadyResolved`). Any other 400 is thrown.
   */
  async resolveAlertAsRevoked(
    repository: string,
    alertNumber: number,
    comment: string,
  ): Promise<{ alert: SecretScanningAlert; alreadyResolved: boolean }> {
    const repo = parseRepository(repository);
    try {
      const response = await this.#installationCall(repo, 'updateAlert', 'alerts', {
        params: alertParams(repo, alertNumber),
        body: { state: 'resolved', resolution: 'revoked', resolution_comment: comment },
      });
      return { alert: toAlert(parseBody(response, AlertSchema)), alreadyResolved: false };
    } catch (error) {
      if (!(error instanceof GitHubBadRequestError)) throw error;
      const alert = await this.getAlert(repository, alertNumber);
      if (alert.state === 'resolved' && alert.resolution === 'revoked')
        return { alert, alreadyResolved: true };
      throw error;
    }
  }

  async #publicKey(scope: Scope): Promise<{ key_id: string; key: string }> {
    const response = await this.#installationCall(scope.repository, scope.routes.publicKey, 'secrets', {
      params: scope.params,
    });
    return parseBody(response, PublicKeySchema);
  }

  async #putSecret(
    scope: Scope,
    name: string,
    value: Secret,
    key: { key_id: string; key: string },
  ): Promise<WrittenSecret> {
    let encrypted: string;
    try {
      encrypted = await sealSecret(value, key.key);
    } catch (error) {
      if (!(error instanceof PublicKeyFormatError)) throw error;
      const { publicKey } = scope.routes;
      throw new GitHubInvalidResponseError(
        { status: 200, requestId: null, method: 'GET', route: ROUTES[publicKey].template },
        error.message,
      );
    }
    const response = await this.#installationCall(scope.repository, scope.routes.put, 'secrets', {
      params: { ...scope.params, secret_name: name },
      body: { encrypted_value: encrypted, key_id: key.key_id },
    });
    return { name, created: response.status === 201, keyId: key.key_id };
  }

  /**
   * One call with the installation's token for this kind of call. A 401 means GitHub no longer takes
   * the token (revoked, or expired early by its clock): it is dropped, a new one minted, and the call
   * sent once more. The rate-limit bucket is the installation's, whichever token a call uses.
   */
  async #installationCall(
    repository: RepositoryName,
    route: RouteName,
    kind: 'secrets' | 'alerts',
    options: Omit<CallOptions, 'credential' | 'bucket'>,
  ): Promise<GitHubResponse> {
    const installationId = await this.#auth.installationId(repository);
    const bucket = `installation:${installationId}`;
    const permissions = this.#permissions[kind];
    const token = await this.#auth.token(installationId, permissions);
    try {
      return await this.#transport.call(route, { ...options, credential: token.token, bucket });
    } catch (error) {
      if (!(error instanceof GitHubAuthenticationError)) throw error;
      this.#auth.forgetToken(token);
      const fresh = await this.#auth.token(installationId, permissions);
      return this.#transport.call(route, { ...options, credential: fresh.token, bucket });
    }
  }
}

/** Statuses of a refused `PUT` that a changed public key could explain (the API declares none: UNCERTAIN). */
const KEY_MAY_BE_STALE: ReadonlySet<number> = new Set([400, 404, 409, 422]);

interface Scope {
  repository: RepositoryName;
  params: { owner: string; repo: string; environment_name?: string };
  routes: { publicKey: RouteName; get: RouteName; put: RouteName; delete: RouteName };
}

const REPOSITORY_ROUTES: Scope['routes'] = {
  publicKey: 'getRepoPublicKey',
  get: 'getRepoSecret',
  put: 'putRepoSecret',
  delete: 'deleteRepoSecret',
};
const ENVIRONMENT_ROUTES: Scope['routes'] = {
  publicKey: 'getEnvironmentPublicKey',
  get: 'getEnvironmentSecret',
  put: 'putEnvironmentSecret',
  delete: 'deleteEnvironmentSecret',
};

/** Repository and environment secrets have their own keys and endpoints; they are never mixed. */
function resolveTarget(target: ActionsSecretTarget): Scope {
  const repository = parseRepository(target.repository);
  const params = { owner: repository.owner, repo: repository.repo };
  if (target.environment === undefined) return { repository, params, routes: REPOSITORY_ROUTES };
  return {
    repository,
    params: { ...params, environment_name: checkEnvironmentName(target.environment) },
    routes: ENVIRONMENT_ROUTES,
  };
}

/** The names as they will be written, after every name and value passed its check. */
function checkSecrets(secrets: readonly SecretToWrite[]): string[] {
  const names = secrets.map((secret) => checkSecretName(secret.name));
  if (new Set(names).size !== names.length) {
    throw new KeyhouseError(
      'invalid_input',
      'two Actions secret names are the same (names are case-insensitive)',
    );
  }
  for (const secret of secrets) {
    if (!(secret.value instanceof Secret)) {
      throw new KeyhouseError('invalid_input', 'a secret value must be a Secret');
    }
    checkSecretValueSize(Buffer.byteLength(secret.value.reveal(), 'utf8'));
  }
  return names;
}

function alertParams(repository: RepositoryName, alertNumber: number) {
  if (!Number.isSafeInteger(alertNumber) || alertNumber < 1) {
    throw new KeyhouseError('invalid_input', 'an alert number is a positive integer');
  }
  return { owner: repository.owner, repo: repository.repo, alert_number: String(alertNumber) };
}

function toAlert(raw: RawAlert): SecretScanningAlert {
  return {
    number: raw.number,
    state: raw.state,
    resolution: raw.resolution,
    resolutionComment: raw.resolution_comment,
    secretType: raw.secret_type,
    secretTypeDisplayName: raw.secret_type_display_name,
    secret: typeof raw.secret === 'string' && raw.secret !== '' ? new Secret(raw.secret) : null,
    htmlUrl: raw.html_url,
    createdAt: raw.created_at,
    validity: raw.validity,
  };
}

function toLocation(raw: RawLocation): AlertLocation {
  const details = raw.details ?? {};
  const text = (name: string) => (typeof details[name] === 'string' ? (details[name] as string) : null);
  const firstUrl = Object.entries(details).find(
    ([name, value]) => name.endsWith('_url') && typeof value === 'string',
  )?.[1] as string | undefined;
  return {
    type: raw.type,
    path: text('path'),
    commitSha: text('commit_sha'),
    startLine: typeof details.start_line === 'number' ? details.start_line : null,
    url: text('html_url') ?? text('page_url') ?? firstUrl ?? null,
  };
}

function headerValue(response: GitHubResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function checkApiUrl(raw: string): string {
  return checkApiRoot(raw, 'apiUrl', configError);
}

function checkAppId(appId: string | number): void {
  const valid =
    (typeof appId === 'number' && Number.isSafeInteger(appId) && appId > 0) ||
    (typeof appId === 'string' && /^[A-Za-z0-9._-]{1,100}$/.test(appId));
  if (!valid) throw configError('appId must be the app ID (a positive integer) or its client ID');
}

function configError(message: string): KeyhouseError {
  return new KeyhouseError('config_invalid', `GitHub client: ${message}`);
}
