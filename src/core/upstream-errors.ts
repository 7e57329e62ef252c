import { KeyhouseError } from './errors.js';

/**
 * What the errors of the outside services Keyhouse calls share: ClickHouse Cloud (`api-errors.ts`),
 * GitHub (`github/errors.ts`) and Vault (`vault/errors.ts`) each extend `UpstreamError` with one class
 * per status family, picked by one factory per service (`classForStatus`), and keep their own names, so
 * code matches on `NotFoundError`, `GitHubRateLimitError`, `VaultCasMismatchError`… and never takes one
 * service's 404 for another's.
 *
 * An error names the call by its route template and quotes the server's own words, excerpted and
 * scrubbed of whatever credential or secret the call carried: never a body, a header, a concrete path,
 * a token or a secret.
 */

/** Which call failed. */
export interface UpstreamCall {
  method: string;
  /** Route template, never the concrete path: `/repos/{owner}/{repo}/actions/secrets/{secret_name}`. */
  route: string;
}

/** What every upstream error knows about the call that failed. */
export interface UpstreamErrorContext extends UpstreamCall {
  /** HTTP status, or undefined when no answer arrived. */
  status: number | undefined;
  /** The service's id for the request (quote it to its support), when it gave one. */
  requestId: string | null;
  /** The service's own message, when it gave one. */
  serverMessage: string | null;
}

/** Base of every failure talking to an outside service: its `code` is always `upstream_failed`. */
export abstract class UpstreamError extends KeyhouseError {
  override readonly name: string = 'UpstreamError';
  readonly status: number | undefined;
  readonly requestId: string | null;
  readonly serverMessage: string | null;
  readonly method: string;
  readonly route: string;

  constructor(context: UpstreamErrorContext, message: string, options?: ErrorOptions) {
    super('upstream_failed', message, options);
    this.status = context.status;
    this.requestId = context.requestId;
    this.serverMessage = context.serverMessage;
    this.method = context.method;
    this.route = context.route;
  }
}

/** The context of an attempt that got no answer: no status, no request id, nothing said. */
export function noAnswer(call: UpstreamCall): UpstreamErrorContext {
  return { method: call.method, route: call.route, status: undefined, requestId: null, serverMessage: null };
}

/** The call an error was about, for an error that wraps it. */
export function contextOf(cause: UpstreamError): UpstreamErrorContext {
  return {
    status: cause.status,
    requestId: cause.requestId,
    serverMessage: cause.serverMessage,
    method: cause.method,
    route: cause.route,
  };
}

/**
 * Which class an error answer gets: its status's own, else the server-error class for any 5xx, else the
 * service's base class (a status no family covers, e.g. 424).
 */
export function classForStatus<Class>(
  status: number,
  byStatus: ReadonlyMap<number, Class>,
  families: { serverError: Class; other: Class },
): Class {
  return byStatus.get(status) ?? (status >= 500 ? families.serverError : families.other);
}

/** How one service's errors word what happened. */
export class UpstreamWording {
  /**
   * `service` names it (`ClickHouse API`, `GitHub API`, `Vault`); `requestIdLabel` introduces a request
   * id (ClickHouse's bodies call it `requestId`).
   */
  constructor(
    readonly service: string,
    readonly requestIdLabel = 'request id',
  ) {}

  /** An answer that is an error: `GitHub API 404 on GET /repos/{owner}/{repo}: Not Found (request id …)`. */
  answer(
    call: string,
    context: Pick<UpstreamErrorContext, 'status' | 'requestId' | 'serverMessage'>,
  ): string {
    const what = context.serverMessage ?? 'no error message';
    return `${this.service} ${context.status ?? 'error'} on ${call}: ${what}${this.#requestId(context.requestId)}`;
  }

  /** A 2xx that could not be used; `problem` names paths and expectations only, never values. */
  unexpected(
    call: string,
    context: Pick<UpstreamErrorContext, 'status' | 'requestId'>,
    problem: string,
  ): string {
    return `${this.service} ${context.status ?? 'response'} on ${call}: unexpected response: ${problem}${this.#requestId(context.requestId)}`;
  }

  timeout(call: string, timeoutMs: number): string {
    return `${this.service} timed out after ${timeoutMs} ms on ${call}`;
  }

  /** `label` is the failure's code or class (util/http.ts), never its message. */
  connectionFailed(call: string, label: string): string {
    return `${this.service} connection failed on ${call} (${label})`;
  }

  #requestId(requestId: string | null): string {
    return requestId === null ? '' : ` (${this.requestIdLabel} ${requestId})`;
  }
}

/** A call as messages name it: `GET /v1/organizations/{organizationId}/keys`. */
export function callName(call: UpstreamCall): string {
  return `${call.method} ${call.route}`;
}

const MAX_EXCERPT = 200;

/** A text answer (a proxy's HTML or plain page) on one line and cut short, so a status is explainable; null when blank. */
export function excerpt(text: string): string | null {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line === '') return null;
  return line.length > MAX_EXCERPT ? `${line.slice(0, MAX_EXCERPT)}…` : line;
}

/**
 * `text` with every occurrence of each secret replaced, so a message that quotes a token or a written
 * value keeps its sense and loses the value. Scrub before cutting: a cut could leave a secret's head.
 */
export function scrub(text: string, secrets: readonly string[]): string {
  return secrets.reduce(
    (scrubbed, secret) => (secret === '' ? scrubbed : scrubbed.replaceAll(secret, '[redacted]')),
    text,
  );
}
