import { afterEach, describe, expect, it } from 'vitest';
import type { EmulatedKey, Emulator, EmulatorOptions } from '../../dev/emulator/server.js';
import { startEmulator } from '../../dev/emulator/server.js';
import { ManualClock } from '../support/clock.js';
import { basicAuth, call, orgPath, UUID_V4 } from './http.js';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  emulator = await startEmulator(options);
  return emulator;
}

const listOrgs = (emu: Emulator, as?: { keyId: string; keySecret: string }) =>
  call(emu, 'GET', '/v1/organizations', as ? { as } : {});

describe('rate limit', () => {
  it('allows the documented 10 requests per 10 s per key, then 429 with X-RateLimit-Reset', async () => {
    const clock = new ManualClock();
    const emu = await start({ clock, rateLimit: true });
    for (let i = 0; i < 10; i++) expect((await listOrgs(emu)).status).toBe(200);

    const limited = await listOrgs(emu);
    expect(limited.status).toBe(429);
    expect(limited.text).toBe('{"error":"TOO_MANY_REQUESTS"}');
    expect(limited.headers.get('x-ratelimit-reset')).toBe('10');

    clock.advance(2_500);
    expect((await listOrgs(emu)).headers.get('x-ratelimit-reset')).toBe('7.5');
    clock.advance(7_500);
    expect((await listOrgs(emu)).status).toBe(200);
  });

  it('counts per key: another key is not slowed by the first', async () => {
    const clock = new ManualClock();
    const emu = await start({ clock, rateLimit: { requests: 2, windowMs: 1_000 } });
    const other = emu.addKey({ name: 'other' });
    await listOrgs(emu);
    await listOrgs(emu);
    expect((await listOrgs(emu)).status).toBe(429);
    expect((await listOrgs(emu, other)).status).toBe(200);
  });

  it('does not let 429s consume the window, but records them', async () => {
    const clock = new ManualClock();
    const emu = await start({ clock, rateLimit: { requests: 2, windowMs: 1_000 } });
    await listOrgs(emu);
    await listOrgs(emu);
    for (let i = 0; i < 5; i++) {
      clock.advance(100);
      expect((await listOrgs(emu)).status).toBe(429);
    }
    clock.set(new Date(clock.now().getTime() + 500)); // exactly one window after the first two
    expect((await listOrgs(emu)).status).toBe(200);
    expect(emu.requests.map((request) => request.status)).toEqual([200, 200, 429, 429, 429, 429, 429, 200]);
  });

  it('slides: a slot frees when the oldest admitted request leaves the window', async () => {
    const clock = new ManualClock();
    const emu = await start({ clock, rateLimit: { requests: 2, windowMs: 1_000 } });
    await listOrgs(emu);
    clock.advance(600);
    await listOrgs(emu);
    clock.advance(300);
    const limited = await listOrgs(emu);
    expect(limited.headers.get('x-ratelimit-reset')).toBe('0.1');
    clock.advance(100);
    expect((await listOrgs(emu)).status).toBe(200);
    expect((await listOrgs(emu)).status).toBe(429);
  });

  it('can be switched on and off at runtime', async () => {
    const clock = new ManualClock();
    const emu = await start({ clock });
    for (let i = 0; i < 12; i++) expect((await listOrgs(emu)).status).toBe(200);
    emu.setRateLimit({ requests: 1, windowMs: 5_000 });
    expect((await listOrgs(emu)).status).toBe(200);
    expect((await listOrgs(emu)).status).toBe(429);
    emu.setRateLimit(false);
    expect((await listOrgs(emu)).status).toBe(200);
  });

  it('maxRequestsInWindow finds the busiest window over all requests', async () => {
    const clock = new ManualClock();
    const emu = await start({ clock });
    const stranger = { keyId: 'UNKNOWN', keySecret: 'x' };
    await listOrgs(emu);
    await listOrgs(emu);
    await listOrgs(emu, stranger); // a 401 still arrived
    clock.advance(500);
    await listOrgs(emu);
    await call(emu, 'GET', orgPath(emu, '/keys'));
    clock.advance(1_000);
    await listOrgs(emu);
    expect(emu.maxRequestsInWindow(1)).toBe(3);
    expect(emu.maxRequestsInWindow(1_000)).toBe(5);
    expect(emu.maxRequestsInWindow(1_500)).toBe(5);
    expect(emu.maxRequestsInWindow(1_501)).toBe(6);
  });
});

describe('failNext', () => {
  it('fails the next N requests to that route only, without processing them', async () => {
    const emu = await start();
    emu.failNext('createKey', 2, 503);
    const path = orgPath(emu, '/keys');
    const first = await call(emu, 'POST', path, { body: { name: 'a' } });
    expect(first.status).toBe(503);
    expect(first.json).toEqual({
      status: 503,
      error: expect.stringMatching(/^SERVICE_UNAVAILABLE: /),
      requestId: expect.stringMatching(UUID_V4),
    });
    expect((await call(emu, 'GET', path)).status).toBe(200);
    expect((await call(emu, 'POST', path, { body: { name: 'b' } })).status).toBe(503);
    expect(emu.keys()).toHaveLength(1);
    expect((await call(emu, 'POST', path, { body: { name: 'c' } })).status).toBe(200);
    expect(emu.keys().map((key) => key.name)).toContain('c');
  });

  it('injects 429 with the given reset seconds (default 1)', async () => {
    const emu = await start();
    emu.failNext('listKeys', 1, 429, { resetSeconds: 2.5 });
    emu.failNext('listKeys', 1, 429);
    const first = await call(emu, 'GET', orgPath(emu, '/keys'));
    expect([first.status, first.text, first.headers.get('x-ratelimit-reset')]).toEqual([
      429,
      '{"error":"TOO_MANY_REQUESTS"}',
      '2.5',
    ]);
    expect((await call(emu, 'GET', orgPath(emu, '/keys'))).headers.get('x-ratelimit-reset')).toBe('1');
    expect((await call(emu, 'GET', orgPath(emu, '/keys'))).status).toBe(200);
  });

  it.each([
    [400, 'BAD_REQUEST'],
    [403, 'FORBIDDEN'],
    [404, 'NOT_FOUND'],
    [500, 'INTERNAL_SERVER_ERROR'],
    [502, 'BAD_GATEWAY'],
  ] as const)('injects %i as an error envelope', async (status, code) => {
    const emu = await start();
    emu.failNext('getOrganization', 1, status);
    const answer = await call(emu, 'GET', orgPath(emu));
    expect(answer.status).toBe(status);
    expect(answer.json?.status).toBe(status);
    expect(answer.json?.error).toMatch(new RegExp(`^${code}: `));
  });

  it('leaves unauthenticated requests alone: the fault waits for a real caller', async () => {
    const emu = await start();
    emu.failNext('listOrganizations', 1, 500);
    expect((await listOrgs(emu, { keyId: 'NOPE', keySecret: 'x' })).status).toBe(401);
    expect((await listOrgs(emu)).status).toBe(500);
  });

  it('plans faults on the role and service routes too: a refused create makes no role', async () => {
    const emu = await start();
    const service = emu.addService({ name: 'prod' });
    emu.failNext('createRole', 1, 500);
    emu.failNext('listServices', 1, 429, { resetSeconds: 2 });
    const body = {
      name: 'readers',
      actors: [],
      policies: [
        {
          allowDeny: 'ALLOW',
          permissions: ['control-plane:service:view'],
          resources: [`instance/${service.id}`],
        },
      ],
    };
    expect((await call(emu, 'POST', orgPath(emu, '/roles'), { body })).status).toBe(500);
    expect(emu.roles().filter((role) => role.type === 'custom')).toEqual([]);
    expect((await call(emu, 'POST', orgPath(emu, '/roles'), { body })).status).toBe(200);
    const limited = await call(emu, 'GET', orgPath(emu, '/services'));
    expect([limited.status, limited.headers.get('x-ratelimit-reset')]).toEqual([429, '2']);
    expect((await call(emu, 'GET', orgPath(emu, '/services'))).status).toBe(200);
  });
});

describe('createThenFail', () => {
  it('creates the key, then answers 500', async () => {
    const emu = await start();
    emu.createThenFail(1);
    const answer = await call(emu, 'POST', orgPath(emu, '/keys'), { body: { name: 'ghost' } });
    expect(answer.status).toBe(500);
    expect(answer.json?.error).toMatch(/^INTERNAL_SERVER_ERROR: /);
    expect(answer.text).not.toMatch(/keySecret/);
    expect(emu.keys().map((key) => key.name)).toEqual([expect.any(String), 'ghost']);
    expect((await call(emu, 'POST', orgPath(emu, '/keys'), { body: { name: 'fine' } })).status).toBe(200);
  });

  it('creates the key, then drops the socket without an answer', async () => {
    const emu = await start();
    emu.createThenFail(1, 'drop');
    await expect(call(emu, 'POST', orgPath(emu, '/keys'), { body: { name: 'ghost' } })).rejects.toThrow();
    expect(emu.keys().map((key) => key.name)).toContain('ghost');
    expect(emu.requests.at(-1)).toMatchObject({ route: 'createKey', status: 0, response: null });
  });

  it('creates the key, then never answers until the client goes away', async () => {
    const emu = await start();
    emu.createThenFail(1, 'hang');
    const gone = new AbortController();
    const pending = call(emu, 'POST', orgPath(emu, '/keys'), {
      body: { name: 'ghost' },
      signal: gone.signal,
    });
    // The key exists while the answer is held: a crash test kills the client at this point.
    while (!emu.keys().some((key) => key.name === 'ghost')) await new Promise((r) => setTimeout(r, 10));
    expect(emu.requests.at(-1)).toMatchObject({ route: 'createKey', status: 0, response: null });
    gone.abort();
    await expect(pending).rejects.toThrow();
    expect((await call(emu, 'POST', orgPath(emu, '/keys'), { body: { name: 'fine' } })).status).toBe(200);
  });

  it('is not used up by a create that fails anyway', async () => {
    const emu = await start();
    emu.createThenFail(1);
    expect((await call(emu, 'POST', orgPath(emu, '/keys'), { body: { name: '' } })).status).toBe(400);
    expect((await call(emu, 'POST', orgPath(emu, '/keys'), { body: { name: 'ghost' } })).status).toBe(500);
    expect(emu.keys().map((key) => key.name)).toContain('ghost');
  });
});

describe('latency', () => {
  it('delays every response by latencyMs and by setLatency', async () => {
    const emu = await start({ latencyMs: 150 });
    let started = performance.now();
    expect((await listOrgs(emu)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);

    emu.setLatency(0);
    emu.failNext('listOrganizations', 1, 503);
    emu.setLatency(200);
    started = performance.now();
    expect((await listOrgs(emu)).status).toBe(503);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });
});

describe('garbageNext', () => {
  it('non-json: a 200 HTML page, after the request was processed', async () => {
    const emu = await start();
    emu.garbageNext('createKey', 1, 'non-json');
    const answer = await call(emu, 'POST', orgPath(emu, '/keys'), { body: { name: 'behind-html' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(answer.json).toBeUndefined();
    expect(emu.keys().map((key) => key.name)).toContain('behind-html');
    expect((await call(emu, 'POST', orgPath(emu, '/keys'), { body: { name: 'next' } })).json).toBeDefined();
  });

  it('truncated: the body breaks off mid-way', async () => {
    const emu = await start();
    emu.garbageNext('listKeys', 1, 'truncated');
    const response = await fetch(`${emu.url}${orgPath(emu, '/keys')}`, {
      headers: { authorization: basicAuth(emu.adminKey) },
    });
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });

  it('wrong-types: JSON of the right shape with every field of the wrong type', async () => {
    const emu = await start();
    emu.garbageNext('listKeys', 1, 'wrong-types');
    const answer = await call<Record<keyof EmulatedKey, unknown>[]>(emu, 'GET', orgPath(emu, '/keys'));
    expect(answer.status).toBe(200);
    const json = answer.json as unknown as {
      status: unknown;
      requestId: unknown;
      result: Record<string, unknown>[];
    };
    expect(typeof json.status).toBe('string');
    expect(typeof json.requestId).toBe('number');
    expect(json.result[0]).toMatchObject({ keySuffix: 4, name: expect.any(Number), expireAt: 0 });
  });

  it('trickle: a correct answer that takes about two seconds to arrive', async () => {
    const emu = await start();
    emu.garbageNext('listOrganizations', 1, 'trickle');
    const started = performance.now();
    const answer = await listOrgs(emu);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_500);
    expect(answer.status).toBe(200);
    expect(answer.json?.result).toEqual([expect.objectContaining({ id: emu.organizationId })]);
  });

  it('trickle: a client timeout gives up before the body is complete', async () => {
    const emu = await start();
    emu.garbageNext('listOrganizations', 1, 'trickle');
    await expect(
      call(emu, 'GET', '/v1/organizations', { signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow();
  });

  it('close() does not wait for a trickle in flight', async () => {
    const emu = await start();
    emu.garbageNext('listOrganizations', 1, 'trickle');
    const pending = listOrgs(emu).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await emu.close();
    // Had close() waited for the trickle to finish, the call would have succeeded.
    expect(await pending).toBeInstanceOf(Error);
  });
});
