import {
  callName,
  classForStatus,
  type UpstreamCall,
  UpstreamError,
  UpstreamWording,
} from '../core/upstream-errors.js';

/** The Vault operations Keyhouse calls, named by their `operationId` in Vault's OpenAPI description. */
export type VaultOperation =
  | 'app-role-login'
  | 'token-look-up-self'
  | 'kv-v2-write'
  | 'kv-v2-read'
  | 'kv-v2-read-metadata';

/** What every Vault error knows about the call that failed. */
export interface VaultErrorContext extends UpstreamCall {
  /** HTTP status, or undefined when no answer arrived. */
  status: number | undefined;
  operation: VaultOperation;
  /** Vault's `errors` array (credentials and written secrets replaced by `[redacted]`). */
  serverMessages: readonly string[];
}

/** Which call an answer or a failure belongs to, for errors and logs. */
export type VaultCallSite = Pick<VaultErrorContext, 'operation' | 'method' | 'route'>;

/** How Vault errors read: a call is named with its operation, `GET /v1/{mount}/data/{path} (kv-v2-read)`. */
export const VAULT_WORDING = new UpstreamWording('Vault');

/**
 * Base of every failure talking to Vault. Messages name the operation, the route template and Vault's
 * own messages; never a token, a secret id, a written value, a request body or a header. Vault's error
 * bodies carry no request id; `serverMessage` is its `errors` joined.
 */
export class VaultApiError extends UpstreamError {
  override readonly name: string = 'VaultApiError';
  readonly operation: VaultOperation;
  readonly serverMessages: readonly string[];

  constructor(context: VaultErrorContext, message?: string, options?: ErrorOptions) {
    const upstream = {
      ...context,
      requestId: null,
      serverMessage: context.serverMessages.length === 0 ? null : context.serverMessages.join('; '),
    };
    super(upstream, message ?? VAULT_WORDING.answer(vaultCallName(context), upstream), options);
    this.operation = context.operation;
    this.serverMessages = context.serverMessages;
  }
}

/** 400: the request was refused as invalid (on login: an unknown role id or secret id). */
export class VaultBadRequestError extends VaultApiError {
  override readonly name: string = 'VaultBadRequestError';
}

/** A 400 refusing a KV write because `options.cas` did not match the secret's current version. */
export class VaultCasMismatchError extends VaultBadRequestError {
  override readonly name: string = 'VaultCasMismatchError';
}

/** 403: a token that is invalid, expired or revoked, a policy that does not allow the path, or a wrong namespace. */
export class VaultPermissionDeniedError extends VaultApiError {
  override readonly name: string = 'VaultPermissionDeniedError';
}

/** 404: no such secret or version (Vault also answers 404 rather than reveal a path one may not see). */
export class VaultNotFoundError extends VaultApiError {
  override readonly name: string = 'VaultNotFoundError';
}

/** 429: a rate-limit or lease quota (or a standby's health) refused the request before it was processed. */
export class VaultRateLimitError extends VaultApiError {
  override readonly name: string = 'VaultRateLimitError';
  /** How long Vault asked us to wait (`Retry-After`), when it said. */
  readonly retryAfterMs: number | null;

  constructor(context: VaultErrorContext, retryAfterMs: number | null) {
    super(context);
    this.retryAfterMs = retryAfterMs;
  }
}

/** 5xx: Vault failed; whether it acted on the request is unknown (except for a 503, below). */
export class VaultServerError extends VaultApiError {
  override readonly name: string = 'VaultServerError';
}

/** 503: sealed, in maintenance or overloaded; refused before the request reached a secrets engine. */
export class VaultUnavailableError extends VaultServerError {
  override readonly name: string = 'VaultUnavailableError';
}

/** No answer arrived (connection refused, reset, DNS failure…). */
export class VaultConnectionError extends VaultApiError {
  override readonly name: string = 'VaultConnectionError';
  /**
   * False only when the failure proves the request never left (connection refused, name not resolved);
   * true whenever Vault may have received it.
   */
  readonly requestMayHaveBeenSent: boolean;

  constructor(site: VaultCallSite, requestMayHaveBeenSent: boolean, message: string) {
    super({ ...site, status: undefined, serverMessages: [] }, message);
    this.requestMayHaveBeenSent = requestMayHaveBeenSent;
  }
}

/** The attempt did not complete within `timeoutMs`; Vault may still have acted on it. */
export class VaultTimeoutError extends VaultConnectionError {
  override readonly name: string = 'VaultTimeoutError';
  readonly timeoutMs: number;

  constructor(site: VaultCallSite, timeoutMs: number) {
    super(site, true, VAULT_WORDING.timeout(vaultCallName(site), timeoutMs));
    this.timeoutMs = timeoutMs;
  }
}

/** A 2xx whose body is not JSON or lacks what the operation needs. */
export class VaultInvalidResponseError extends VaultApiError {
  override readonly name: string = 'VaultInvalidResponseError';

  /** `problem` names what is wrong (paths and expectations only, never values from the body). */
  constructor(context: Omit<VaultErrorContext, 'serverMessages'>, problem: string) {
    super(
      { ...context, serverMessages: [] },
      VAULT_WORDING.unexpected(vaultCallName(context), { ...context, requestId: null }, problem),
    );
  }
}

/**
 * A KV write whose outcome is unknown: it timed out, the connection broke after sending, or Vault answered
 * a 5xx other than 503. A new version may or may not exist. The client does not send it again (a retry
 * could write a second version); the caller settles it, e.g. by reading the metadata's `current_version`.
 * The underlying error is `cause`.
 */
export class VaultWriteUnknownError extends VaultApiError {
  override readonly name: string = 'VaultWriteUnknownError';

  constructor(cause: VaultApiError) {
    super(
      {
        status: cause.status,
        operation: cause.operation,
        method: cause.method,
        route: cause.route,
        serverMessages: cause.serverMessages,
      },
      `Vault KV write has an unknown outcome (${cause.message}); a version may have been written`,
      { cause },
    );
  }
}

type ErrorClass = new (context: VaultErrorContext) => VaultApiError;

const BY_STATUS: ReadonlyMap<number, ErrorClass> = new Map<number, ErrorClass>([
  [400, VaultBadRequestError],
  [403, VaultPermissionDeniedError],
  [404, VaultNotFoundError],
  [503, VaultUnavailableError],
]);

/**
 * Vault says nothing machine-readable about a failed check-and-set; its docs give no text either
 * (github-and-vault.md §10, UNCERTAIN). Its messages speak of "check-and-set", so that is what is matched.
 */
const CAS_MESSAGE = /check-and-set/i;

/** The one place a non-2xx answer becomes an error: one class per status family. */
export function makeVaultError(context: VaultErrorContext, retryAfterMs: number | null): VaultApiError {
  if (context.status === 429) return new VaultRateLimitError(context, retryAfterMs);
  if (context.status === 400 && context.serverMessages.some((message) => CAS_MESSAGE.test(message))) {
    return new VaultCasMismatchError(context);
  }
  const ErrorClass = classForStatus(context.status ?? 0, BY_STATUS, {
    serverError: VaultServerError,
    other: VaultApiError,
  });
  return new ErrorClass(context);
}

/** `POST /v1/auth/{mount}/login (app-role-login)`. */
export function vaultCallName(site: VaultCallSite): string {
  return `${callName(site)} (${site.operation})`;
}
