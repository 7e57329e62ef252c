import { describe, expect, it } from 'vitest';
import {
  AmbiguousCreateError,
  ApiTimeoutError,
  AuthenticationError,
  BadRequestError,
  ClickHouseApiError,
  ConflictError,
  InternalServerError,
  makeApiError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  readRetryAfterMs,
} from '../../src/core/api-errors.js';
import { isKeyhouseError } from '../../src/core/errors.js';

const ROUTE = '/v1/organizations/{organizationId}/keys';
const REQUEST_ID = '6d1f9c8e-4f0a-4b7e-9c2d-3e4f5a6b7c8d';

function build(status: number, body: unknown, headers: Record<string, string> = {}) {
  return makeApiError({ status, body, headers, method: 'POST', route: ROUTE });
}

describe('makeApiError', () => {
  it.each([
    [400, BadRequestError, 'BAD_REQUEST: expireAt must be in the future'],
    [401, AuthenticationError, 'UNAUTHORIZED: Key is not found'],
    [403, PermissionDeniedError, 'FORBIDDEN: missing control-plane:organization:create-api-keys'],
    [404, NotFoundError, 'NOT_FOUND: key not found'],
    [409, ConflictError, 'CONFLICT: key changed'],
    [500, InternalServerError, 'INTERNAL_SERVER_ERROR: oops'],
    [503, InternalServerError, 'SERVICE_UNAVAILABLE: try later'],
  ])('maps %i to %o with status, requestId and the server message', (status, ErrorClass, serverMessage) => {
    const error = build(status, { status, error: serverMessage, requestId: REQUEST_ID });
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toBeInstanceOf(ClickHouseApiError);
    expect(isKeyhouseError(error, 'upstream_failed')).toBe(true);
    expect(error).toMatchObject({
      status,
      requestId: REQUEST_ID,
      serverMessage,
      method: 'POST',
      route: ROUTE,
    });
    expect(error.message).toBe(
      `ClickHouse API ${status} on POST ${ROUTE}: ${serverMessage} (requestId ${REQUEST_ID})`,
    );
  });

  it('keeps other statuses in the base class (424 FAILED_DEPENDENCY)', () => {
    const error = build(424, { status: 424, error: 'FAILED_DEPENDENCY: x', requestId: REQUEST_ID });
    expect(error.constructor).toBe(ClickHouseApiError);
    expect(error.status).toBe(424);
  });

  it('reads the requestId-less 429 body and X-RateLimit-Reset as fractional seconds', () => {
    const error = build(429, { error: 'TOO_MANY_REQUESTS' }, { 'x-ratelimit-reset': '1.25' });
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({
      status: 429,
      requestId: null,
      serverMessage: 'TOO_MANY_REQUESTS',
      retryAfterMs: 1250,
    });
    expect(error.message).toBe(`ClickHouse API 429 on POST ${ROUTE}: TOO_MANY_REQUESTS`);
  });

  it('gives a 429 without a reset header a null retryAfterMs, and ignores garbage headers', () => {
    expect((build(429, { error: 'TOO_MANY_REQUESTS' }) as RateLimitError).retryAfterMs).toBeNull();
    expect((build(429, {}, { 'x-ratelimit-reset': 'soon' }) as RateLimitError).retryAfterMs).toBeNull();
    expect((build(429, {}, { 'retry-after': '3' }) as RateLimitError).retryAfterMs).toBe(3000);
  });

  it('survives non-JSON bodies: a short single-line excerpt becomes the message', () => {
    const html = `<html>\n  <body>502 Bad Gateway</body>\n</html>${'x'.repeat(500)}`;
    const error = build(502, html);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error.requestId).toBeNull();
    expect(error.serverMessage?.startsWith('<html> <body>502 Bad Gateway</body> </html>')).toBe(true);
    expect(error.serverMessage?.length).toBeLessThanOrEqual(201);
    expect(build(500, '').serverMessage).toBeNull();
    expect(build(500, undefined).message).toBe(`ClickHouse API 500 on POST ${ROUTE}: no error message`);
    expect(build(400, [1, 2]).serverMessage).toBeNull();
  });
});

describe('readRetryAfterMs', () => {
  it('prefers X-RateLimit-Reset, accepts array headers, rejects negatives', () => {
    expect(readRetryAfterMs({ 'x-ratelimit-reset': '0.2', 'retry-after': '9' })).toBe(200);
    expect(readRetryAfterMs({ 'x-ratelimit-reset': ['2', '5'] })).toBe(2000);
    expect(readRetryAfterMs({ 'x-ratelimit-reset': '-1' })).toBeNull();
  });
});

describe('AmbiguousCreateError', () => {
  it('carries the key name, start time and cause, and is itself an API error', () => {
    const cause = new ApiTimeoutError({ method: 'POST', route: ROUTE }, 10_000);
    const startedAt = new Date('2026-03-01T10:00:00Z');
    const error = new AmbiguousCreateError({ keyName: 'etl-writer', startedAt, cause });
    expect(error).toBeInstanceOf(ClickHouseApiError);
    expect(error).toMatchObject({
      keyName: 'etl-writer',
      startedAt,
      createdKeyId: null,
      status: undefined,
      route: ROUTE,
    });
    expect(error.name).toBe('AmbiguousCreateError');
    expect(error.cause).toBe(cause);
    expect(error.message).toContain('"etl-writer"');
    expect(error.message).toContain(`timed out after 10000 ms on POST ${ROUTE}`);
  });
});
