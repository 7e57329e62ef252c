/**
 * A local GitHub for tests and development: the 14 REST operations of `../shared/ref/
 * github-rest-subset.openapi.json` that Keyhouse uses, as one GitHub App sees them, and signed
 * `secret_scanning_alert` webhooks. It verifies the app's JWT (RS256, against the key pair it made at
 * start), mints installation tokens that expire on its clock, holds a real X25519 key pair per repository
 * and environment and opens every sealed box written to it, keeps alerts with their secrets and
 * locations, and can be made to fail on purpose (5xx, slow or no answer, rate limits with the real headers).
 *
 * Behaviour follows `github-and-vault.md`; where that marks something UNCERTAIN, the choice made here is
 * commented where it is implemented (`state.ts`, `routes.ts`, `payloads.ts`).
 */
import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../../src/core/clock.js';
import {
  type CappedBody,
  FaultQueues,
  listen,
  parseForRecord,
  sendJson,
  serveRecorded,
  withholdAnswer,
} from '../http-kit.js';
import { type AppJwtClaims, checkAppJwt } from './jwt.js';
import { basicError, type LocationInput, type UserLike, validationError } from './payloads.js';
import { covers, type FakeRoute, matchRoute, type Reply, type RouteContext } from './routes.js';
import {
  FakeGitHubState,
  HttpError,
  type Permissions,
  sodiumReady,
  type WrittenSecretRecord,
} from './state.js';
import { type AlertWebhookOptions, type SentWebhook, sendAlertWebhook } from './webhook.js';

export type { AppJwtClaims } from './jwt.js';
export type { LocationInput } from './payloads.js';
export type { FakeRoute } from './routes.js';
export type { WrittenSecretRecord } from './state.js';
export type { AlertWebhookOptions, SentWebhook, WebhookDelivery } from './webhook.js';

/** One Actions secret as `actionsSecrets()` lists it; `environment` null for the repository's own. */
export interface ActionsSecretListing {
  repository: string;
  environment: string | null;
  name: string;
  createdAt: string;
  updatedAt: string;
}

/** What an injected failure does to the next request(s) of a route (after authentication). */
export type FakeGitHubFault =
  /** That status with GitHub's body for it (`basic-error`; `validation-error` for 422); 401 says "Bad credentials". */
  | { kind: 'status'; status: number }
  /** Primary limit: `x-ratelimit-remaining: 0` and `x-ratelimit-reset` this many seconds ahead. */
  | { kind: 'primary-rate-limit'; status: 403 | 429; resetInSeconds: number }
  /** Secondary limit: GitHub's message, and `retry-after` when given. */
  | { kind: 'secondary-rate-limit'; status: 403 | 429; retryAfterSeconds?: number }
  /** The right answer, this many real milliseconds late. */
  | { kind: 'slow'; ms: number }
  /** Processed, then no answer until the client goes away or the fake closes. */
  | { kind: 'hang' }
  /** The socket is destroyed without an answer, before processing. */
  | { kind: 'drop' };

export interface FakeGitHubOptions {
  /** Listen address; default `127.0.0.1`. */
  host?: string;
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Time for JWT checks, token expiry, timestamps and rate-limit resets; latency uses real time. */
  clock?: Clock;
  /** How long installation tokens live. Default one hour, as GitHub's (GH-SUB). */
  tokenTtlMs?: number;
  /** Added before every answer. */
  latencyMs?: number;
  /** What the default installation grants. Default `secrets: write, environments: read, secret_scanning_alerts: write, metadata: read`. */
  permissions?: Permissions;
  /** Debug line per request (method, path, route, status); nothing is logged without it. */
  logger?: Logger;
  /** Told once each request is over, answered or not (the playground redraws what GitHub holds). */
  onServed?: (request: RecordedRequest) => void;
}

/** One request as the fake saw it. Tokens and alert secrets in answers are `[redacted]`. */
export interface RecordedRequest {
  /** Arrival, ms since the epoch, by the fake's clock. */
  at: number;
  method: string;
  /** Path without the query string. */
  path: string;
  /** The raw query string, without `?`. */
  query: string;
  route: FakeRoute | null;
  /** The status sent; 0 while in flight or when the socket was dropped. */
  status: number;
  /** Which credential was accepted: the app's JWT (with its claims) or an installation token. */
  auth: { kind: 'jwt'; claims: AppJwtClaims } | { kind: 'token'; installationId: number } | { kind: 'none' };
  /** Request headers tests assert: `x-github-api-version`, `accept`, `user-agent`. */
  headers: { apiVersion: string | null; accept: string | null; userAgent: string | null };
  /** Parsed JSON body, the raw text when not JSON, `undefined` when empty. */
  body: unknown;
  /** The answer's body (parsed); undefined for none (204). */
  response: unknown;
  /** The answer's headers of interest: `link`, `retry-after`, `x-ratelimit-*`. */
  responseHeaders: Record<string, string>;
}

export interface RepositoryOptions {
  /** Install the app on it (default true); false makes `GET …/installation` 404. */
  installed?: boolean;
  environments?: string[];
  /** Secret scanning on (default true); off makes every alert route 404. */
  secretScanning?: boolean;
}

export interface AlertInput {
  /** The leaked secret GitHub found. */
  secret: string;
  /** Default `clickhouse_cloud_key` (GitHub's name for a ClickHouse custom pattern is UNCERTAIN). */
  secretType?: string;
  secretTypeDisplayName?: string;
  /** Default one commit location in `terraform/main.tf`. */
  locations?: LocationInput[];
  /** Already resolved, as a person in GitHub's UI might have. */
  resolved?: { resolution: 'false_positive' | 'wont_fix' | 'revoked' | 'used_in_tests'; comment?: string };
}

/** An alert as a test refers to it. */
export interface AlertHandle {
  repository: string;
  number: number;
}

export interface FakeGitHub {
  /** Origin, e.g. `http://127.0.0.1:43123`: the client's `apiUrl`. */
  readonly url: string;
  /** The app's credentials: `id` or `clientId` as the JWT's `iss`, and its private key (PKCS#1 PEM, as GitHub gives it). */
  readonly app: { id: number; clientId: string; slug: string; privateKeyPem: string };
  /** The id of the installation repositories are added to. */
  readonly installationId: number;
  /** Every request seen, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Every webhook sent, in order. */
  readonly webhooks: SentWebhook[];
  /** Adds `owner/name` (the owner an organization), installed in the default installation unless told otherwise. */
  addRepository(fullName: string, options?: RepositoryOptions): void;
  addEnvironment(repository: string, name: string): void;
  /** Every accepted Actions-secret write, opened: plaintext, scope, name, key id, 201/204. */
  secretsWritten(): WrittenSecretRecord[];
  /** The Actions secret `name` as GitHub holds it now, opened; null when there is none (never written, or deleted). */
  secretValue(repository: string, name: string, environment?: string): string | null;
  /** The Actions secrets held now, as GitHub's list shows them: names and times, never a value. */
  actionsSecrets(): ActionsSecretListing[];
  /** The `key_id` the repository (or environment) serves now. */
  publicKeyId(repository: string, environment?: string): string;
  /** Replaces the repository's (or environment's) key pair; a write sealed for the old one is then 422. */
  rotatePublicKey(repository: string, environment?: string): string;
  /** Every token issued so far answers 401 from now on. */
  revokeTokens(): void;
  /** Tokens issued, for checking their lengths vary, when they expire, what they allow, and that none leaks anywhere. */
  tokensIssued(): { installationId: number; token: string; expiresAt: number; permissions: Permissions }[];
  addAlert(repository: string, input: AlertInput): AlertHandle;
  /** An alert's state as GitHub holds it. */
  alert(handle: AlertHandle): { state: string; resolution: string | null; resolutionComment: string | null };
  /** Sends a signed `secret_scanning_alert` webhook for the alert to `url`. */
  sendAlertWebhook(
    url: string,
    webhookSecret: string,
    alert: AlertHandle,
    options?: AlertWebhookOptions,
  ): Promise<SentWebhook>;
  /** The next `count` authenticated requests to `route` meet `fault`; faults queue per route in order. */
  failNext(route: FakeRoute, count: number, fault: FakeGitHubFault): void;
  /**
   * The next `count` writes (`PUT`) of the Actions secret `name`, in any repository or environment,
   * meet `fault`, after the route's own queued faults: one secret of a pair can fail while the other
   * is written, as a 5xx, an expired token, a drop or a slow answer does to any one request.
   */
  failNextWrite(name: string, count: number, fault: FakeGitHubFault): void;
  /** Forgets every fault still queued (`failNext`, `failNextWrite`): GitHub is well again. */
  clearFaults(): void;
  setLatency(ms: number): void;
  /** Stops listening and drops open connections and pending answers. */
  close(): Promise<void>;
}

const DEFAULT_PERMISSIONS: Permissions = {
  secrets: 'write',
  environments: 'read',
  secret_scanning_alerts: 'write',
  metadata: 'read',
};
const RATE_LIMIT = 5_000;

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  await sodiumReady();
  const clock = options.clock ?? systemClock;
  const host = options.host ?? '127.0.0.1';
  const tokenTtlMs = options.tokenTtlMs ?? 60 * 60_000;
  const state = new FakeGitHubState(clock);
  const faults = new FaultQueues<FakeRoute, FakeGitHubFault>();
  const writeFaults = new FaultQueues<string, FakeGitHubFault>();
  const requests: RecordedRequest[] = [];
  const webhooks: SentWebhook[] = [];
  const closing = new AbortController();
  let latencyMs = Math.max(0, options.latencyMs ?? 0);

  // GitHub hands out an app's private key as PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`).
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = keys.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const publicKey = createPublicKey(keys.privateKey);
  const appId = state.newId();
  const app = {
    id: appId,
    clientId: `Iv23li${randomUUID().replaceAll('-', '').slice(0, 14)}`,
    slug: 'keyhouse',
  };
  const bot: UserLike = { login: `${app.slug}[bot]`, id: state.newId(), type: 'Bot' };
  const organization: UserLike = { login: 'acme', id: state.newId(), type: 'Organization' };
  const installation = state.addInstallation(organization, options.permissions ?? DEFAULT_PERMISSIONS);

  let url = '';

  /** Authentication, then the route's permission and repository checks; throws the answer when refused. */
  function authenticate(
    req: IncomingMessage,
    record: RecordedRequest,
    route: NonNullable<ReturnType<typeof matchRoute>>,
  ): Pick<RouteContext, 'token' | 'repository'> {
    const credential = /^(?:Bearer|token)\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    const refuse = (message: string) => new HttpError(401, basicError(401, message));
    if (credential === undefined) throw refuse('Requires authentication');
    if (route.route.auth.kind === 'jwt') {
      const checked = checkAppJwt(
        credential,
        publicKey,
        [String(app.id), app.clientId],
        clock.now().getTime(),
      );
      if (!checked.ok) throw refuse(checked.message);
      record.auth = { kind: 'jwt', claims: checked.claims };
      return { token: null, repository: null };
    }
    const token = state.token(credential);
    if (token === null) throw refuse('Bad credentials');
    record.auth = { kind: 'token', installationId: token.installationId };
    const repository = state.repository(route.params.owner ?? '', route.params.repo ?? '');
    // A repository outside the token's installation is hidden, as GitHub hides private repositories.
    if (repository === null || repository.installationId !== token.installationId) {
      throw new HttpError(404, basicError(404, 'Not Found'));
    }
    if (!covers(token.permissions, route.route.auth.needs)) {
      throw new HttpError(403, basicError(403, 'Resource not accessible by integration'));
    }
    return { token, repository };
  }

  type Decision =
    | { kind: 'reply'; reply: Reply }
    | { kind: 'drop' }
    | { kind: 'hang' }
    | { kind: 'slow'; ms: number; reply: Reply };

  function decide(req: IncomingMessage, record: RecordedRequest, raw: CappedBody): Decision {
    const matched = matchRoute(record.method, record.path);
    if (matched === null)
      return { kind: 'reply', reply: errorReply(new HttpError(404, basicError(404, 'Not Found'))) };
    record.route = matched.route.name;
    let access: Pick<RouteContext, 'token' | 'repository'>;
    try {
      access = authenticate(req, record, matched);
    } catch (error) {
      if (error instanceof HttpError) return { kind: 'reply', reply: errorReply(error) };
      throw error;
    }
    const fault = faults.take(matched.route.name) ?? writeFault(matched);
    if (fault?.kind === 'drop') return { kind: 'drop' };
    if (fault !== undefined && fault.kind !== 'slow' && fault.kind !== 'hang') {
      return { kind: 'reply', reply: faultReply(fault) };
    }
    const reply = handle(matched, access, record, raw);
    if (fault?.kind === 'hang') return { kind: 'hang' };
    if (fault?.kind === 'slow') return { kind: 'slow', ms: fault.ms, reply };
    return { kind: 'reply', reply };
  }

  /** A fault queued for the secret a `PUT` writes (`failNextWrite`). */
  function writeFault(matched: NonNullable<ReturnType<typeof matchRoute>>): FakeGitHubFault | undefined {
    const { name } = matched.route;
    if (
      name !== 'actions/create-or-update-repo-secret' &&
      name !== 'actions/create-or-update-environment-secret'
    )
      return undefined;
    return writeFaults.take((matched.params.secret_name ?? '').toUpperCase());
  }

  function handle(
    matched: NonNullable<ReturnType<typeof matchRoute>>,
    access: Pick<RouteContext, 'token' | 'repository'>,
    record: RecordedRequest,
    raw: CappedBody,
  ): Reply {
    try {
      if (raw.tooLarge) throw new HttpError(413, basicError(413, 'Payload too large'));
      if (raw.text !== '' && record.body === raw.text)
        throw new HttpError(400, basicError(400, 'Problems parsing JSON'));
      return matched.route.handle({
        state,
        apiUrl: url,
        path: record.path,
        app: { id: app.id, slug: app.slug, bot },
        params: matched.params,
        query: new URLSearchParams(record.query),
        body: record.body,
        tokenTtlMs,
        ...access,
      });
    } catch (error) {
      if (error instanceof HttpError) return errorReply(error);
      throw error;
    }
  }

  function faultReply(fault: Exclude<FakeGitHubFault, { kind: 'slow' | 'hang' | 'drop' }>): Reply {
    if (fault.kind === 'status') return errorReply(injectedError(fault.status));
    if (fault.kind === 'primary-rate-limit') {
      const reset = Math.floor(clock.now().getTime() / 1000) + fault.resetInSeconds;
      return {
        status: fault.status,
        body: basicError(fault.status, `API rate limit exceeded for installation ID ${installation.id}.`),
        headers: { ...rateLimitHeaders(0, reset) },
      };
    }
    return {
      status: fault.status,
      body: basicError(
        fault.status,
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      ),
      headers:
        fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) },
    };
  }

  function rateLimitHeaders(remaining: number, reset?: number): Record<string, string> {
    return {
      'x-ratelimit-limit': String(RATE_LIMIT),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-used': String(RATE_LIMIT - remaining),
      'x-ratelimit-reset': String(reset ?? Math.floor(clock.now().getTime() / 1000) + 3_600),
      'x-ratelimit-resource': 'core',
    };
  }

  async function deliver(
    decision: Decision,
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
  ) {
    if (latencyMs > 0) await sleep(latencyMs, undefined, { signal: closing.signal });
    if (decision.kind === 'drop' || decision.kind === 'hang')
      return withholdAnswer(decision.kind, req, closing.signal);
    if (decision.kind === 'slow') await sleep(decision.ms, undefined, { signal: closing.signal });
    const { reply } = decision;
    const headers: Record<string, string> = {
      'x-github-request-id': randomUUID().toUpperCase().slice(0, 23),
      'x-github-api-version-selected': String(req.headers['x-github-api-version'] ?? '2022-11-28'),
      ...rateLimitHeaders(RATE_LIMIT - 1 - (requests.length % RATE_LIMIT)),
      ...reply.headers,
    };
    record.status = reply.status;
    record.response = redact(reply.body);
    record.responseHeaders = pick(headers, /^(link|retry-after|x-ratelimit-.*)$/);
    sendJson(res, reply.status, reply.body, headers, 'application/json; charset=utf-8');
  }

  /** The request's record, kept in `requests` from its arrival on. */
  function recordOf(req: IncomingMessage): RecordedRequest {
    const target = new URL(req.url ?? '/', 'http://fake-github');
    const record: RecordedRequest = {
      at: clock.now().getTime(),
      method: (req.method ?? 'GET').toUpperCase(),
      path: target.pathname,
      query: target.search.replace(/^\?/, ''),
      route: null,
      status: 0,
      auth: { kind: 'none' },
      headers: {
        apiVersion: headerText(req, 'x-github-api-version'),
        accept: headerText(req, 'accept'),
        userAgent: headerText(req, 'user-agent'),
      },
      body: undefined,
      response: undefined,
      responseHeaders: {},
    };
    requests.push(record);
    return record;
  }

  const server = createServer(
    serveRecorded(closing.signal, {
      record: recordOf,
      async answer(req, res, record, raw) {
        record.body = parseForRecord(raw.text);
        await deliver(decide(req, record, raw), req, res, record);
      },
      bugBody: (message) => basicError(500, `Fake GitHub error: ${message}`),
      served: (record) => {
        options.logger?.debug(
          { method: record.method, path: record.path, route: record.route, status: record.status },
          'fake github request',
        );
        options.onServed?.(record);
      },
    }),
  );
  const listening = await listen(server, host, options.port ?? 0, closing);
  url = listening.url;

  const scopeOf = (repository: string, environment?: string) =>
    state.scope(state.known(repository), environment ?? null);

  return {
    url,
    app: { ...app, privateKeyPem },
    installationId: installation.id,
    requests,
    webhooks,
    addRepository(fullName, repositoryOptions = {}) {
      const [owner, name, ...rest] = fullName.split('/');
      if (!owner || !name || rest.length > 0) throw new Error(`addRepository: ${fullName} is not owner/name`);
      const ownerUser =
        owner.toLowerCase() === organization.login
          ? organization
          : { login: owner, id: state.newId(), type: 'Organization' as const };
      const repository = state.addRepository(ownerUser, name, {
        installationId: repositoryOptions.installed === false ? null : installation.id,
        secretScanning: repositoryOptions.secretScanning ?? true,
      });
      for (const environment of repositoryOptions.environments ?? [])
        state.addEnvironment(repository, environment);
    },
    addEnvironment(repository, name) {
      state.addEnvironment(state.known(repository), name);
    },
    secretsWritten: () => state.written.map((write) => ({ ...write })),
    secretValue: (repository, name, environment) =>
      state.secret(scopeOf(repository, environment), name)?.value ?? null,
    actionsSecrets: () =>
      state.repositories().flatMap((repository) =>
        [
          [null, repository.scope] as const,
          ...[...repository.environments.entries()].sort(([a], [b]) => a.localeCompare(b)),
        ].flatMap(([environment, scope]) =>
          [...scope.secrets.entries()]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([name, stored]) => ({
              repository: repository.fullName,
              environment,
              name,
              createdAt: stored.createdAt,
              updatedAt: stored.updatedAt,
            })),
        ),
      ),
    publicKeyId: (repository, environment) => scopeOf(repository, environment).keys.keyId,
    rotatePublicKey: (repository, environment) => state.rotateKey(scopeOf(repository, environment)),
    revokeTokens: () => state.revokeTokens(),
    tokensIssued: () =>
      state.tokens().map((issued) => ({
        installationId: issued.installationId,
        token: issued.token,
        expiresAt: issued.expiresAt,
        permissions: { ...issued.permissions },
      })),
    addAlert(repository, input) {
      const known = state.known(repository);
      const alert = state.addAlert(known, {
        secret: input.secret,
        secretType: input.secretType ?? 'clickhouse_cloud_key',
        secretTypeDisplayName: input.secretTypeDisplayName ?? 'ClickHouse Cloud key',
        locations: input.locations ?? [
          { type: 'commit', path: 'terraform/main.tf', commitSha: randomSha(), startLine: 12 },
        ],
      });
      if (input.resolved !== undefined) {
        Object.assign(alert, {
          state: 'resolved',
          resolution: input.resolved.resolution,
          resolutionComment: input.resolved.comment ?? null,
          resolvedAt: state.nowIso(),
          resolvedBy: { login: 'octocat', id: 1, type: 'User' },
        });
      }
      return { repository: known.fullName, number: alert.number };
    },
    alert(handle) {
      const alert = state.known(handle.repository).alerts.get(handle.number);
      if (alert === undefined) throw new Error(`the fake has no alert ${handle.repository}#${handle.number}`);
      return { state: alert.state, resolution: alert.resolution, resolutionComment: alert.resolutionComment };
    },
    async sendAlertWebhook(target, webhookSecret, handle, webhookOptions = {}) {
      const repository = state.known(handle.repository);
      const alert = repository.alerts.get(handle.number);
      if (alert === undefined) throw new Error(`the fake has no alert ${handle.repository}#${handle.number}`);
      const sent = await sendAlertWebhook({
        url: target,
        webhookSecret,
        apiUrl: url,
        app,
        installationId: repository.installationId,
        repository,
        alert,
        sender: bot,
        options: webhookOptions,
      });
      webhooks.push(sent);
      return sent;
    },
    failNext(route, count, fault) {
      faults.add(route, fault, count);
    },
    failNextWrite(name, count, fault) {
      writeFaults.add(name.toUpperCase(), fault, count);
    },
    clearFaults() {
      faults.clear();
      writeFaults.clear();
    },
    setLatency(ms) {
      latencyMs = Math.max(0, ms);
    },
    close: () => listening.close(),
  };
}

const INJECTED_MESSAGES: Record<number, string> = {
  400: 'Bad request',
  401: 'Bad credentials',
  403: 'Resource not accessible by integration',
  404: 'Not Found',
  422: 'Validation Failed',
};

function injectedError(status: number): HttpError {
  if (status === 422) return new HttpError(422, validationError('Validation Failed', []));
  return new HttpError(status, basicError(status, INJECTED_MESSAGES[status] ?? 'Server Error'));
}

function errorReply(error: HttpError): Reply {
  return { status: error.status, body: error.body };
}

/** Tokens and alert secrets never reach `requests`: the strings stay strings, so the contract still holds. */
function redact(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(redact);
  if (typeof body !== 'object' || body === null) return body;
  return Object.fromEntries(
    Object.entries(body).map(([name, value]) => [
      name,
      (name === 'token' || name === 'secret') && typeof value === 'string' ? '[redacted]' : redact(value),
    ]),
  );
}

function pick(headers: Record<string, string>, names: RegExp): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => names.test(name)));
}

function headerText(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' ? value : null;
}

function randomSha(): string {
  return randomUUID().replaceAll('-', '') + randomUUID().replaceAll('-', '').slice(0, 8);
}
