import { KeyhouseError } from './errors.js';

/** What every ClickHouse API error knows about the call that failed. */
export interface ApiErrorContext {
  /** HTTP status, or undefined when no response arrived. */
  status: number | undefined;
  /** The server's `requestId` (quote it to ClickHouse support), when the body had one. */
  requestId: string | null;
  /** The server's `error` text, e.g. `BAD_REQUEST: invalid expireAt`. */
  serverMessage: string | null;
  method: string;
  /** Route template, never the concrete path: `/v1/organizations/{organizationId}/keys`. */
  route: string;
}

/**
 * Base of every failure talking to the ClickHouse Cloud API. Messages name the route template and the
 * server's message; they never carry request or response bodies, headers or credentials.
 */
export class ClickHouseApiError extends KeyhouseError {
  override readonly name: string = 'ClickHouseApiError';
  readonly status: number | undefined;
  readonly requestId: string | null;
  readonly serverMessage: string | null;
  readonly method: string;
  readonly route: string;

  constructor(context: ApiErrorContext, message?: string, options?: ErrorOptions) {
    super('upstream_failed', message ?? describeStatus(context), options);
    this.status = context.status;
    this.requestId = context.requestId;
    this.serverMessage = context.serverMessage;
    this.method = context.method;
    this.route = context.route;
  }
}

/** 400: the request was refused as malformed or invalid (the server says why in `serverMessage`). */
export class BadRequestError extends ClickHouseApiError {
  override readonly name: string = 'BadRequestError';
}

/** 401: the bot's key is unknown, disabled or expired. */
export class AuthenticationError extends ClickHouseApiError {
  override readonly name: string = 'AuthenticationError';
}

/** 403: the bot's key lacks the permission for this operation. */
export class PermissionDeniedError extends ClickHouseApiError {
  override readonly name: string = 'PermissionDeniedError';
}

/** 404: the organization or key does not exist (any more). */
export class NotFoundError extends ClickHouseApiError {
  override readonly name: string = 'NotFoundError';
}

/** 409: the request conflicts with the resource's current state. */
export class ConflictError extends ClickHouseApiError {
  override readonly name: string = 'ConflictError';
}

/** 429: the per-key rate limit was hit and waiting any longer was not allowed. The request was not processed. */
export class RateLimitError extends ClickHouseApiError {
  override readonly name: string = 'RateLimitError';
  /** How long the server asked us to wait (`X-RateLimit-Reset`), when it said. */
  readonly retryAfterMs: number | null;

  constructor(
    context: ApiErrorContext,
    retryAfterMs: number | null,
    message?: string,
    options?: ErrorOptions,
  ) {
    super(context, message, options);
    this.retryAfterMs = retryAfterMs;
  }
}

/** 5xx: the server failed; whether it acted on the request is unknown. */
export class InternalServerError extends ClickHouseApiError {
  override readonly name: string = 'InternalServerError';
}

/** No response arrived (connection refused, reset, DNS failure…). */
export class ApiConnectionError extends ClickHouseApiError {
  override readonly name: string = 'ApiConnectionError';
  /**
   * False only when the failure proves the request never left (connection refused, name not resolved),
   * so even a create may be retried; true whenever the server may have received it.
   */
  readonly requestMayHaveBeenSent: boolean;

  constructor(
    context: Omit<ApiErrorContext, 'status' | 'requestId' | 'serverMessage'>,
    requestMayHaveBeenSent: boolean,
    message: string,
    options?: ErrorOptions,
  ) {
    super({ ...context, status: undefined, requestId: null, serverMessage: null }, message, options);
    this.requestMayHaveBeenSent = requestMayHaveBeenSent;
  }
}

/** The attempt did not complete within `timeoutMs`; the server may still have acted on it. */
export class ApiTimeoutError extends ApiConnectionError {
  override readonly name: string = 'ApiTimeoutError';
  readonly timeoutMs: number;

  constructor(context: Omit<ApiErrorContext, 'status' | 'requestId' | 'serverMessage'>, timeoutMs: number) {
    super(
      context,
      true,
      `ClickHouse API timed out after ${timeoutMs} ms on ${context.method} ${context.route}`,
    );
    this.timeoutMs = timeoutMs;
  }
}

/** A 2xx whose body is not JSON or lacks what the operation needs (e.g. a key without `id`). */
export class InvalidResponseError extends ClickHouseApiError {
  override readonly name: string = 'InvalidResponseError';

  /** `problem` names what is wrong (paths and expectations only, never values from the body). */
  constructor(context: Omit<ApiErrorContext, 'serverMessage'>, problem: string) {
    super(
      { ...context, serverMessage: null },
      `ClickHouse API ${context.status ?? 'response'} on ${context.method} ${context.route}: unexpected response: ${problem}${requestIdSuffix(context.requestId)}`,
    );
  }
}

/**
 * A `POST …/keys` whose outcome is unknown: it timed out, the connection broke, the server answered 5xx,
 * or it answered 2xx with a body we could not use. A key may have been created and its secret is lost, so
 * the caller must look for it (by `keyName`, created at or after `startedAt`) and settle it. Never retried
 * blindly: a retry could create a second key. The underlying error is `cause`.
 */
export class AmbiguousCreateError extends ClickHouseApiError {
  override readonly name: string = 'AmbiguousCreateError';
  /** The name the key was to be created with. (`name` itself is the error class name, as for every Error.) */
  readonly keyName: string;
  /** When the first attempt was sent, by the client's clock; the key, if any, was created after this. */
  readonly startedAt: Date;
  /** The new key's management UUID when the response revealed it (a 2xx without a usable secret). */
  readonly createdKeyId: string | null;

  constructor(init: {
    keyName: string;
    startedAt: Date;
    createdKeyId?: string | null;
    cause: ClickHouseApiError;
  }) {
    const { cause } = init;
    super(
      contextOf(cause),
      `ClickHouse API create of key "${init.keyName}" has an unknown outcome (${cause.message}); the key may exist and must be settled`,
      { cause },
    );
    this.keyName = init.keyName;
    this.startedAt = init.startedAt;
    this.createdKeyId = init.createdKeyId ?? null;
  }
}

/**
 * A `POST …/roles` whose outcome is unknown (timeout, broken connection, 5xx, or a 2xx we could not
 * use): the role may exist. It holds no secret, so nothing is lost, but sending the create again could
 * make a twin: look for it by `roleName` first. The underlying error is `cause`.
 */
export class AmbiguousRoleCreateError extends ClickHouseApiError {
  override readonly name: string = 'AmbiguousRoleCreateError';
  readonly roleName: string;
  /** The new role's id when the response revealed it. */
  readonly createdRoleId: string | null;

  constructor(init: { roleName: string; createdRoleId?: string | null; cause: ClickHouseApiError }) {
    const { cause } = init;
    super(
      contextOf(cause),
      `ClickHouse API create of role "${init.roleName}" has an unknown outcome (${cause.message}); the role may exist`,
      { cause },
    );
    this.roleName = init.roleName;
    this.createdRoleId = init.createdRoleId ?? null;
  }
}

/** The call an error was about, for an error that wraps it. */
function contextOf(cause: ClickHouseApiError): ApiErrorContext {
  return {
    status: cause.status,
    requestId: cause.requestId,
    serverMessage: cause.serverMessage,
    method: cause.method,
    route: cause.route,
  };
}

/** Everything `makeApiError` needs about a non-2xx response. */
export interface ErrorResponseContext {
  status: number;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  method: string;
  route: string;
}

type ErrorClass = new (context: ApiErrorContext) => ClickHouseApiError;

const BY_STATUS: ReadonlyMap<number, ErrorClass> = new Map<number, ErrorClass>([
  [400, BadRequestError],
  [401, AuthenticationError],
  [403, PermissionDeniedError],
  [404, NotFoundError],
  [409, ConflictError],
]);

/** The one place a non-2xx response becomes an error: one class per status family (openai-node style). */
export function makeApiError(ctx: ErrorResponseContext): ClickHouseApiError {
  const context: ApiErrorContext = {
    status: ctx.status,
    requestId: readRequestId(ctx.body),
    serverMessage: readServerMessage(ctx.body),
    method: ctx.method,
    route: ctx.route,
  };
  if (ctx.status === 429) return new RateLimitError(context, readRetryAfterMs(ctx.headers));
  if (ctx.status >= 500) return new InternalServerError(context);
  const ErrorClass = BY_STATUS.get(ctx.status) ?? ClickHouseApiError;
  return new ErrorClass(context);
}

/**
 * How long a 429 asks us to wait, in ms. ClickHouse's own Terraform client reads `X-RateLimit-Reset` as
 * (fractional) seconds to wait; the standard `Retry-After` (delta seconds) is honoured as a fallback.
 */
export function readRetryAfterMs(headers: Record<string, string | string[] | undefined>): number | null {
  for (const name of ['x-ratelimit-reset', 'retry-after']) {
    const raw = firstHeader(headers, name);
    if (raw === undefined || raw.trim() === '') continue;
    const seconds = Number(raw);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  }
  return null;
}

const MAX_TEXT_MESSAGE = 200;

function readServerMessage(body: unknown): string | null {
  if (isRecord(body)) {
    const error = body.error;
    if (typeof error === 'string' && error.trim() !== '') return error;
    const message = body.message;
    return typeof message === 'string' && message.trim() !== '' ? message : null;
  }
  // A proxy's HTML or plain-text page: keep a short, single-line excerpt so the status is explainable.
  if (typeof body === 'string') {
    const text = body.replace(/\s+/g, ' ').trim();
    if (text === '') return null;
    return text.length > MAX_TEXT_MESSAGE ? `${text.slice(0, MAX_TEXT_MESSAGE)}…` : text;
  }
  return null;
}

function readRequestId(body: unknown): string | null {
  return isRecord(body) && typeof body.requestId === 'string' && body.requestId !== ''
    ? body.requestId
    : null;
}

function describeStatus(context: ApiErrorContext): string {
  const what = context.serverMessage ?? 'no error message';
  return `ClickHouse API ${context.status ?? 'error'} on ${context.method} ${context.route}: ${what}${requestIdSuffix(context.requestId)}`;
}

function requestIdSuffix(requestId: string | null): string {
  return requestId === null ? '' : ` (requestId ${requestId})`;
}

function firstHeader(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
