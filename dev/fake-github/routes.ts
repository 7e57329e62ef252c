import {
  type AlertRecord,
  basicError,
  installationBody,
  locationBody,
  restAlert,
  type UserLike,
  validationError,
} from './payloads.js';
import {
  type FakeGitHubState,
  HttpError,
  type Installation,
  type IssuedToken,
  notFound,
  type Permissions,
  publicKeyBase64,
  type Repository,
  type SecretScope,
} from './state.js';

/** The operations the fake serves, named by GH-SUB's operationIds. */
export type FakeRoute =
  | 'apps/get-repo-installation'
  | 'apps/create-installation-access-token'
  | 'actions/get-repo-public-key'
  | 'actions/get-repo-secret'
  | 'actions/create-or-update-repo-secret'
  | 'actions/delete-repo-secret'
  | 'actions/get-environment-public-key'
  | 'actions/get-environment-secret'
  | 'actions/create-or-update-environment-secret'
  | 'actions/delete-environment-secret'
  | 'secret-scanning/list-alerts-for-repo'
  | 'secret-scanning/get-alert'
  | 'secret-scanning/update-alert'
  | 'secret-scanning/list-locations-for-alert';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What a handler sees: the request, and for installation routes the token and its repository. */
export interface RouteContext {
  state: FakeGitHubState;
  apiUrl: string;
  /** The request's path (no query), for the `Link` header's page URLs. */
  path: string;
  app: { id: number; slug: string; bot: UserLike };
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** Set on installation routes (after the token and its access to the repository were checked). */
  token: IssuedToken | null;
  repository: Repository | null;
  tokenTtlMs: number;
}

type Level = 'read' | 'write';

interface RouteDefinition {
  name: FakeRoute;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  template: string;
  /** `jwt`: the app's JWT; `token`: an installation token with these permissions on the repository. */
  auth: { kind: 'jwt' } | { kind: 'token'; needs: Partial<Record<string, Level>> };
  handle(context: RouteContext): Reply;
}

/*
 * Which permission each operation needs is UNCERTAIN (github-and-vault.md §2): the fake asks for the
 * probable ones: `secrets` for Actions secrets, with `environments: read` for an environment's, and
 * `secret_scanning_alerts` for alerts (write to resolve).
 */
const SECRETS_READ = { secrets: 'read' } as const;
const SECRETS_WRITE = { secrets: 'write' } as const;
const ENV_READ = { secrets: 'read', environments: 'read' } as const;
const ENV_WRITE = { secrets: 'write', environments: 'read' } as const;
const ALERTS_READ = { secret_scanning_alerts: 'read' } as const;
const ALERTS_WRITE = { secret_scanning_alerts: 'write' } as const;

const REPO = '/repos/{owner}/{repo}';
const ENV = `${REPO}/environments/{environment_name}`;
const ALERTS = `${REPO}/secret-scanning/alerts`;

export const ROUTES: readonly RouteDefinition[] = [
  {
    name: 'apps/get-repo-installation',
    method: 'GET',
    template: `${REPO}/installation`,
    auth: { kind: 'jwt' },
    handle: getInstallation,
  },
  {
    name: 'apps/create-installation-access-token',
    method: 'POST',
    template: '/app/installations/{installation_id}/access_tokens',
    auth: { kind: 'jwt' },
    handle: createToken,
  },
  {
    name: 'actions/get-repo-public-key',
    method: 'GET',
    template: `${REPO}/actions/secrets/public-key`,
    auth: { kind: 'token', needs: SECRETS_READ },
    handle: getPublicKey,
  },
  {
    name: 'actions/get-repo-secret',
    method: 'GET',
    template: `${REPO}/actions/secrets/{secret_name}`,
    auth: { kind: 'token', needs: SECRETS_READ },
    handle: getSecret,
  },
  {
    name: 'actions/create-or-update-repo-secret',
    method: 'PUT',
    template: `${REPO}/actions/secrets/{secret_name}`,
    auth: { kind: 'token', needs: SECRETS_WRITE },
    handle: putSecret,
  },
  {
    name: 'actions/delete-repo-secret',
    method: 'DELETE',
    template: `${REPO}/actions/secrets/{secret_name}`,
    auth: { kind: 'token', needs: SECRETS_WRITE },
    handle: deleteSecret,
  },
  {
    name: 'actions/get-environment-public-key',
    method: 'GET',
    template: `${ENV}/secrets/public-key`,
    auth: { kind: 'token', needs: ENV_READ },
    handle: getPublicKey,
  },
  {
    name: 'actions/get-environment-secret',
    method: 'GET',
    template: `${ENV}/secrets/{secret_name}`,
    auth: { kind: 'token', needs: ENV_READ },
    handle: getSecret,
  },
  {
    name: 'actions/create-or-update-environment-secret',
    method: 'PUT',
    template: `${ENV}/secrets/{secret_name}`,
    auth: { kind: 'token', needs: ENV_WRITE },
    handle: putSecret,
  },
  {
    name: 'actions/delete-environment-secret',
    method: 'DELETE',
    template: `${ENV}/secrets/{secret_name}`,
    auth: { kind: 'token', needs: ENV_WRITE },
    handle: deleteSecret,
  },
  {
    name: 'secret-scanning/list-alerts-for-repo',
    method: 'GET',
    template: ALERTS,
    auth: { kind: 'token', needs: ALERTS_READ },
    handle: listAlerts,
  },
  {
    name: 'secret-scanning/get-alert',
    method: 'GET',
    template: `${ALERTS}/{alert_number}`,
    auth: { kind: 'token', needs: ALERTS_READ },
    handle: getAlert,
  },
  {
    name: 'secret-scanning/update-alert',
    method: 'PATCH',
    template: `${ALERTS}/{alert_number}`,
    auth: { kind: 'token', needs: ALERTS_WRITE },
    handle: updateAlert,
  },
  {
    name: 'secret-scanning/list-locations-for-alert',
    method: 'GET',
    template: `${ALERTS}/{alert_number}/locations`,
    auth: { kind: 'token', needs: ALERTS_READ },
    handle: listLocations,
  },
];

const COMPILED = ROUTES.map((route) => {
  const names: string[] = [];
  const source = route.template
    .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
    .replace(/\\?\{(\w+)\\?\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
  const literal = route.template.split('/').filter((part) => !part.startsWith('{')).length;
  return { route, names, pattern: new RegExp(`^${source}$`), literal };
}).sort((a, b) => b.literal - a.literal);

/** The route and its decoded path parameters (`%2F` in an environment name becomes `/`), or null. */
export function matchRoute(
  method: string,
  path: string,
): { route: RouteDefinition; params: Record<string, string> } | null {
  for (const { route, names, pattern } of COMPILED) {
    if (route.method !== method) continue;
    const match = pattern.exec(path);
    if (match === null) continue;
    try {
      const params = Object.fromEntries(
        names.map((name, index) => [name, decodeURIComponent(match[index + 1]!)]),
      );
      return { route, params };
    } catch {
      return null; // a malformed escape names nothing
    }
  }
  return null;
}

/** Whether granted permissions cover what is needed (`write` includes `read`). */
export function covers(granted: Permissions, needs: Partial<Record<string, Level>>): boolean {
  return Object.entries(needs).every(([name, level]) => {
    const held = granted[name];
    return held === 'write' || (held === 'read' && level === 'read');
  });
}

// --- GitHub App ---

function getInstallation(context: RouteContext): Reply {
  const repository = context.state.repository(context.params.owner!, context.params.repo!);
  const installation =
    repository?.installationId === null || repository === null
      ? undefined
      : context.state.installations.get(repository.installationId);
  if (installation === undefined) throw notFound();
  return {
    status: 200,
    body: installationBody(context.apiUrl, {
      ...installation,
      appId: context.app.id,
      appSlug: context.app.slug,
    }),
  };
}

/**
 * `POST …/access_tokens`: 201 with a token that expires in an hour (or the fake's `tokenTtlMs`). A
 * `permissions` body narrows it, and asking for more than the installation has is 422. Narrowing to
 * `repositories` or `repository_ids` is not supported by the fake (the answer would have to list full
 * `repository` objects) and is refused with 422 rather than silently ignored.
 */
function createToken(context: RouteContext): Reply {
  const id = Number(context.params.installation_id);
  const installation = Number.isSafeInteger(id) ? context.state.installations.get(id) : undefined;
  if (installation === undefined) throw notFound();
  const body = context.body === undefined ? {} : context.body;
  if (!isRecord(body)) throw new HttpError(400, basicError(400, 'Problems parsing JSON'));
  if (body.repositories !== undefined || body.repository_ids !== undefined) {
    throw new HttpError(422, validationError('The fake does not narrow tokens to repositories', []));
  }
  const permissions = requestedPermissions(installation, body.permissions);
  const issued = context.state.mintToken(installation, context.app.id, permissions, context.tokenTtlMs);
  return {
    status: 201,
    body: {
      token: issued.token,
      expires_at: new Date(issued.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      permissions,
      repository_selection: 'selected',
    },
  };
}

function requestedPermissions(installation: Installation, requested: unknown): Permissions {
  if (requested === undefined) return { ...installation.permissions };
  if (!isRecord(requested)) throw new HttpError(422, validationError('Invalid permissions', []));
  const permissions: Permissions = {};
  for (const [name, level] of Object.entries(requested)) {
    if ((level !== 'read' && level !== 'write') || !covers(installation.permissions, { [name]: level })) {
      throw new HttpError(
        422,
        validationError('The permissions requested are not granted to this installation.', [
          { resource: 'Installation', field: 'permissions', code: 'invalid' },
        ]),
      );
    }
    permissions[name] = level;
  }
  return permissions;
}

// --- Actions secrets ---

function secretScope(context: RouteContext): SecretScope {
  return context.state.scope(context.repository!, context.params.environment_name ?? null);
}

function getPublicKey(context: RouteContext): Reply {
  const scope = secretScope(context);
  return { status: 200, body: { key_id: scope.keys.keyId, key: publicKeyBase64(scope) } };
}

function getSecret(context: RouteContext): Reply {
  const name = context.params.secret_name!;
  const stored = context.state.secret(secretScope(context), name);
  if (stored === null) throw notFound();
  return {
    status: 200,
    body: { name: name.toUpperCase(), created_at: stored.createdAt, updated_at: stored.updatedAt },
  };
}

function putSecret(context: RouteContext): Reply {
  const { body } = context;
  if (!isRecord(body) || typeof body.encrypted_value !== 'string' || typeof body.key_id !== 'string') {
    throw new HttpError(
      422,
      validationError('Invalid request.', [
        { resource: 'Secret', field: 'encrypted_value', code: 'missing_field' },
      ]),
    );
  }
  const status = context.state.putSecret(
    context.repository!,
    context.params.environment_name ?? null,
    context.params.secret_name!,
    {
      encrypted_value: body.encrypted_value,
      key_id: body.key_id,
    },
  );
  return status === 201 ? { status, body: {} } : { status };
}

function deleteSecret(context: RouteContext): Reply {
  if (!context.state.deleteSecret(secretScope(context), context.params.secret_name!)) throw notFound();
  return { status: 204 };
}

// --- secret scanning ---

/** 404 as GitHub says it: "secret scanning is disabled for the repository, or the resource is not found". */
function scanned(context: RouteContext): Repository {
  const repository = context.repository!;
  if (!repository.secretScanning) throw notFound();
  return repository;
}

function alertOf(context: RouteContext): AlertRecord {
  const alert = scanned(context).alerts.get(Number(context.params.alert_number));
  if (alert === undefined) throw notFound();
  return alert;
}

function hideSecret(query: URLSearchParams): boolean {
  return query.get('hide_secret') === 'true';
}

function listAlerts(context: RouteContext): Reply {
  const repository = scanned(context);
  const state = context.query.get('state');
  const alerts = [...repository.alerts.values()].filter((alert) => state === null || alert.state === state);
  const page = paginate(context, alerts);
  return {
    status: 200,
    body: page.items.map((alert) =>
      restAlert(context.apiUrl, repository.fullName, alert, {
        hideSecret: hideSecret(context.query),
        withMetadata: false,
      }),
    ),
    headers: page.headers,
  };
}

function getAlert(context: RouteContext): Reply {
  const alert = alertOf(context);
  const options = { hideSecret: hideSecret(context.query), withMetadata: true };
  return { status: 200, body: restAlert(context.apiUrl, context.repository!.fullName, alert, options) };
}

const RESOLUTIONS = ['false_positive', 'wont_fix', 'revoked', 'used_in_tests'] as const;

/**
 * `PATCH …/alerts/{n}`, held to GH-SUB's rules: at least one of `state`, `assignee`, `validity`; a
 * `resolved` state needs a resolution and an `open` one takes none (422); the same state and resolution
 * again is "the resolution was not changed" (400).
 */
function updateAlert(context: RouteContext): Reply {
  const alert = alertOf(context);
  const { body } = context;
  if (
    !isRecord(body) ||
    (body.state === undefined && body.assignee === undefined && body.validity === undefined)
  ) {
    throw new HttpError(
      422,
      validationError('Invalid request. At least one of state, assignee or validity is required.', []),
    );
  }
  if (
    body.resolution_comment !== undefined &&
    body.resolution_comment !== null &&
    typeof body.resolution_comment !== 'string'
  ) {
    throw new HttpError(400, basicError(400, 'The resolution comment is invalid'));
  }
  if (body.state !== undefined) changeState(context, alert, body);
  return {
    status: 200,
    body: restAlert(context.apiUrl, context.repository!.fullName, alert, {
      hideSecret: false,
      withMetadata: true,
    }),
  };
}

function changeState(context: RouteContext, alert: AlertRecord, body: Record<string, unknown>): void {
  const { state, resolution } = body;
  const comment = typeof body.resolution_comment === 'string' ? body.resolution_comment : null;
  const mismatch = () =>
    new HttpError(422, validationError('State does not match the resolution or resolution comment', []));
  if (state === 'resolved') {
    if (!RESOLUTIONS.includes(resolution as (typeof RESOLUTIONS)[number])) throw mismatch();
    if (alert.state === 'resolved' && alert.resolution === resolution) {
      throw new HttpError(400, basicError(400, 'The resolution was not changed'));
    }
    alert.state = 'resolved';
    alert.resolution = resolution as AlertRecord['resolution'];
    alert.resolutionComment = comment;
    alert.resolvedAt = context.state.nowIso();
    alert.resolvedBy = context.app.bot;
  } else if (state === 'open') {
    if (resolution !== undefined && resolution !== null) throw mismatch();
    if (alert.state === 'open') throw new HttpError(400, basicError(400, 'The resolution was not changed'));
    alert.state = 'open';
    alert.resolution = null;
    alert.resolutionComment = comment;
    alert.resolvedAt = null;
    alert.resolvedBy = null;
  } else {
    throw mismatch();
  }
  alert.updatedAt = context.state.nowIso();
}

function listLocations(context: RouteContext): Reply {
  const alert = alertOf(context);
  const fullName = context.repository!.fullName;
  const page = paginate(context, alert.locations);
  return {
    status: 200,
    body: page.items.map((location) => locationBody(context.apiUrl, fullName, location)),
    headers: page.headers,
  };
}

/** `page`/`per_page` (default 30, at most 100) and the `Link` header GitHub gives (next, last, first, prev). */
function paginate<T>(
  context: RouteContext,
  items: readonly T[],
): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, integerParam(context.query, 'per_page', 30)));
  const page = Math.max(1, integerParam(context.query, 'page', 1));
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number, rel: string) => {
    const url = new URL(`${context.apiUrl}${context.path}`);
    url.searchParams.set('per_page', String(perPage));
    url.searchParams.set('page', String(n));
    return `<${url.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    headers: links.length === 0 ? {} : { link: links.join(', ') },
  };
}

function integerParam(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new HttpError(422, validationError(`Invalid ${name}`, []));
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
