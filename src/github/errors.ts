import { KeyhouseError } from '../core/errors.js';

/** What every GitHub API error knows about the call that failed. */
export interface GitHubErrorContext {
  /** HTTP status, or undefined when no answer arrived. */
  status: number | undefined;
  /** `X-GitHub-Request-Id` of the answer (quote it to GitHub support), when there was one. */
  requestId: string | null;
  /** GitHub's `message`, e.g. `Not Found`; scrubbed of the credential the call carried. */
  serverMessage: string | null;
  method: string;
  /** Route template, never the concrete path: `/repos/{owner}/{repo}/actions/secrets/{secret_name}`. */
  route: string;
}

/**
 * Base of every failure talking to GitHub's REST API. Messages name the route template and GitHub's own
 * message: they never carry bodies, headers, the secret being written, the app's key or any token.
 */
export class GitHubApiError extends KeyhouseError {
  override readonly name: string = 'GitHubApiError';
  readonly status: number | undefined;
  readonly requestId: string | null;
  readonly serverMessage: string | null;
  readonly method: string;
  readonly route: string;

  constructor(context: GitHubErrorContext, message?: string, options?: ErrorOptions) {
    super('upstream_failed', message ?? describe(context), options);
    this.status = context.status;
    this.requestId = context.requestId;
    this.serverMessage = context.serverMessage;
    this.method = context.method;
    this.route = context.route;
  }
}

/** 400: refused as malformed (secret scanning: "the resolution was not changed" among others). */
export class GitHubBadRequestError extends GitHubApiError {
  override readonly name: string = 'GitHubBadRequestError';
}

/** 401: the app's JWT (wrong key, app id or clock) or the installation token (expired, revoked) was refused. */
export class GitHubAuthenticationError extends GitHubApiError {
  override readonly name: string = 'GitHubAuthenticationError';
}

/** 403 that is not a rate limit: the installation lacks a permission, or a rule forbids the change. */
export class GitHubPermissionError extends GitHubApiError {
  override readonly name: string = 'GitHubPermissionError';
}

/** 404: the repository, environment, secret, alert or installation does not exist, or is hidden from the app. */
export class GitHubNotFoundError extends GitHubApiError {
  override readonly name: string = 'GitHubNotFoundError';
}

/** 422: validation failed. `fields` names what GitHub objected to (resource, field, code; never values). */
export class GitHubValidationError extends GitHubApiError {
  override readonly name: string = 'GitHubValidationError';
  readonly fields: readonly { resource?: string; field?: string; code: string }[];

  constructor(context: GitHubErrorContext, fields: GitHubValidationError['fields']) {
    super(context);
    this.fields = fields;
  }
}

/**
 * 403 or 429 with a rate-limit signal, and waiting it out was not allowed (longer than the client's
 * `maxRateLimitWaitMs`). Nothing was processed. `retryAfterMs` says how long GitHub asked to wait.
 */
export class GitHubRateLimitError extends GitHubApiError {
  override readonly name: string = 'GitHubRateLimitError';
  readonly retryAfterMs: number;

  constructor(context: GitHubErrorContext, retryAfterMs: number) {
    super(
      context,
      `${describe(context)}; rate limited for ${Math.ceil(retryAfterMs / 1000)} s more, longer than this call may wait`,
    );
    this.retryAfterMs = retryAfterMs;
  }
}

/** 5xx: GitHub failed; whether it acted on the request is unknown. */
export class GitHubServerError extends GitHubApiError {
  override readonly name: string = 'GitHubServerError';
}

/** No answer arrived (connection refused, reset, DNS failure…). */
export class GitHubConnectionError extends GitHubApiError {
  override readonly name: string = 'GitHubConnectionError';
  /** False only when the failure proves the request never left (connection refused, name not resolved). */
  readonly requestMayHaveBeenSent: boolean;

  constructor(
    context: Pick<GitHubErrorContext, 'method' | 'route'>,
    requestMayHaveBeenSent: boolean,
    message: string,
  ) {
    super({ ...context, status: undefined, requestId: null, serverMessage: null }, message);
    this.requestMayHaveBeenSent = requestMayHaveBeenSent;
  }
}

/** The attempt did not complete within `timeoutMs`; GitHub may still have acted on it. */
export class GitHubTimeoutError extends GitHubConnectionError {
  override readonly name: string = 'GitHubTimeoutError';
  readonly timeoutMs: number;

  constructor(context: Pick<GitHubErrorContext, 'method' | 'route'>, timeoutMs: number) {
    super(context, true, `GitHub API timed out after ${timeoutMs} ms on ${context.method} ${context.route}`);
    this.timeoutMs = timeoutMs;
  }
}

/** A 2xx whose body is not JSON or lacks what the operation needs. */
export class GitHubInvalidResponseError extends GitHubApiError {
  override readonly name: string = 'GitHubInvalidResponseError';

  /** `problem` names what is wrong (paths and expectations only, never values from the body). */
  constructor(context: Omit<GitHubErrorContext, 'serverMessage'>, problem: string) {
    super(
      { ...context, serverMessage: null },
      `GitHub API ${context.status ?? 'response'} on ${context.method} ${context.route}: unexpected response: ${problem}${requestIdSuffix(context.requestId)}`,
    );
  }
}

/** Everything `makeGitHubError` needs about a non-2xx answer that is not a rate limit. */
export interface ErrorAnswer {
  status: number;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  requestId: string | null;
  method: string;
  route: string;
  /** The credential the call carried: scrubbed from GitHub's message should it ever be quoted there. */
  credential: string | null;
}

type ErrorClass = new (context: GitHubErrorContext) => GitHubApiError;

const BY_STATUS: ReadonlyMap<number, ErrorClass> = new Map<number, ErrorClass>([
  [400, GitHubBadRequestError],
  [401, GitHubAuthenticationError],
  [403, GitHubPermissionError],
  [404, GitHubNotFoundError],
]);

/** The one place a non-2xx answer becomes an error: one class per status family. */
export function makeGitHubError(answer: ErrorAnswer): GitHubApiError {
  const context: GitHubErrorContext = {
    status: answer.status,
    requestId: answer.requestId,
    serverMessage: readServerMessage(answer.body, answer.credential),
    method: answer.method,
    route: answer.route,
  };
  if (answer.status === 422) return new GitHubValidationError(context, readValidationFields(answer.body));
  if (answer.status >= 500) return new GitHubServerError(context);
  const ErrorClass = BY_STATUS.get(answer.status) ?? GitHubApiError;
  return new ErrorClass(context);
}

const MAX_MESSAGE = 200;

/** GitHub's `message` (or a text body), on one line, cut short, with the call's credential scrubbed out. */
export function readServerMessage(body: unknown, credential: string | null): string | null {
  const raw = isRecord(body) ? body.message : body;
  if (typeof raw !== 'string') return null;
  let text = raw.replace(/\s+/g, ' ').trim();
  if (credential !== null && credential !== '') text = text.replaceAll(credential, '[redacted]');
  if (text === '') return null;
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

/** `validation-error.errors[]`: the names only; `value` may echo what was sent, so it is dropped. */
function readValidationFields(body: unknown): GitHubValidationError['fields'] {
  if (!isRecord(body) || !Array.isArray(body.errors)) return [];
  return body.errors.filter(isRecord).map((entry) => ({
    ...(typeof entry.resource === 'string' ? { resource: entry.resource } : {}),
    ...(typeof entry.field === 'string' ? { field: entry.field } : {}),
    code: typeof entry.code === 'string' ? entry.code : 'unknown',
  }));
}

function describe(context: GitHubErrorContext): string {
  const what = context.serverMessage ?? 'no error message';
  return `GitHub API ${context.status ?? 'error'} on ${context.method} ${context.route}: ${what}${requestIdSuffix(context.requestId)}`;
}

function requestIdSuffix(requestId: string | null): string {
  return requestId === null ? '' : ` (request id ${requestId})`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
