import { type Headers, isJsonObject, readRetryAfterMs as readRetryHeaders } from '../util/http.js';
import {
  callName,
  classForStatus,
  contextOf,
  excerpt,
  noAnswer,
  type UpstreamCall,
  UpstreamError,
  type UpstreamErrorContext,
  UpstreamWording,
} from './upstream-errors.js';

/**
 * How ClickHouse API errors read. Their request id is the body's `requestId` (quote it to ClickHouse
 * support); their server message is the body's `error` text, e.g. `BAD_REQUEST: invalid expireAt`.
 */
export const CLICKHOUSE_WORDING = new UpstreamWording('ClickHouse API', 'requestId');

/**
 * Base of every failure talking to the ClickHouse Cloud API. Messages name the route template and the
 * server's message; they never carry request or response bodies, headers or credentials.
 */
export class ClickHouseApiError extends UpstreamError {
  override readonly name: string = 'ClickHouseApiError';

  constructor(context: UpstreamErrorContext, message?: string, options?: ErrorOptions) {
    super(context, message ?? CLICKHOUSE_WORDING.answer(callName(context), context), options);
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
    context: UpstreamErrorContext,
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

  constructor(call: UpstreamCall, requestMayHaveBeenSent: boolean, message: string) {
    super(noAnswer(call), message);
    this.requestMayHaveBeenSent = requestMayHaveBeenSent;
  }
}

/** The attempt did not complete within `timeoutMs`; the server may still have acted on it. */
export class ApiTimeoutError extends ApiConnectionError {
  override readonly name: string = 'ApiTimeoutError';
  readonly timeoutMs: number;

  constructor(call: UpstreamCall, timeoutMs: number) {
    super(call, true, CLICKHOUSE_WORDING.timeout(callName(call), timeoutMs));
    this.timeoutMs = timeoutMs;
  }
}

/** A 2xx whose body is not JSON or lacks what the operation needs (e.g. a key without `id`). */
export class InvalidResponseError extends ClickHouseApiError {
  override readonly name: string = 'InvalidResponseError';

  /** `problem` names what is wrong (paths and expectations only, never values from the body). */
  constructor(context: Omit<UpstreamErrorContext, 'serverMessage'>, problem: string) {
    super(
      { ...context, serverMessage: null },
      CLICKHOUSE_WORDING.unexpected(callName(context), context, problem),
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

/** Everything `makeApiError` needs about a non-2xx response. */
export interface ErrorResponseContext {
  status: number;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  headers: Headers;
  method: string;
  route: string;
}

type ErrorClass = new (context: UpstreamErrorContext) => ClickHouseApiError;

const BY_STATUS: ReadonlyMap<number, ErrorClass> = new Map<number, ErrorClass>([
  [400, BadRequestError],
  [401, AuthenticationError],
  [403, PermissionDeniedError],
  [404, NotFoundError],
  [409, ConflictError],
]);

/** The one place a non-2xx response becomes an error: one class per status family (openai-node style). */
export function makeApiError(ctx: ErrorResponseContext): ClickHouseApiError {
  const context: UpstreamErrorContext = {
    status: ctx.status,
    requestId: readRequestId(ctx.body),
    serverMessage: readServerMessage(ctx.body),
    method: ctx.method,
    route: ctx.route,
  };
  if (ctx.status === 429) return new RateLimitError(context, readRetryAfterMs(ctx.headers));
  const ErrorClass = classForStatus(ctx.status, BY_STATUS, {
    serverError: InternalServerError,
    other: ClickHouseApiError,
  });
  return new ErrorClass(context);
}

/**
 * How long a 429 asks us to wait, in ms. ClickHouse's own Terraform client reads `X-RateLimit-Reset` as
 * (fractional) seconds to wait; the standard `Retry-After` (delta seconds) is honoured as a fallback.
 */
export function readRetryAfterMs(headers: Headers): number | null {
  return readRetryHeaders(headers, ['x-ratelimit-reset', 'retry-after']);
}

function readServerMessage(body: unknown): string | null {
  if (isJsonObject(body)) {
    const error = body.error;
    if (typeof error === 'string' && error.trim() !== '') return error;
    const message = body.message;
    return typeof message === 'string' && message.trim() !== '' ? message : null;
  }
  // A proxy's HTML or plain-text page: a short, single-line excerpt, so the status is explainable.
  return typeof body === 'string' ? excerpt(body) : null;
}

/** The body's `requestId`, in an error's body as in a 2xx's envelope. */
export function readRequestId(body: unknown): string | null {
  return isJsonObject(body) && typeof body.requestId === 'string' && body.requestId !== ''
    ? body.requestId
    : null;
}
