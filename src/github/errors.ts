import {
  callName,
  classForStatus,
  excerpt,
  noAnswer,
  scrub,
  type UpstreamCall,
  UpstreamError,
  type UpstreamErrorContext,
  UpstreamWording,
} from '../core/upstream-errors.js';
import { isJsonObject } from '../util/http.js';

/**
 * How GitHub API errors read. Their request id is the answer's `X-GitHub-Request-Id` (quote it to GitHub
 * support); their server message is GitHub's `message`, scrubbed of the credential the call carried.
 */
export const GITHUB_WORDING = new UpstreamWording('GitHub API');

/**
 * Base of every failure talking to GitHub's REST API. Messages name the route template and GitHub's own
 * message: they never carry bodies, headers, the secret being written, the app's key or any token.
 */
export class GitHubApiError extends UpstreamError {
  override readonly name: string = 'GitHubApiError';

  constructor(context: UpstreamErrorContext, message?: string, options?: ErrorOptions) {
    super(context, message ?? GITHUB_WORDING.answer(callName(context), context), options);
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

  constructor(context: UpstreamErrorContext, fields: GitHubValidationError['fields']) {
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

  constructor(context: UpstreamErrorContext, retryAfterMs: number) {
    super(
      context,
      `${GITHUB_WORDING.answer(callName(context), context)}; rate limited for ${Math.ceil(retryAfterMs / 1000)} s more, longer than this call may wait`,
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

  constructor(call: UpstreamCall, requestMayHaveBeenSent: boolean, message: string) {
    super(noAnswer(call), message);
    this.requestMayHaveBeenSent = requestMayHaveBeenSent;
  }
}

/** The attempt did not complete within `timeoutMs`; GitHub may still have acted on it. */
export class GitHubTimeoutError extends GitHubConnectionError {
  override readonly name: string = 'GitHubTimeoutError';
  readonly timeoutMs: number;

  constructor(call: UpstreamCall, timeoutMs: number) {
    super(call, true, GITHUB_WORDING.timeout(callName(call), timeoutMs));
    this.timeoutMs = timeoutMs;
  }
}

/** A 2xx whose body is not JSON or lacks what the operation needs. */
export class GitHubInvalidResponseError extends GitHubApiError {
  override readonly name: string = 'GitHubInvalidResponseError';

  /** `problem` names what is wrong (paths and expectations only, never values from the body). */
  constructor(context: Omit<UpstreamErrorContext, 'serverMessage'>, problem: string) {
    super(
      { ...context, serverMessage: null },
      GITHUB_WORDING.unexpected(callName(context), context, problem),
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

type ErrorClass = new (context: UpstreamErrorContext) => GitHubApiError;

const BY_STATUS: ReadonlyMap<number, ErrorClass> = new Map<number, ErrorClass>([
  [400, GitHubBadRequestError],
  [401, GitHubAuthenticationError],
  [403, GitHubPermissionError],
  [404, GitHubNotFoundError],
]);

/** The one place a non-2xx answer becomes an error: one class per status family. */
export function makeGitHubError(answer: ErrorAnswer): GitHubApiError {
  const context: UpstreamErrorContext = {
    status: answer.status,
    requestId: answer.requestId,
    serverMessage: readServerMessage(answer.body, answer.credential),
    method: answer.method,
    route: answer.route,
  };
  if (answer.status === 422) return new GitHubValidationError(context, readValidationFields(answer.body));
  const ErrorClass = classForStatus(answer.status, BY_STATUS, {
    serverError: GitHubServerError,
    other: GitHubApiError,
  });
  return new ErrorClass(context);
}

/** GitHub's `message` (or a text body), on one line, cut short, with the call's credential scrubbed out. */
export function readServerMessage(body: unknown, credential: string | null): string | null {
  const raw = isJsonObject(body) ? body.message : body;
  if (typeof raw !== 'string') return null;
  return excerpt(scrub(raw, credential === null ? [] : [credential]));
}

/** `validation-error.errors[]`: the names only; `value` may echo what was sent, so it is dropped. */
function readValidationFields(body: unknown): GitHubValidationError['fields'] {
  if (!isJsonObject(body) || !Array.isArray(body.errors)) return [];
  return body.errors.filter(isJsonObject).map((entry) => ({
    ...(typeof entry.resource === 'string' ? { resource: entry.resource } : {}),
    ...(typeof entry.field === 'string' ? { field: entry.field } : {}),
    code: typeof entry.code === 'string' ? entry.code : 'unknown',
  }));
}
