import { inspect } from 'node:util';
import { MockAgent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '../../src/core/secret.js';
import { VaultClient, type VaultClientOptions } from '../../src/vault/client.js';
import { VaultConnectionError, VaultInvalidResponseError } from '../../src/vault/errors.js';
import { ManualClock } from '../support/clock.js';

/**
 * The client through an injected undici dispatcher (a MockAgent: no network): what goes on the wire, and
 * answers the fake Vault never gives (a 204 write, a non-JSON 200, a login without a token).
 */

const ORIGIN = 'https://vault.example.test:8200';
const TOKEN = 'hvs.CAESIMockTokenValue0123456789';
const SECRET_ID = 'secret-id-7f0c1e2d-3b4a-5968-7a6b-5c4d3e2f1a0b';
const SECRET = 'chc_written_secret_0123456789abcdef';
const LOGIN = { path: '/v1/auth/approle/login', method: 'POST' } as const;
const DATA = { path: '/v1/secret/data/keyhouse/etl', method: 'POST' } as const;

let agent: MockAgent | undefined;

afterEach(async () => {
  try {
    agent?.assertNoPendingInterceptors();
  } finally {
    await agent?.close();
    agent = undefined;
  }
});

function setup(overrides: Partial<VaultClientOptions> = {}) {
  agent = new MockAgent({ enableCallHistory: true });
  agent.disableNetConnect();
  const client = new VaultClient({
    addr: ORIGIN,
    namespace: 'admin',
    auth: { roleId: 'role-id-1', secretId: new Secret(SECRET_ID) },
    dispatcher: agent,
    clock: new ManualClock(),
    sleep: async () => {},
    ...overrides,
  });
  const pool = agent.get(ORIGIN);
  const calls = () => agent!.getCallHistory()?.calls() ?? [];
  return { client, pool, calls };
}

function loginReply(leaseSeconds = 1200) {
  return { auth: { client_token: TOKEN, lease_duration: leaseSeconds, renewable: true }, lease_duration: 0 };
}

describe('through an injected dispatcher', () => {
  it('login carries the namespace and no token; a write carries both, as JSON', async () => {
    const { client, pool, calls } = setup();
    pool.intercept(LOGIN).reply(200, loginReply());
    pool
      .intercept(DATA)
      .reply(200, { data: { version: 3, created_time: 'x', deletion_time: '', destroyed: false } });

    await expect(
      client.writeVersion('secret', 'keyhouse/etl', { keySecret: new Secret(SECRET) }, { cas: 2 }),
    ).resolves.toEqual({
      version: { version: 3, createdTime: 'x', deletionTime: '', destroyed: false, customMetadata: null },
    });

    const [login, write] = calls();
    expect(login?.headers).toMatchObject({ 'x-vault-namespace': 'admin' });
    expect(login?.headers).not.toHaveProperty('x-vault-token');
    expect(JSON.parse(String(login?.body))).toEqual({ role_id: 'role-id-1', secret_id: SECRET_ID });
    expect(write?.headers).toMatchObject({
      'x-vault-namespace': 'admin',
      'x-vault-token': TOKEN,
      'content-type': 'application/json',
      'user-agent': expect.stringMatching(/^keyhouse node\//),
    });
    expect(JSON.parse(String(write?.body))).toEqual({ data: { keySecret: SECRET }, options: { cas: 2 } });
  });

  it('a 204 is a successful write whose version is unknown; a 200 without data too', async () => {
    const { client, pool } = setup();
    pool.intercept(LOGIN).reply(200, loginReply());
    pool.intercept(DATA).reply(204, '');
    pool.intercept(DATA).reply(200, { data: null, warnings: ['something was ignored'] });
    await expect(client.writeVersion('secret', 'keyhouse/etl', { a: 'b' })).resolves.toEqual({
      version: null,
    });
    await expect(client.writeVersion('secret', 'keyhouse/etl', { a: 'b' })).resolves.toEqual({
      version: null,
    });
  });

  it('a write answered 200 with a body that is not JSON was written: VaultInvalidResponseError with status 200, not resent', async () => {
    const { client, pool, calls } = setup();
    pool.intercept(LOGIN).reply(200, loginReply());
    pool.intercept(DATA).reply(200, `<html>${SECRET}</html>`);
    const error = await client
      .writeVersion('secret', 'keyhouse/etl', { keySecret: new Secret(SECRET) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultInvalidResponseError);
    expect(error).toMatchObject({ status: 200, operation: 'kv-v2-write' });
    expect(String(error)).not.toContain(SECRET);
    expect(calls()).toHaveLength(2);
  });

  it('a login answer without a usable token is VaultInvalidResponseError naming the member, not its value', async () => {
    const { client, pool } = setup();
    pool.intercept(LOGIN).reply(200, { auth: { client_token: 12345678, lease_duration: 'soon' } });
    const error = await client.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultInvalidResponseError);
    expect(String(error)).toMatch(/auth\.client_token: invalid_type; auth\.lease_duration: invalid_type/);
    expect(String(error)).not.toContain('12345678');
  });

  it('a text error page quoting the token where the excerpt is cut keeps no part of it', async () => {
    const { client, pool } = setup({ auth: { token: new Secret(TOKEN) }, retry: { maxAttempts: 1 } });
    // A proxy's page, 190 characters in before it quotes the token: the 200-character excerpt would
    // cut the token in two, and a head no longer matches the token to be scrubbed.
    const page = `${'x'.repeat(190)}${TOKEN} rejected`;
    pool.intercept({ path: '/v1/auth/token/lookup-self', method: 'GET' }).reply(502, page);
    const error = await client.ping().catch((e: unknown) => e);
    for (const text of [String(error), inspect(error, { depth: 10 })]) {
      expect(text).not.toContain(TOKEN.slice(0, 8));
    }
    expect(error).toMatchObject({ status: 502, serverMessages: [`${'x'.repeat(190)}[redacted]…`] });
  });

  it('a token without a lease (TTL 0) is kept: no renewal however late', async () => {
    const clock = new ManualClock();
    const { client, pool, calls } = setup({ clock });
    pool.intercept(LOGIN).reply(200, loginReply(0));
    pool
      .intercept(DATA)
      .reply(200, { data: { version: 1, created_time: 'x', deletion_time: '', destroyed: false } })
      .times(2);
    await client.writeVersion('secret', 'keyhouse/etl', { a: 'b' });
    clock.advance(10 * 365 * 24 * 3_600_000);
    await client.writeVersion('secret', 'keyhouse/etl', { a: 'b' });
    expect(calls().map((call) => call.path)).toEqual([LOGIN.path, DATA.path, DATA.path]);
  });

  it('an error from a dispatcher that quotes request headers does not carry X-Vault-Token', async () => {
    const { client, pool } = setup({ auth: { token: new Secret(TOKEN) }, retry: { maxAttempts: 1 } });
    // An interceptor matching a header never sent: undici's MockAgent then throws an error whose message
    // quotes every request header, X-Vault-Token included.
    const lookup = { path: '/v1/auth/token/lookup-self', method: 'GET' } as const;
    pool.intercept({ ...lookup, headers: { 'x-never-sent': 'x' } }).reply(200, {});
    const rawError = await request(`${ORIGIN}${lookup.path}`, {
      dispatcher: agent!,
      headers: { 'x-vault-token': TOKEN },
    }).catch((e: unknown) => e);
    expect(String(rawError)).toContain(TOKEN); // the hazard is real

    const error = await client.ping().catch((e: unknown) => e);
    pool.cleanMocks();
    expect(error).toBeInstanceOf(VaultConnectionError);
    for (const text of [
      String(error),
      JSON.stringify(error),
      inspect(error, { depth: 10 }),
      (error as Error).stack ?? '',
    ]) {
      expect(text).not.toContain(TOKEN);
    }
  });
});
