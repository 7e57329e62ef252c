import { afterEach, describe, expect, it } from 'vitest';
import { Acl } from '../../dev/fake-vault/acl.js';
import { type FakeVault, type FakeVaultOptions, startFakeVault } from '../../dev/fake-vault/server.js';
import { ManualClock } from '../support/clock.js';
import { requirement } from '../support/requirements.js';
import { loadVaultContract, VAULT_SPEC_FILE } from '../support/vault-contract.js';
import { loginToken, raw } from './http.js';

/** On a clone without `../shared/ref` the answers are not checked against the description (required in CI). */
const contract = requirement(loadVaultContract(), `../shared/ref/${VAULT_SPEC_FILE} not found`);

let fake: FakeVault | undefined;
let clock: ManualClock;

async function start(options: FakeVaultOptions = {}): Promise<FakeVault> {
  clock = new ManualClock('2026-05-01T00:00:00Z');
  fake = await startFakeVault({ clock, ...options });
  return fake;
}

afterEach(async () => {
  if (fake !== undefined && contract !== null) {
    // These tests send malformed requests on purpose; every answer must still be one Vault could give.
    const violations = fake.requests.flatMap((exchange) =>
      contract
        .check(exchange, { namespace: fake!.namespace })
        .response.map((violation) => `${exchange.method} ${exchange.path}: ${violation}`),
    );
    expect(violations).toEqual([]);
  }
  await fake?.close();
  fake = undefined;
});

/** A policy that may do anything under `secret/`, for looking at what Keyhouse wrote. */
async function operatorToken(vault: FakeVault): Promise<string> {
  vault.setPolicy('operator', [{ path: 'secret/*', capabilities: ['create', 'read', 'update', 'list'] }]);
  return vault.issueToken({ policies: ['operator'] });
}

const DATA = '/v1/secret/data/keyhouse/etl';

describe('AppRole login and tokens', () => {
  it('logs in with the role id and secret id, and refuses a wrong or missing one as Vault does', async () => {
    const vault = await start();
    const ok = await raw(vault, 'POST', '/v1/auth/approle/login', {
      body: { role_id: vault.roleId, secret_id: vault.secretId },
    });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({
      lease_duration: 0,
      auth: { lease_duration: 1200, renewable: true, token_policies: ['default', 'keyhouse'] },
    });
    expect((ok.json!.auth as { client_token: string }).client_token).toMatch(/^hvs\./);

    for (const body of [
      { role_id: vault.roleId, secret_id: 'wrong' },
      { role_id: 'wrong', secret_id: vault.secretId },
    ]) {
      const refused = await raw(vault, 'PUT', '/v1/auth/approle/login', { body });
      expect(refused).toMatchObject({ status: 400, json: { errors: ['invalid role or secret ID'] } });
    }
    const missing = await raw(vault, 'POST', '/v1/auth/approle/login', {
      body: { secret_id: vault.secretId },
    });
    expect(missing).toMatchObject({ status: 400, json: { errors: ['missing role_id'] } });
  });

  it('a token lives its TTL on the fake clock, then every call with it is 403 "permission denied"', async () => {
    const vault = await start();
    const token = await loginToken(vault);
    const lookup = await raw(vault, 'GET', '/v1/auth/token/lookup-self', { token });
    expect(lookup.json).toMatchObject({
      data: { ttl: 1200, policies: ['default', 'keyhouse'], path: 'auth/approle/login' },
    });

    clock.advance(1_199_000);
    expect((await raw(vault, 'GET', '/v1/auth/token/lookup-self', { token })).json).toMatchObject({
      data: { ttl: 1 },
    });
    clock.advance(1_000);
    for (const [method, path, body] of [
      ['GET', '/v1/auth/token/lookup-self', undefined],
      ['POST', DATA, { data: { a: 'b' } }],
    ] as const) {
      expect(await raw(vault, method, path, { token, body })).toMatchObject({
        status: 403,
        json: { errors: ['permission denied'] },
      });
    }
    expect(vault.versions('secret', 'keyhouse/etl')).toBeNull();
  });

  it('a missing, unknown or revoked token is 403; a token without a TTL outlives any clock', async () => {
    const vault = await start();
    expect((await raw(vault, 'GET', '/v1/auth/token/lookup-self')).status).toBe(403);
    expect((await raw(vault, 'GET', '/v1/auth/token/lookup-self', { token: 'hvs.nope' })).status).toBe(403);
    const staticToken = vault.issueToken({ policies: ['keyhouse'] });
    const login = await loginToken(vault);
    clock.advance(365 * 24 * 3_600_000);
    expect(
      (await raw(vault, 'GET', '/v1/auth/token/lookup-self', { token: staticToken })).json,
    ).toMatchObject({
      data: { ttl: 0, expire_time: null },
    });
    expect((await raw(vault, 'GET', '/v1/auth/token/lookup-self', { token: login })).status).toBe(403);
    vault.revokeTokens();
    expect((await raw(vault, 'GET', '/v1/auth/token/lookup-self', { token: staticToken })).status).toBe(403);
  });
});

describe('namespaces', () => {
  it('with a namespace configured, every call must carry it, login included ("ns/" and "ns" alike)', async () => {
    const vault = await start({ namespace: 'admin' });
    const body = { role_id: vault.roleId, secret_id: vault.secretId };
    for (const namespace of [null, 'other', 'admin/team']) {
      const refused = await raw(vault, 'POST', '/v1/auth/approle/login', { body, namespace });
      expect(refused).toMatchObject({ status: 403, json: { errors: ['permission denied'] } });
    }
    const token = await loginToken(vault);
    expect(
      (await raw(vault, 'GET', '/v1/auth/token/lookup-self', { token, namespace: 'admin/' })).status,
    ).toBe(200);
    expect((await raw(vault, 'GET', '/v1/auth/token/lookup-self', { token, namespace: null })).status).toBe(
      403,
    );
  });

  it('without one configured, a call naming a namespace is refused', async () => {
    const vault = await start();
    const token = await loginToken(vault);
    expect(
      (await raw(vault, 'GET', '/v1/auth/token/lookup-self', { token, namespace: 'admin' })).status,
    ).toBe(403);
  });
});

describe('policies', () => {
  it("Keyhouse's token may create and update its own secrets and read their metadata, and nothing else", async () => {
    const vault = await start();
    const token = await loginToken(vault);
    expect((await raw(vault, 'POST', DATA, { token, body: { data: { v: '1' } } })).status).toBe(200); // create
    expect((await raw(vault, 'POST', DATA, { token, body: { data: { v: '2' } } })).status).toBe(200); // update
    expect((await raw(vault, 'GET', '/v1/secret/metadata/keyhouse/etl', { token })).status).toBe(200);

    const denied: [string, string, unknown][] = [
      ['GET', DATA, undefined], // never reads a secret back
      ['POST', '/v1/secret/data/other/etl', { data: { v: '1' } }],
      ['POST', '/v1/secret/data/keyhouse', { data: { v: '1' } }], // the glob is keyhouse/*, not keyhouse
      ['GET', '/v1/secret/metadata/keyhouse?list=true', undefined],
      ['POST', '/v1/secret/metadata/keyhouse/etl', { max_versions: 1 }],
    ];
    for (const [method, path, body] of denied) {
      expect(await raw(vault, method, path, { token, body }), `${method} ${path}`).toMatchObject({
        status: 403,
        json: { errors: ['permission denied'] },
      });
    }
    expect(vault.read('secret', 'keyhouse/etl')).toEqual({ v: '2' });
    expect(vault.versions('secret', 'other/etl')).toBeNull();
  });

  it('its HCL says the same as its rules', async () => {
    const vault = await start();
    expect(vault.keyhousePolicyHcl).toContain(
      'path "secret/data/keyhouse/*" {\n  capabilities = ["create", "update"]\n}',
    );
    expect(vault.keyhousePolicyHcl).toContain(
      'path "secret/metadata/keyhouse/*" {\n  capabilities = ["read"]\n}',
    );
    expect(vault.keyhousePolicy.map((rule) => rule.path)).toEqual([
      'secret/data/keyhouse/*',
      'secret/metadata/keyhouse/*',
      'auth/token/lookup-self',
    ]);
  });

  it('the most specific rule decides, as in Vault: exact, then the later wildcard, then fewer +, then longer', () => {
    const acl = new Acl([
      { path: 'secret/data/*', capabilities: ['read'] },
      { path: 'secret/data/team/*', capabilities: ['create'] },
      { path: 'secret/data/team/locked', capabilities: ['deny'] },
      { path: 'secret/data/+/shared', capabilities: ['update'] },
      { path: 'secret/data/team/*', capabilities: ['update'] }, // merged with the other team/* rule
    ]);
    expect(acl.allows('secret/data/x', 'read')).toBe(true);
    expect(acl.allows('secret/data/team/x', 'read')).toBe(false); // team/* wins over data/*
    expect(acl.allows('secret/data/team/x', 'create')).toBe(true);
    expect(acl.allows('secret/data/team/x', 'update')).toBe(true);
    expect(acl.allows('secret/data/team/locked', 'create')).toBe(false);
    expect(acl.allows('secret/data/ops/shared', 'update')).toBe(true); // + beats the earlier *
    expect(acl.allows('secret/data/ops/shared', 'read')).toBe(false);
    expect(acl.allows('secret/metadata/x', 'read')).toBe(false);
    expect(
      new Acl([{ path: 'secret/data/team/*', capabilities: ['read'] }]).allows('secret/data/team', 'read'),
    ).toBe(false);
  });
});

describe('KV version 2', () => {
  it('keeps versions, answers them by number, and applies check-and-set', async () => {
    const vault = await start();
    const token = await operatorToken(vault);
    const write = (body: unknown) => raw(vault, 'POST', DATA, { token, body });
    expect((await write({ data: { v: '1' }, options: { cas: 0 } })).json).toMatchObject({
      mount_type: 'kv',
      data: { version: 1, deletion_time: '', destroyed: false, created_time: '2026-05-01T00:00:00.000Z' },
    });
    expect((await write({ data: { v: '2' } })).json).toMatchObject({ data: { version: 2 } });
    for (const cas of [0, 1, 3]) {
      expect(await write({ data: { v: 'x' }, options: { cas } })).toMatchObject({
        status: 400,
        json: { errors: ['check-and-set parameter did not match the current version'] },
      });
    }
    expect((await write({ data: { v: '3' }, options: { cas: 2 } })).json).toMatchObject({
      data: { version: 3 },
    });

    expect((await raw(vault, 'GET', DATA, { token })).json).toMatchObject({
      data: { data: { v: '3' }, metadata: { version: 3 } },
    });
    expect((await raw(vault, 'GET', `${DATA}?version=1`, { token })).json).toMatchObject({
      data: { data: { v: '1' } },
    });
    expect(await raw(vault, 'GET', `${DATA}?version=9`, { token })).toMatchObject({
      status: 404,
      json: { errors: [] },
    });
    expect(await raw(vault, 'GET', '/v1/secret/data/keyhouse/none', { token })).toMatchObject({
      status: 404,
      json: { errors: [] },
    });
    expect((await raw(vault, 'GET', '/v1/secret/metadata/keyhouse/etl', { token })).json).toMatchObject({
      data: {
        current_version: 3,
        oldest_version: 1,
        max_versions: 0,
        cas_required: false,
        versions: { '1': {}, '2': {}, '3': {} },
      },
    });
    expect(await write({ data: 'v' })).toMatchObject({ status: 400, json: { errors: ['no data provided'] } });
    expect(await raw(vault, 'POST', DATA, { token, raw: '{"data":' })).toMatchObject({ status: 400 });
    expect(vault.versions('secret', 'keyhouse/etl')).toEqual({ current: 3, kept: [1, 2, 3] });
  });

  it('keeps max_versions (10 when 0), and a mount or secret with cas_required refuses a write without cas', async () => {
    const vault = await start({ mounts: ['secret', 'strict'], casRequired: false });
    const token = await operatorToken(vault);
    vault.setPolicy('strict', [{ path: 'strict/*', capabilities: ['create', 'update'] }]);
    const strictToken = vault.issueToken({ policies: ['strict'] });
    expect(
      (
        await raw(vault, 'POST', '/v1/secret/metadata/keyhouse/few', {
          token,
          body: { max_versions: 2, cas_required: true },
        })
      ).status,
    ).toBe(204);
    const write = (cas?: number) =>
      raw(vault, 'POST', '/v1/secret/data/keyhouse/few', {
        token,
        body: { data: { v: 'x' }, ...(cas === undefined ? {} : { options: { cas } }) },
      });
    expect(await write()).toMatchObject({
      status: 400,
      json: { errors: ['check-and-set parameter required for this call'] },
    });
    for (const cas of [0, 1, 2]) expect((await write(cas)).status).toBe(200);
    expect(vault.versions('secret', 'keyhouse/few')).toEqual({ current: 3, kept: [2, 3] });
    for (let i = 0; i < 12; i++) await raw(vault, 'POST', DATA, { token, body: { data: { i: String(i) } } });
    expect(vault.versions('secret', 'keyhouse/etl')?.kept).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(
      (await raw(vault, 'POST', '/v1/strict/data/x', { token: strictToken, body: { data: { v: 'x' } } }))
        .status,
    ).toBe(200);

    const requiredEverywhere = await startFakeVault({ clock, casRequired: true });
    try {
      const anyToken = requiredEverywhere.issueToken({ policies: ['keyhouse'] });
      expect(
        (await raw(requiredEverywhere, 'POST', DATA, { token: anyToken, body: { data: { v: 'x' } } })).status,
      ).toBe(400);
      expect(
        (
          await raw(requiredEverywhere, 'POST', DATA, {
            token: anyToken,
            body: { data: { v: 'x' }, options: { cas: 0 } },
          })
        ).status,
      ).toBe(200);
    } finally {
      await requiredEverywhere.close();
    }
  });

  it('GET ?list=true names leaves and folders; an empty list is 404 {"errors":[]}', async () => {
    const vault = await start();
    const token = await operatorToken(vault);
    for (const path of ['keyhouse/etl', 'keyhouse/team/a', 'keyhouse/team/b', 'other/x']) {
      await raw(vault, 'POST', `/v1/secret/data/${path}`, { token, body: { data: { v: '1' } } });
    }
    for (const path of [
      '/v1/secret/metadata/keyhouse?list=true',
      '/v1/secret/metadata/keyhouse/?list=true',
    ]) {
      expect((await raw(vault, 'GET', path, { token })).json).toMatchObject({
        data: { keys: ['etl', 'team/'] },
      });
    }
    const root = await raw(vault, 'GET', '/v1/secret/metadata/?list=true', { token });
    expect(root.json).toMatchObject({ data: { keys: ['keyhouse/', 'other/'] } });
    const empty = await raw(vault, 'GET', '/v1/secret/metadata/nothing?list=true', { token });
    expect(empty).toMatchObject({ status: 404, json: { errors: [] } });
    // Node's HTTP parser knows no LIST method and answers 400 itself, before the fake sees the request;
    // Vault takes GET ?list=true alike (github-and-vault.md §9), which is what clients of the fake must send.
    expect((await raw(vault, 'LIST', '/v1/secret/metadata/keyhouse', { token })).status).toBe(400);
    expect(vault.requests.some((request) => request.method === 'LIST')).toBe(false);
  });

  it('decodes each path segment, answers an unknown route 404 and an unmodelled method 405', async () => {
    const vault = await start();
    const token = await operatorToken(vault);
    expect(
      (await raw(vault, 'POST', '/v1/secret/data/keyhouse/a%20b%3Fc', { token, body: { data: { v: '1' } } }))
        .status,
    ).toBe(200);
    expect(vault.read('secret', 'keyhouse/a b?c')).toEqual({ v: '1' });
    expect((await raw(vault, 'GET', '/v1/nowhere/data/x', { token })).status).toBe(404);
    expect((await raw(vault, 'DELETE', DATA, { token })).status).toBe(405);
  });
});

describe('failure injection and records', () => {
  it('failNext answers the planned statuses in order without carrying the request out', async () => {
    const vault = await start();
    const token = await loginToken(vault);
    vault.failNext('kv-v2-write', 1, 429, { retryAfterSeconds: 2 });
    vault.failNext('kv-v2-write', 1, 503);
    vault.failNext('kv-v2-write', 1, 500, { messages: ['boom'] });
    const write = () => raw(vault, 'POST', DATA, { token, body: { data: { v: '1' } } });
    const limited = await write();
    expect(limited).toMatchObject({ status: 429, json: { errors: ['rate limit quota exceeded'] } });
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(await write()).toMatchObject({ status: 503, json: { errors: ['Vault is sealed'] } });
    expect(await write()).toMatchObject({ status: 500, json: { errors: ['boom'] } });
    expect(vault.versions('secret', 'keyhouse/etl')).toBeNull();
    expect((await write()).status).toBe(200);
  });

  it('processThenFail carries the write out, then answers 500 or drops the connection', async () => {
    const vault = await start();
    const token = await loginToken(vault);
    vault.processThenFail('kv-v2-write', 1, 500);
    vault.processThenFail('kv-v2-write', 1, 'drop');
    const write = () => raw(vault, 'POST', DATA, { token, body: { data: { v: '1' } } });
    expect((await write()).status).toBe(500);
    await expect(write()).rejects.toThrow();
    expect(vault.versions('secret', 'keyhouse/etl')).toEqual({ current: 2, kept: [1, 2] });
    expect(vault.requests.filter((r) => r.operation === 'kv-v2-write').map((r) => r.status)).toEqual([
      500, 0,
    ]);
  });

  it('a sealed Vault answers 503 to everything until unsealed; slowNext answers late', async () => {
    const vault = await start();
    vault.seal();
    expect(
      await raw(vault, 'POST', '/v1/auth/approle/login', {
        body: { role_id: vault.roleId, secret_id: vault.secretId },
      }),
    ).toMatchObject({
      status: 503,
      json: { errors: ['Vault is sealed'] },
    });
    vault.unseal();
    const token = await loginToken(vault);
    vault.slowNext('token-look-up-self', 1, 150);
    const started = performance.now();
    expect((await raw(vault, 'GET', '/v1/auth/token/lookup-self', { token })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140); // a lower bound only: never flaky
  });

  it('records every request with its operation, namespace and status, and no credential or written value', async () => {
    const vault = await start({ namespace: 'admin' });
    const token = await loginToken(vault);
    const operator = await operatorToken(vault);
    const written = 'the-written-secret-0123456789';
    await raw(vault, 'POST', DATA, {
      token,
      body: { data: { keySecret: written, nested: { deep: written } } },
    });
    await raw(vault, 'GET', DATA, { token: operator });
    await raw(vault, 'GET', '/v1/auth/token/lookup-self', { token });
    expect(vault.requests.map((r) => [r.method, r.operation, r.namespace, r.tokenSent, r.status])).toEqual([
      ['POST', 'app-role-login', 'admin', false, 200],
      ['POST', 'kv-v2-write', 'admin', true, 200],
      ['GET', 'kv-v2-read', 'admin', true, 200],
      ['GET', 'token-look-up-self', 'admin', true, 200],
    ]);
    const recorded = JSON.stringify(vault.requests);
    for (const secret of [written, vault.secretId, ...vault.issuedTokens()])
      expect(recorded).not.toContain(secret);
    expect(vault.requests[1]!.body).toEqual({
      data: { keySecret: '[redacted]', nested: { deep: '[redacted]' } },
    });
    expect(vault.read('secret', 'keyhouse/etl')).toEqual({ keySecret: written, nested: { deep: written } });
  });
});
