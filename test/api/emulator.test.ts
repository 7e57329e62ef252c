import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../dev/emulator/server.js';
import { ClickHouseCloudClient, type ClickHouseCloudClientOptions } from '../../src/api/client.js';
import {
  AmbiguousCreateError,
  ApiConnectionError,
  InternalServerError,
  InvalidResponseError,
  NotFoundError,
} from '../../src/core/api-errors.js';
import { Secret } from '../../src/core/secret.js';
import { loadOpenApiContract } from '../support/openapi.js';
import { requirement } from '../support/requirements.js';

/** On a clone without `../shared/ref` the exchanges are not checked against the spec (required in CI). */
const contract = requirement(loadOpenApiContract(), '../shared/ref/clickhouse-cloud-openapi.json not found');

let emulator: Emulator | undefined;

afterEach(async () => {
  if (emulator !== undefined && contract !== null) {
    // Whatever the client sent must fit the official request schemas (undeclared fields rejected).
    for (const exchange of emulator.requests) {
      if (exchange.body === undefined) continue;
      const template = contract.matchPath(exchange.method, exchange.path);
      expect(template).not.toBeNull();
      expect(contract.validateRequestBody(exchange.method, template!, exchange.body)).toEqual([]);
    }
  }
  await emulator?.close();
  emulator = undefined;
});

async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  emulator = await startEmulator(options);
  return emulator;
}

function clientFor(
  em: Emulator,
  overrides: Partial<ClickHouseCloudClientOptions> = {},
): ClickHouseCloudClient {
  return new ClickHouseCloudClient({
    baseUrl: em.url,
    keyId: em.adminKey.keyId,
    keySecret: new Secret(em.adminKey.keySecret),
    sleep: async () => {}, // backoffs instantly; 429 waits still honour the server's reset
    ...overrides,
  });
}

const ANYWHERE = [{ source: '0.0.0.0/0', description: 'anywhere' }];

describe('against the emulator', () => {
  it('acceptance: 50 concurrent mixed calls under the documented 10 per 10 s limit, all answered, no 429', async () => {
    const em = await start({ rateLimit: true, latencyMs: 20 });
    const seeded = Array.from(
      { length: 20 },
      (_, i) => em.addKey({ name: `seed-${i}`, roles: ['developer'] }).key,
    );
    const client = clientFor(em); // default limit (10 per 10 s) and organization discovery

    const calls = Array.from({ length: 50 }, (_, i) =>
      i % 5 === 2
        ? client.listKeys().then((keys) => ({ kind: 'list' as const, i, keys }))
        : client.getKey(seeded[i % 20]!.id).then((key) => ({ kind: 'get' as const, i, key })),
    );
    const results = await Promise.all(calls);

    const expectedIds = em
      .keys()
      .map((key) => key.id)
      .sort();
    for (const result of results) {
      if (result.kind === 'list') {
        expect(result.keys.map((key) => key.id).sort()).toEqual(expectedIds);
      } else {
        const want = seeded[result.i % 20]!;
        expect(result.key).toMatchObject({ id: want.id, name: want.name, state: 'enabled' });
      }
    }
    expect(results).toHaveLength(50);
    expect(em.maxRequestsInWindow(10_000)).toBeLessThanOrEqual(10);
    expect(em.requests.filter((request) => request.status === 429)).toEqual([]);
    expect(client.stats.rateLimited).toBe(0);
  });

  it('keeps under a server limit with uncoalescable traffic (the limiter, not the cache, does the work)', async () => {
    const limit = { requests: 5, windowMs: 1_000 };
    const em = await start({ rateLimit: limit });
    const ids = Array.from({ length: 12 }, (_, i) => em.addKey({ name: `k-${i}` }).key.id);
    const client = clientFor(em, { organizationId: em.organizationId, rateLimit: limit });

    for (const id of ids) await expect(client.getKey(id)).resolves.toMatchObject({ id });

    expect(em.requests).toHaveLength(12);
    expect(em.requests.every((request) => request.status === 200)).toBe(true);
    expect(em.maxRequestsInWindow(1_000)).toBeLessThanOrEqual(5);
  });

  it('create, get, update (set and clear expiry), disable and delete round trip; the secret authenticates', async () => {
    const em = await start();
    const client = clientFor(em);
    const expireAt = new Date(Date.now() + 7 * 86_400_000).toISOString();

    const created = await client.createKey({
      name: 'round-trip',
      expireAt,
      roles: ['developer'],
      ipAccessList: ANYWHERE,
    });
    expect(created.key).toMatchObject({
      name: 'round-trip',
      state: 'enabled',
      keySuffix: created.keyId.slice(-4),
    });
    expect(em.keys().map((key) => key.id)).toContain(created.key.id);

    // The shown-once secret is the real one: it authenticates as the new key.
    const asNewKey = clientFor(em, { keyId: created.keyId, keySecret: created.keySecret });
    await expect(asNewKey.organizationId()).resolves.toBe(em.organizationId);

    const { usedAt: _, ...unchanged } = created.key; // the login above just set usedAt
    await expect(client.getKey(created.key.id)).resolves.toMatchObject(unchanged);
    const renamed = await client.updateKey(created.key.id, { name: 'round-trip-2' });
    expect(renamed).toMatchObject({ name: 'round-trip-2' });
    expect(Date.parse(renamed.expireAt ?? '')).toBe(Date.parse(expireAt)); // omitted: kept
    const cleared = await client.updateKey(created.key.id, { expireAt: null });
    expect(cleared.expireAt).toBeNull();
    expect(em.keys().find((key) => key.id === created.key.id)?.expireAt ?? null).toBeNull();
    await expect(client.updateKey(created.key.id, { state: 'disabled' })).resolves.toMatchObject({
      state: 'disabled',
    });
    expect((await client.listKeys()).find((key) => key.id === created.key.id)?.state).toBe('disabled');

    await expect(client.deleteKey(created.key.id)).resolves.toMatchObject({ requestId: expect.any(String) });
    expect(em.keys().map((key) => key.id)).not.toContain(created.key.id);
    expect((await client.listKeys()).map((key) => key.id)).not.toContain(created.key.id);
    await expect(client.getKey(created.key.id)).rejects.toBeInstanceOf(NotFoundError);

    const patches = em.requests
      .filter((request) => request.method === 'PATCH')
      .map((request) => request.body);
    expect(patches).toEqual([{ name: 'round-trip-2' }, { expireAt: null }, { state: 'disabled' }]);
  });

  it('finds its own key by suffix', async () => {
    const em = await start();
    await expect(clientFor(em).findOwnKey()).resolves.toMatchObject({ id: em.adminKey.id });
  });

  it.each([
    ['status500', InternalServerError],
    ['drop', ApiConnectionError],
  ] as const)(
    'createThenFail(%s) → AmbiguousCreateError after one request; the caller can settle it',
    async (mode, CauseClass) => {
      const em = await start();
      const client = clientFor(em);
      const before = Date.now();
      em.createThenFail(1, mode);

      const error = await client
        .createKey({ name: 'lost-secret', expireAt: null, roles: ['developer'], ipAccessList: ANYWHERE })
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(AmbiguousCreateError);
      const ambiguous = error as AmbiguousCreateError;
      expect(ambiguous.cause).toBeInstanceOf(CauseClass);
      expect(ambiguous.keyName).toBe('lost-secret');
      expect(ambiguous.startedAt.getTime()).toBeGreaterThanOrEqual(before);
      expect(em.requests.filter((request) => request.route === 'createKey')).toHaveLength(1);

      // Settling as the workflow will: the key exists, its secret is gone, so delete it.
      const orphan = (await client.listKeys()).find((key) => key.name === ambiguous.keyName);
      expect(orphan).toBeDefined();
      await client.deleteKey(orphan!.id);
      expect(em.keys().some((key) => key.name === 'lost-secret')).toBe(false);
    },
  );

  it('a create answered with garbage is ambiguous too', async () => {
    const em = await start();
    em.garbageNext('createKey', 1, 'non-json');
    const error = await clientFor(em)
      .createKey({ name: 'garbled', expireAt: null, roles: ['developer'], ipAccessList: ANYWHERE })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmbiguousCreateError);
    expect((error as Error).cause).toBeInstanceOf(InvalidResponseError);
    expect(em.keys().some((key) => key.name === 'garbled')).toBe(true);
  });

  it('a list answered with wrong types is an InvalidResponseError, not a crash', async () => {
    const em = await start();
    em.garbageNext('listKeys', 1, 'wrong-types');
    await expect(clientFor(em).listKeys()).rejects.toBeInstanceOf(InvalidResponseError);
  });

  it('waits out an injected 429 (X-RateLimit-Reset 0.2 s) and then succeeds, for reads and creates', async () => {
    const em = await start();
    const client = clientFor(em);
    em.failNext('listKeys', 1, 429, { resetSeconds: 0.2 });
    em.failNext('createKey', 1, 429, { resetSeconds: 0.2 });

    await expect(client.listKeys()).resolves.toHaveLength(1);
    const created = await client.createKey({
      name: 'after-429',
      expireAt: null,
      roles: ['developer'],
      ipAccessList: ANYWHERE,
    });

    expect(em.keys().filter((key) => key.name === 'after-429')).toHaveLength(1);
    expect(created.key.name).toBe('after-429');
    const statuses = em.requests
      .filter((r) => r.route !== 'listOrganizations')
      .map((r) => [r.route, r.status]);
    expect(statuses).toEqual([
      ['listKeys', 429],
      ['listKeys', 200],
      ['createKey', 429],
      ['createKey', 200],
    ]);
    const [first429, retry] = em.requests.filter((r) => r.route === 'listKeys');
    expect(retry!.at - first429!.at).toBeGreaterThanOrEqual(190);
    expect(client.stats.rateLimited).toBe(2);
  });

  it('retries reads through 503s and a stalled body', async () => {
    const em = await start();
    const client = clientFor(em, { timeoutMs: 400 });
    const { key } = em.addKey({ name: 'flaky' });
    em.failNext('getKey', 2, 503);
    em.garbageNext('listKeys', 1, 'trickle');

    await expect(client.getKey(key.id)).resolves.toMatchObject({ id: key.id });
    await expect(client.listKeys()).resolves.toHaveLength(2);
    expect(client.stats.retries).toBe(3);
  });

  it('never logs the new secret, even at trace level', async () => {
    const em = await start();
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, { write: (line: string) => lines.push(line) });
    const client = clientFor(em, { logger });

    const created = await client.createKey({
      name: 'logged',
      expireAt: null,
      roles: ['admin'],
      ipAccessList: ANYWHERE,
    });
    em.createThenFail(1);
    const failure = await client
      .createKey({ name: 'logged-2', expireAt: null, roles: ['admin'], ipAccessList: ANYWHERE })
      .catch((e: unknown) => e);
    logger.error({ err: failure, created }, 'done');

    const secret = created.keySecret.reveal();
    expect(secret.length).toBeGreaterThan(8);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) {
      expect(line).not.toContain(secret);
      expect(line).not.toContain(em.adminKey.keySecret);
    }
    expect(String(failure)).not.toContain(em.adminKey.keySecret);
  });
});
