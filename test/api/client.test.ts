import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AmbiguousCreateError,
  ApiConnectionError,
  ApiTimeoutError,
  AuthenticationError,
  BadRequestError,
  ClickHouseApiError,
  InternalServerError,
  InvalidResponseError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from '../../src/core/api-errors.js';
import { isKeyhouseError } from '../../src/core/errors.js';
import {
  apiKey,
  BOT_KEY_ID,
  BOT_SECRET,
  JSON_HEADERS,
  jsonBody,
  KEYS_PATH,
  type MockSetup,
  mockClient,
  mockClientPerTest,
  ORG_ID,
  ok,
} from './fixtures.js';

const use = mockClientPerTest();

const CREATE_INPUT = {
  name: 'etl-writer',
  expireAt: '2026-06-01T00:00:00Z',
  roles: ['developer' as const],
  ipAccessList: [{ source: '10.0.0.0/8', description: 'office' }],
};

function createdResult(name = CREATE_INPUT.name) {
  return {
    key: apiKey({ name, keySuffix: 'WXYZ' }),
    keyId: 'NEWKEYIDxyzWXYZ',
    keySecret: 'new-secret-value-123456',
  };
}

describe('requests and envelopes', () => {
  it('sends Basic auth, JSON headers and a User-Agent, and unwraps the envelope', async () => {
    const { pool, client, calls } = use();
    const key = apiKey();
    pool.intercept({ path: KEYS_PATH, method: 'GET' }).reply(200, ok([key]), { headers: JSON_HEADERS });

    const keys = await client.listKeys();

    expect(keys).toEqual([key]);
    const [call] = calls();
    const expected = `Basic ${Buffer.from(`${BOT_KEY_ID}:${BOT_SECRET}`).toString('base64')}`;
    expect(call?.headers).toMatchObject({ authorization: expected, accept: 'application/json' });
    expect(String(call?.headers?.['user-agent'])).toMatch(/^keyhouse/);
    expect(client.stats).toEqual({
      requests: 1,
      byRoute: { listKeys: 1 },
      rateLimited: 0,
      retries: 0,
      urgent: { sent: 0, mostAheadByOneOwner: 0 },
    });
  });

  it('parses tolerantly: missing optional fields become null, [] or the API default', async () => {
    const { pool, client } = use();
    const id = randomUUID();
    pool
      .intercept({ path: KEYS_PATH, method: 'GET' })
      .reply(
        200,
        ok([{ id, name: 'bare', expireAt: '', ipAccessList: [{ source: '1.2.3.4', description: null }] }]),
      );

    const [key] = await client.listKeys();

    expect(key).toEqual({
      id,
      name: 'bare',
      state: 'enabled',
      roles: [],
      assignedRoles: [],
      keySuffix: '',
      createdAt: null,
      expireAt: null,
      usedAt: null,
      ipAccessList: [{ source: '1.2.3.4' }],
    });
  });

  it('reports an unknown key state as disabled and an unknown role type as custom', async () => {
    const { pool, client } = use();
    pool.intercept({ path: KEYS_PATH, method: 'GET' }).reply(
      200,
      ok([
        apiKey({
          state: 'suspended',
          assignedRoles: [{ roleId: randomUUID(), roleName: 'X', roleType: 'future' }],
        }),
      ]),
    );
    const [key] = await client.listKeys();
    expect(key?.state).toBe('disabled');
    expect(key?.assignedRoles[0]?.roleType).toBe('custom');
  });

  it('turns a key without an id into an InvalidResponseError naming the path, not the values', async () => {
    const { pool, client } = use();
    const requestId = randomUUID();
    pool
      .intercept({ path: KEYS_PATH, method: 'GET' })
      .reply(200, ok([apiKey(), { name: 'no-id' }], requestId));

    const error = await client.listKeys().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({ status: 200, requestId, method: 'GET' });
    expect((error as Error).message).toContain('result.1.id: invalid_type');
    expect((error as Error).message).not.toContain('no-id');
  });

  it('sets aside an activity that does not parse, by where and what was wrong, and reads the rest', async () => {
    const { pool, client } = use();
    const good = (id: string, createdAt: string) => ({
      id,
      createdAt,
      type: 'key_create',
      actorType: 'user',
    });
    const broken = {
      createdAt: '2026-05-01T10:02:00Z',
      type: 'key_delete',
      actorDetails: 'mallory@example.com',
    };
    pool
      .intercept({ path: `/v1/organizations/${ORG_ID}/activities`, method: 'GET' })
      .reply(
        200,
        ok([
          good('a1', '2026-05-01T10:01:00Z'),
          broken,
          { id: 'a3', createdAt: 'yesterday', type: 'key_create' },
          good('a4', '2026-05-01T10:04:00Z'),
        ]),
      );

    const listed = await client.listActivities();

    expect(listed.activities.map((a) => a.id)).toEqual(['a1', 'a4']);
    expect(listed.malformed).toEqual([
      {
        index: 1,
        createdAt: '2026-05-01T10:02:00Z',
        problems: 'id: invalid_type',
        digest: expect.any(String),
      },
      { index: 2, createdAt: null, problems: 'createdAt: custom', digest: expect.any(String) },
    ]);
    expect(listed.malformed[0]?.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(listed.malformed)).not.toMatch(/mallory|yesterday|key_delete/);
  });

  it.each([
    ['a non-JSON body', 'Service Unavailable, try again'],
    ['a JSON array instead of an envelope', '[1,2,3]'],
    ['an envelope without result', JSON.stringify({ status: 200, requestId: randomUUID() })],
    ['a truncated body', '{"status":200,"result":[{"id":'],
  ])('rejects %s on a 2xx without crashing', async (_, body) => {
    const { pool, client } = use();
    pool.intercept({ path: KEYS_PATH, method: 'GET' }).reply(200, body);
    await expect(client.listKeys()).rejects.toBeInstanceOf(InvalidResponseError);
    expect(client.stats.requests).toBe(1); // an unusable answer is not retried
  });

  it('refuses ids that are not UUIDs before sending anything', async () => {
    const { client, calls } = use();
    for (const id of ['../../organizations', 'ABCDEFGHIJKLMNOPQ', '']) {
      await expect(client.getKey(id)).rejects.toSatisfy((e) => isKeyhouseError(e, 'invalid_input'));
      await expect(client.deleteKey(id)).rejects.toSatisfy((e) => isKeyhouseError(e, 'invalid_input'));
      await expect(client.updateKey(id, { name: 'x' })).rejects.toSatisfy((e) =>
        isKeyhouseError(e, 'invalid_input'),
      );
    }
    expect(calls()).toHaveLength(0);
  });

  it('rejects bad configuration at construction', () => {
    expect(() => mockClient({ baseUrl: 'https://api.clickhouse.cloud/v1' })).toThrow(/without \/v1/);
    expect(() => mockClient({ baseUrl: 'not a url' })).toThrow(/not a URL/);
    expect(() => mockClient({ organizationId: 'my-org' })).toThrow(/UUID/);
  });
});

describe('errors from responses', () => {
  it.each([
    [400, BadRequestError, { status: 400, error: 'BAD_REQUEST: invalid expireAt', requestId: randomUUID() }],
    [401, AuthenticationError, { status: 401, error: 'UNAUTHORIZED: Key is not found' }],
    [403, PermissionDeniedError, { status: 403, error: 'FORBIDDEN: no', requestId: randomUUID() }],
    [404, NotFoundError, { status: 404, error: 'NOT_FOUND: key', requestId: randomUUID() }],
    [429, RateLimitError, { error: 'TOO_MANY_REQUESTS' }],
    [500, InternalServerError, { status: 500, error: 'INTERNAL_SERVER_ERROR: x', requestId: randomUUID() }],
  ])('%i becomes %o with the status, requestId and server message', async (status, ErrorClass, body) => {
    const { pool, client } = use({ retry: { maxAttempts: 1 } });
    pool.intercept({ path: KEYS_PATH, method: 'GET' }).reply(status, body);

    const error = await client.listKeys().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toMatchObject({
      status,
      requestId: (body as { requestId?: string }).requestId ?? null,
      serverMessage: body.error,
      route: '/v1/organizations/{organizationId}/keys',
    });
    expect((error as Error).message).not.toContain(ORG_ID); // the template, not the concrete path
  });

  it('a non-JSON error body becomes the message excerpt', async () => {
    const { pool, client } = use({ retry: { maxAttempts: 1 } });
    pool.intercept({ path: KEYS_PATH, method: 'GET' }).reply(502, '<h1>Bad Gateway</h1>');
    const error = await client.listKeys().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ status: 502, serverMessage: '<h1>Bad Gateway</h1>', requestId: null });
  });
});

describe('retries', () => {
  it('retries a GET after a 500 with jittered exponential backoff, then succeeds', async () => {
    const { pool, client, sleeps } = use();
    pool
      .intercept({ path: KEYS_PATH, method: 'GET' })
      .reply(500, { status: 500, error: 'INTERNAL: x' })
      .times(2);
    pool.intercept({ path: KEYS_PATH, method: 'GET' }).reply(200, ok([]));

    await expect(client.listKeys()).resolves.toEqual([]);

    expect(client.stats).toMatchObject({ requests: 3, retries: 2 });
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(250);
    expect(sleeps[0]).toBeLessThanOrEqual(500);
    expect(sleeps[1]).toBeGreaterThanOrEqual(500);
    expect(sleeps[1]).toBeLessThanOrEqual(1000);
  });

  it('gives up after maxAttempts and caps the backoff at maxDelayMs', async () => {
    const { pool, client, sleeps } = use({ retry: { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 1500 } });
    pool.intercept({ path: KEYS_PATH, method: 'GET' }).reply(503, 'unavailable').times(5);
    await expect(client.listKeys()).rejects.toBeInstanceOf(InternalServerError);
    expect(client.stats.requests).toBe(5);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(1500);
  });

  it('retries a GET that timed out', async () => {
    const { pool, client } = use({ timeoutMs: 50 });
    pool.intercept({ path: KEYS_PATH, method: 'GET' }).reply(200, ok([])).delay(1_000);
    pool.intercept({ path: KEYS_PATH, method: 'GET' }).reply(200, ok([apiKey()]));
    await expect(client.listKeys()).resolves.toHaveLength(1);
    expect(client.stats.retries).toBe(1);
  });

  it('does not retry other 4xx', async () => {
    const { pool, client } = use();
    pool.intercept({ path: KEYS_PATH, method: 'GET' }).reply(403, { status: 403, error: 'FORBIDDEN: no' });
    await expect(client.listKeys()).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(client.stats.requests).toBe(1);
  });

  it('never resends a create the server may have processed: 500 → AmbiguousCreateError after one request', async () => {
    const now = Date.parse('2026-05-05T12:00:00Z');
    const { pool, client, calls } = use({ now: () => now });
    pool
      .intercept({ path: KEYS_PATH, method: 'POST' })
      .reply(500, { status: 500, error: 'INTERNAL: boom', requestId: 'r-1' });

    const error = await client.createKey(CREATE_INPUT).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AmbiguousCreateError);
    expect(error).toMatchObject({
      keyName: 'etl-writer',
      startedAt: new Date(now),
      status: 500,
      requestId: 'r-1',
    });
    expect((error as Error).cause).toBeInstanceOf(InternalServerError);
    expect(calls()).toHaveLength(1);
  });

  it.each([
    ['a timeout', ApiTimeoutError],
    ['a reset connection', ApiConnectionError],
    ['an unparseable 2xx', InvalidResponseError],
    ['a 2xx without the secret', InvalidResponseError],
  ])('a create ending in %s is ambiguous and sent once', async (kind, CauseClass) => {
    const { pool, client, calls } = use({ timeoutMs: 50 });
    const scope = pool.intercept({ path: KEYS_PATH, method: 'POST' });
    const created = createdResult();
    if (kind === 'a timeout') scope.reply(200, ok(created)).delay(1_000);
    else if (kind === 'a reset connection')
      scope.replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    else if (kind === 'an unparseable 2xx') scope.reply(200, '{"status":200,"result":{"key":');
    else scope.reply(200, ok({ key: created.key, keyId: created.keyId }));

    const error = await client.createKey(CREATE_INPUT).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AmbiguousCreateError);
    expect((error as Error).cause).toBeInstanceOf(CauseClass);
    expect(calls()).toHaveLength(1);
    if (kind === 'a 2xx without the secret')
      expect((error as AmbiguousCreateError).createdKeyId).toBe(created.key.id);
  });

  it('retries a create whose connection was refused (it never reached the server)', async () => {
    const { pool, client } = use();
    pool
      .intercept({ path: KEYS_PATH, method: 'POST' })
      .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    pool.intercept({ path: KEYS_PATH, method: 'POST' }).reply(200, ok(createdResult()));
    await expect(client.createKey(CREATE_INPUT)).resolves.toMatchObject({ keyId: 'NEWKEYIDxyzWXYZ' });
    expect(client.stats.requests).toBe(2);
  });

  it('a create answered 400 is a plain BadRequestError, not ambiguous', async () => {
    const { pool, client } = use();
    pool
      .intercept({ path: KEYS_PATH, method: 'POST' })
      .reply(400, { status: 400, error: 'BAD_REQUEST: name taken' });
    const error = await client.createKey(CREATE_INPUT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).not.toBeInstanceOf(AmbiguousCreateError);
  });

  it('retries a 429 on POST after X-RateLimit-Reset (it was not processed)', async () => {
    const { pool, client, calls } = use();
    pool
      .intercept({ path: KEYS_PATH, method: 'POST' })
      .reply(429, { error: 'TOO_MANY_REQUESTS' }, { headers: { 'x-ratelimit-reset': '0.2' } });
    pool.intercept({ path: KEYS_PATH, method: 'POST' }).reply(200, ok(createdResult()));

    const started = performance.now();
    const created = await client.createKey(CREATE_INPUT);

    expect(performance.now() - started).toBeGreaterThanOrEqual(200);
    expect(created.keySecret.reveal()).toBe('new-secret-value-123456');
    expect(calls()).toHaveLength(2);
    expect(client.stats).toMatchObject({ rateLimited: 1, retries: 1 });
  });

  it('gives up on a 429 whose reset exceeds maxRateLimitWaitMs, without waiting', async () => {
    const { pool, client } = use({ retry: { maxRateLimitWaitMs: 5_000 } });
    pool
      .intercept({ path: KEYS_PATH, method: 'GET' })
      .reply(429, { error: 'TOO_MANY_REQUESTS' }, { headers: { 'x-ratelimit-reset': '30' } });
    const error = await client.listKeys().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(30_000);
    expect(client.stats.requests).toBe(1);
  });

  it('counts 429 retries as attempts', async () => {
    const { pool, client } = use({ retry: { maxAttempts: 2 } });
    pool
      .intercept({ path: KEYS_PATH, method: 'GET' })
      .reply(429, { error: 'TOO_MANY_REQUESTS' }, { headers: { 'x-ratelimit-reset': '0.01' } })
      .times(2);
    await expect(client.listKeys()).rejects.toBeInstanceOf(RateLimitError);
    expect(client.stats).toMatchObject({ requests: 2, rateLimited: 2 });
  });

  it('retries a PATCH on 503 and a DELETE on timeout', async () => {
    const { pool, client } = use({ timeoutMs: 50 });
    const key = apiKey();
    const path = `${KEYS_PATH}/${key.id}`;
    pool.intercept({ path, method: 'PATCH' }).reply(503, 'busy');
    pool.intercept({ path, method: 'PATCH' }).reply(200, ok({ ...key, name: 'renamed' }));
    pool.intercept({ path, method: 'DELETE' }).reply(200, ok()).delay(1_000);
    pool.intercept({ path, method: 'DELETE' }).reply(200, ok(undefined, 'del-1'));

    await expect(client.updateKey(String(key.id), { name: 'renamed' })).resolves.toMatchObject({
      name: 'renamed',
    });
    await expect(client.deleteKey(String(key.id))).resolves.toEqual({ requestId: 'del-1' });
    expect(client.stats.retries).toBe(2);
  });

  it('counts a DELETE retried after a 5xx and answered 404 as done', async () => {
    const { pool, client } = use();
    const id = randomUUID();
    pool.intercept({ path: `${KEYS_PATH}/${id}`, method: 'DELETE' }).reply(502, 'bad gateway');
    pool
      .intercept({ path: `${KEYS_PATH}/${id}`, method: 'DELETE' })
      .reply(404, { status: 404, error: 'NOT_FOUND', requestId: 'r-404' });
    await expect(client.deleteKey(id)).resolves.toEqual({ requestId: 'r-404' });
  });

  it('a DELETE answered 404 at once is a NotFoundError', async () => {
    const { pool, client } = use();
    const id = randomUUID();
    pool
      .intercept({ path: `${KEYS_PATH}/${id}`, method: 'DELETE' })
      .reply(404, { status: 404, error: 'NOT_FOUND: key' });
    await expect(client.deleteKey(id)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('request bodies', () => {
  it('creates with exactly the given fields and wraps the secret', async () => {
    const { pool, client, calls } = use();
    pool.intercept({ path: KEYS_PATH, method: 'POST' }).reply(200, ok(createdResult(), 'req-create'));

    const created = await client.createKey({ ...CREATE_INPUT, expireAt: null, state: 'disabled' });

    expect(jsonBody(calls()[0])).toEqual({
      name: 'etl-writer',
      expireAt: null,
      state: 'disabled',
      roles: ['developer'],
      ipAccessList: [{ source: '10.0.0.0/8', description: 'office' }],
    });
    expect(calls()[0]?.headers?.['content-type']).toBe('application/json; charset=utf-8');
    expect(created).toMatchObject({
      keyId: 'NEWKEYIDxyzWXYZ',
      requestId: 'req-create',
      key: { name: 'etl-writer' },
    });
    expect(String(created.keySecret)).toBe('[redacted secret]');
    expect(JSON.stringify(created)).not.toContain('new-secret-value-123456');
  });

  it('PATCH sends expireAt: null to clear and omits it to keep', async () => {
    const { pool, client, calls } = use();
    const key = apiKey();
    const path = `${KEYS_PATH}/${key.id}`;
    pool.intercept({ path, method: 'PATCH' }).reply(200, ok(key)).times(3);

    await client.updateKey(String(key.id), { expireAt: null });
    await client.updateKey(String(key.id), { state: 'disabled' });
    await client.updateKey(String(key.id), { expireAt: '2026-09-01T00:00:00+02:00', expireAt2: 1 } as never);

    const [clear, keep, set] = calls().map(jsonBody);
    expect(clear).toEqual({ expireAt: null });
    expect(keep).toEqual({ state: 'disabled' });
    expect(keep && 'expireAt' in keep).toBe(false);
    expect(set).toEqual({ expireAt: '2026-09-01T00:00:00+02:00' });
  });

  it.each([
    [
      'create with an empty ipAccessList',
      (c: MockSetup['client']) => c.createKey({ ...CREATE_INPUT, ipAccessList: [] }),
    ],
    [
      'patch with an empty ipAccessList',
      (c: MockSetup['client']) => c.updateKey(randomUUID(), { ipAccessList: [] }),
    ],
    [
      'both roles and assignedRoleIds',
      (c: MockSetup['client']) => c.createKey({ ...CREATE_INPUT, assignedRoleIds: [randomUUID()] }),
    ],
    ['an empty patch', (c: MockSetup['client']) => c.updateKey(randomUUID(), {})],
    [
      'a date without a zone',
      (c: MockSetup['client']) => c.createKey({ ...CREATE_INPUT, expireAt: '2026-06-01T00:00:00' }),
    ],
    ['a blank name', (c: MockSetup['client']) => c.createKey({ ...CREATE_INPUT, name: '  ' })],
    [
      'an assigned role id that is not a UUID',
      (c: MockSetup['client']) => c.updateKey(randomUUID(), { assignedRoleIds: ['Admin'] }),
    ],
  ])('refuses %s before sending', async (_, act) => {
    const { client, calls } = use();
    await expect(act(client)).rejects.toSatisfy(
      (e) => isKeyhouseError(e, 'invalid_input') && !(e instanceof ClickHouseApiError),
    );
    expect(calls()).toHaveLength(0);
  });
});

describe('coalescing and caching', () => {
  it('10 concurrent listKeys share one request', async () => {
    const { pool, client } = use();
    pool
      .intercept({ path: KEYS_PATH, method: 'GET' })
      .reply(200, ok([apiKey(), apiKey()]))
      .delay(30);

    const results = await Promise.all(Array.from({ length: 10 }, () => client.listKeys()));

    expect(client.stats.requests).toBe(1);
    for (const result of results) expect(result).toEqual(results[0]);
    // Callers share the cached list, frozen: nobody can edit it under the others.
    expect(() => results[0]?.pop()).toThrow(TypeError);
    expect(() => {
      (results[0]![0] as { name: string }).name = 'changed';
    }).toThrow(TypeError);
    expect(results[1]).toHaveLength(2);
  });

  it('concurrent gets of one id share one GET; gets of many ids share one list', async () => {
    const { pool, client } = use();
    const keys = Array.from({ length: 20 }, () => apiKey());
    const first = keys[0]!;
    pool
      .intercept({ path: `${KEYS_PATH}/${first.id}`, method: 'GET' })
      .reply(200, ok(first))
      .delay(30);
    const same = await Promise.all(Array.from({ length: 5 }, () => client.getKey(String(first.id))));
    expect(same.every((key) => key.id === first.id)).toBe(true);
    expect(client.stats.byRoute).toEqual({ getKey: 1 });

    pool
      .intercept({ path: `${KEYS_PATH}/${keys[1]!.id}`, method: 'GET' })
      .reply(200, ok(keys[1]))
      .delay(30);
    pool.intercept({ path: KEYS_PATH, method: 'GET' }).reply(200, ok(keys)).delay(30);
    const many = await Promise.all(keys.slice(1).map((key) => client.getKey(String(key.id))));
    expect(many.map((key) => key.id)).toEqual(keys.slice(1).map((key) => key.id));
    expect(client.stats.byRoute).toEqual({ getKey: 2, listKeys: 1 });
  });

  it('caches the list for keyListTtlMs and serves getKey from it; fresh bypasses the cache', async () => {
    let now = 1_000_000;
    const { pool, client } = use({ now: () => now, keyListTtlMs: 5_000 });
    const key = apiKey();
    pool
      .intercept({ path: KEYS_PATH, method: 'GET' })
      .reply(200, ok([key]))
      .times(3);

    await client.listKeys();
    now += 4_000;
    await client.listKeys();
    await expect(client.getKey(String(key.id))).resolves.toEqual(key);
    expect(client.stats.requests).toBe(1);

    await Promise.all([client.listKeys({ fresh: true }), client.listKeys({ fresh: true })]);
    expect(client.stats.requests).toBe(2);

    now += 5_001;
    await client.listKeys();
    expect(client.stats.requests).toBe(3);
  });

  it('a refresh that finds the same keys hands out the list it held (what was made from it still holds)', async () => {
    let now = 1_000_000;
    const { pool, client } = use({ now: () => now, keyListTtlMs: 5_000, keyListStaleMs: 0 });
    const key = apiKey();
    pool
      .intercept({ path: KEYS_PATH, method: 'GET' })
      .reply(200, ok([key]))
      .times(2);
    pool.intercept({ path: KEYS_PATH, method: 'GET' }).reply(200, ok([{ ...key, name: 'renamed' }]));

    const first = await client.listKeys();
    now += 5_001;
    expect(await client.listKeys()).toBe(first);
    expect(client.stats.requests).toBe(2);
    now += 5_001;
    const changed = await client.listKeys();
    expect(changed).not.toBe(first);
    expect(changed[0]?.name).toBe('renamed');
    expect(client.stats.requests).toBe(3);
  });

  it('past its TTL, a recent list answers at once while one background refresh replaces it', async () => {
    let now = 1_000_000;
    const { pool, client } = use({ now: () => now, keyListTtlMs: 5_000, keyListStaleMs: 10_000 });
    const [first, second] = [apiKey(), apiKey()];
    pool.intercept({ path: KEYS_PATH, method: 'GET' }).reply(200, ok([first]));
    pool
      .intercept({ path: KEYS_PATH, method: 'GET' })
      .reply(200, ok([first, second]))
      .delay(50);
    pool.intercept({ path: KEYS_PATH, method: 'GET' }).reply(200, ok([second]));

    await client.listKeys();
    now += 6_000; // stale, within the window
    const during = await Promise.all(Array.from({ length: 5 }, () => client.listKeys()));
    for (const keys of during) expect(keys.map((k) => k.id)).toEqual([first.id]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(client.stats.requests).toBe(2); // one refresh for all five
    expect((await client.listKeys()).map((k) => k.id)).toEqual([first.id, second.id]);

    now += 5_000 + 10_000 + 1; // too old even to serve stale: wait for ClickHouse
    expect((await client.listKeys()).map((k) => k.id)).toEqual([second.id]);
    expect(client.stats.requests).toBe(3);
  });

  it('a key missing from the cached list is asked for by id (authoritative 404)', async () => {
    const { pool, client } = use();
    const missing = randomUUID();
    pool.intercept({ path: KEYS_PATH, method: 'GET' }).reply(200, ok([apiKey()]));
    pool
      .intercept({ path: `${KEYS_PATH}/${missing}`, method: 'GET' })
      .reply(404, { status: 404, error: 'NOT_FOUND: key' });
    await client.listKeys();
    await expect(client.getKey(missing)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('own writes show in the next list without another request', async () => {
    const { pool, client } = use();
    const existing = apiKey({ name: 'old' });
    const created = createdResult('brand-new');
    pool.intercept({ path: KEYS_PATH, method: 'GET' }).reply(200, ok([existing]));
    pool.intercept({ path: KEYS_PATH, method: 'POST' }).reply(200, ok(created));
    pool
      .intercept({ path: `${KEYS_PATH}/${existing.id}`, method: 'PATCH' })
      .reply(200, ok({ ...existing, state: 'disabled' }));
    pool.intercept({ path: `${KEYS_PATH}/${created.key.id}`, method: 'DELETE' }).reply(200, ok());

    await client.listKeys();
    await client.createKey({ ...CREATE_INPUT, name: 'brand-new' });
    expect((await client.listKeys()).map((key) => key.name)).toEqual(['old', 'brand-new']);
    await client.updateKey(String(existing.id), { state: 'disabled' });
    expect((await client.listKeys())[0]?.state).toBe('disabled');
    await client.deleteKey(String(created.key.id));
    expect((await client.listKeys()).map((key) => key.id)).toEqual([existing.id]);
    expect(client.stats.byRoute.listKeys).toBe(1);
  });

  it('a list in flight during a create is not shared with, or cached for, later readers', async () => {
    const { pool, client } = use();
    const created = createdResult();
    pool.intercept({ path: KEYS_PATH, method: 'GET' }).reply(200, ok([])).delay(100);
    pool.intercept({ path: KEYS_PATH, method: 'POST' }).reply(200, ok(created));
    pool.intercept({ path: KEYS_PATH, method: 'GET' }).reply(200, ok([created.key]));

    const stale = client.listKeys();
    await client.createKey(CREATE_INPUT);
    const after = await client.listKeys();

    expect(after.map((key) => key.id)).toEqual([created.key.id]);
    await expect(stale).resolves.toEqual([]);
    await expect(client.listKeys()).resolves.toHaveLength(1); // the stale answer did not overwrite the cache
    expect(client.stats.byRoute.listKeys).toBe(2);
  });

  it('an ambiguous create drops the cached list so the next read asks the server', async () => {
    const { pool, client } = use();
    pool.intercept({ path: KEYS_PATH, method: 'GET' }).reply(200, ok([])).times(2);
    pool.intercept({ path: KEYS_PATH, method: 'POST' }).reply(500, 'oops');
    await client.listKeys();
    await expect(client.createKey(CREATE_INPUT)).rejects.toBeInstanceOf(AmbiguousCreateError);
    await client.listKeys();
    expect(client.stats.byRoute.listKeys).toBe(2);
  });

  it('caches roles', async () => {
    const { pool, client } = use();
    const roles = [
      { id: randomUUID(), name: 'Admin', type: 'system', actors: [] },
      { id: randomUUID(), name: 'Readers', type: 'custom' },
    ];
    pool
      .intercept({ path: `/v1/organizations/${ORG_ID}/roles`, method: 'GET' })
      .reply(200, ok(roles))
      .delay(20);
    const [a, b] = await Promise.all([client.listRoles(), client.listRoles()]);
    await client.listRoles();
    expect(a.map(({ id, name, type, actors }) => ({ id, name, type, actors }))).toEqual(
      roles.map(({ id, name, type }) => ({ id, name, type, actors: [] })),
    );
    expect(b).toEqual(a);
    expect(client.stats.requests).toBe(1);
  });
});

describe('organization discovery and own key', () => {
  it('discovers the organization once for concurrent callers', async () => {
    const { pool, client } = use({ organizationId: undefined });
    const key = apiKey();
    pool
      .intercept({ path: '/v1/organizations', method: 'GET' })
      .reply(200, ok([{ id: ORG_ID, name: 'Acme', createdAt: '2025-01-01T00:00:00Z' }]))
      .delay(30);
    pool.intercept({ path: KEYS_PATH, method: 'GET' }).reply(200, ok([key]));

    const [orgA, orgB, keys, one] = await Promise.all([
      client.organizationId(),
      client.organizationId(),
      client.listKeys(),
      client.getKey(String(key.id)),
    ]);

    expect([orgA, orgB]).toEqual([ORG_ID, ORG_ID]);
    expect(keys).toEqual([key]);
    expect(one).toEqual(key);
    expect(client.stats.byRoute).toEqual({ listOrganizations: 1, listKeys: 1 });
    await expect(client.organizationId()).resolves.toBe(ORG_ID);
    expect(client.stats.requests).toBe(2);
  });

  it('does not remember a failed discovery', async () => {
    const { pool, client } = use({ organizationId: undefined });
    pool
      .intercept({ path: '/v1/organizations', method: 'GET' })
      .reply(401, { status: 401, error: 'UNAUTHORIZED: Key is not found' });
    pool
      .intercept({ path: '/v1/organizations', method: 'GET' })
      .reply(200, ok([{ id: ORG_ID, name: 'Acme' }]));
    await expect(client.organizationId()).rejects.toBeInstanceOf(AuthenticationError);
    await expect(client.organizationId()).resolves.toBe(ORG_ID);
  });

  it('finds its own key by suffix, returns null without a match, refuses to guess between several', async () => {
    const { pool, client } = use();
    const own = apiKey({ keySuffix: BOT_KEY_ID.slice(-4) });
    pool.intercept({ path: KEYS_PATH, method: 'GET' }).reply(200, ok([apiKey(), own]));
    pool.intercept({ path: KEYS_PATH, method: 'GET' }).reply(200, ok([apiKey()]));
    pool.intercept({ path: KEYS_PATH, method: 'GET' }).reply(200, ok([own, { ...own, id: randomUUID() }]));

    await expect(client.findOwnKey()).resolves.toEqual(own);
    await client.listKeys({ fresh: true });
    await expect(client.findOwnKey()).resolves.toBeNull();
    await client.listKeys({ fresh: true });
    await expect(client.findOwnKey()).rejects.toSatisfy((e) => isKeyhouseError(e, 'conflict'));
  });
});
