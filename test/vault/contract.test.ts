import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeVault, startFakeVault } from '../../dev/fake-vault/server.js';
import { ManualClock } from '../support/clock.js';
import { requirement } from '../support/requirements.js';
import { loadVaultContract, VAULT_SPEC_FILE, type VaultExchange } from '../support/vault-contract.js';
import { loginToken, raw } from './http.js';

const contract = requirement(
  loadVaultContract(),
  `../shared/ref/${VAULT_SPEC_FILE} not found (clone without ../shared)`,
);

const DATA_TEMPLATE = '/{kv_v2_mount_path}/data/{path}';

/** A KV read's answer, typed loosely enough to break on purpose. */
interface ReadAnswer {
  [member: string]: unknown;
  data: { [member: string]: unknown; metadata: { version: unknown; custom_metadata: unknown } };
}

/** A well-formed exchange to break one part of at a time. */
function exchange(overrides: Partial<VaultExchange>): VaultExchange {
  return {
    method: 'GET',
    path: '/v1/secret/data/keyhouse/etl',
    query: '',
    status: 200,
    body: undefined,
    response: {
      request_id: 'r',
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      data: {
        data: { keySecret: '[redacted]' },
        metadata: {
          created_time: '2026-05-01T00:00:00.000Z',
          custom_metadata: null,
          deletion_time: '',
          destroyed: false,
          version: 1,
        },
      },
      wrap_info: null,
      warnings: null,
      auth: null,
      mount_type: 'kv',
    },
    tokenSent: true,
    namespace: null,
    ...overrides,
  };
}

describe.skipIf(!contract)('OpenAPI contract: the fake Vault against Vault’s own description', () => {
  const spec = contract!;
  const none = { namespace: null };
  let vault: FakeVault;

  beforeAll(async () => {
    vault = await startFakeVault({ clock: new ManualClock('2026-05-01T00:00:00Z') });
  });
  afterAll(async () => {
    await vault.close();
  });

  it('every request and every answer of a session through all operations and failures fits (strictly)', async () => {
    const token = await loginToken(vault);
    vault.setPolicy('operator', [{ path: 'secret/*', capabilities: ['create', 'read', 'update', 'list'] }]);
    const operator = vault.issueToken({ policies: ['operator'] });
    const data = '/v1/secret/data/keyhouse/etl';
    const metadata = '/v1/secret/metadata/keyhouse/etl';

    await raw(vault, 'POST', '/v1/auth/approle/login', {
      body: { role_id: vault.roleId, secret_id: 'wrong' },
    });
    await raw(vault, 'GET', '/v1/auth/token/lookup-self', { token });
    await raw(vault, 'GET', '/v1/auth/token/lookup-self', { token: 'hvs.unknown' });
    await raw(vault, 'POST', data, {
      token,
      body: { data: { keyId: 'K', keySecret: 'S' }, options: { cas: 0 } },
    });
    await raw(vault, 'PUT', data, { token, body: { data: { keyId: 'K', keySecret: 'S2' } } });
    await raw(vault, 'POST', data, { token, body: { data: { keyId: 'K' }, options: { cas: 0 } } }); // 400 cas
    await raw(vault, 'POST', '/v1/secret/data/other/x', { token, body: { data: { a: 'b' } } }); // 403
    await raw(vault, 'GET', data, { token: operator });
    await raw(vault, 'GET', `${data}?version=1`, { token: operator });
    await raw(vault, 'GET', '/v1/secret/data/keyhouse/none', { token: operator }); // 404
    await raw(vault, 'GET', metadata, { token });
    await raw(vault, 'POST', metadata, {
      token: operator,
      body: {
        max_versions: 5,
        cas_required: false,
        custom_metadata: { team: 'data' },
        delete_version_after: '0s',
      },
    });
    await raw(vault, 'GET', metadata, { token });
    await raw(vault, 'GET', '/v1/secret/metadata/keyhouse?list=true', { token: operator });
    await raw(vault, 'GET', '/v1/secret/metadata/none?list=true', { token: operator }); // 404 {"errors":[]}
    vault.failNext('kv-v2-read', 1, 429, { retryAfterSeconds: 1 });
    vault.failNext('kv-v2-read', 1, 500);
    vault.failNext('kv-v2-read', 1, 502);
    await raw(vault, 'GET', data, { token: operator });
    await raw(vault, 'GET', data, { token: operator });
    await raw(vault, 'GET', data, { token: operator });
    vault.seal();
    await raw(vault, 'GET', '/v1/auth/token/lookup-self', { token });
    vault.unseal();

    const checks = vault.requests.map((recorded) => ({ recorded, ...spec.check(recorded, none) }));
    const violations = checks.flatMap(({ recorded, request, response }) =>
      [...request, ...response].map((v) => `${recorded.method} ${recorded.path}${recorded.query}: ${v}`),
    );
    expect(violations).toEqual([]);
    expect(new Set(checks.map((check) => check.operationId))).toEqual(
      new Set([
        'app-role-login',
        'token-look-up-self',
        'kv-v2-write',
        'kv-v2-read',
        'kv-v2-read-metadata',
        'kv-v2-write-metadata',
        null,
      ]),
    );
    // The only exchanges the description lacks are the lists, checked against the hand-made shapes alone.
    expect(
      checks.filter((check) => check.operationId === null).map((check) => check.recorded.operation),
    ).toEqual(['kv-v2-list', 'kv-v2-list']);
    expect(new Set(vault.requests.map((request) => request.status))).toEqual(
      new Set([200, 204, 400, 403, 404, 429, 500, 502, 503]),
    );
  });

  it('finds a request body that breaks the generated schema, or has a member it does not declare', () => {
    const write = (body: unknown) =>
      spec.check(exchange({ method: 'POST', body, response: undefined, status: 0 }), none).request;
    expect(write({ data: { a: 'b' }, options: { cas: 1 } })).toEqual([]);
    expect(write({ data: 'not a map' })).toEqual([expect.stringContaining('/data must be object')]);
    expect(write({ data: {}, ttl: 5 })).toEqual([expect.stringContaining("'ttl'")]);
    const login = spec.check(
      exchange({
        method: 'POST',
        path: '/v1/auth/approle/login',
        tokenSent: false,
        body: { role_id: 'r', secretid: 's' },
        status: 0,
      }),
      none,
    );
    expect(login.request).toEqual([expect.stringContaining("'secretid'")]);
  });

  it('finds a missing token, a token sent to login, and a namespace other than the one configured', () => {
    expect(spec.check(exchange({ tokenSent: false }), none).request).toEqual([
      'kv-v2-read needs X-Vault-Token',
    ]);
    const login = exchange({
      method: 'POST',
      path: '/v1/auth/approle/login',
      body: { role_id: 'r', secret_id: 's' },
      status: 0,
    });
    expect(spec.check(login, none).request).toEqual([
      'app-role-login is unauthenticated, yet a token was sent',
    ]);
    expect(spec.check(exchange({ namespace: 'admin/' }), { namespace: 'admin' }).request).toEqual([]);
    expect(spec.check(exchange({}), { namespace: 'admin' }).request).toEqual([
      'X-Vault-Namespace was absent, not admin',
    ]);
  });

  it('finds an answer that breaks the envelope, the generated data schema or a hand-made member schema', () => {
    const good = exchange({});
    expect(spec.check(good, none).response).toEqual([]);
    const answer = (mutate: (body: ReadAnswer) => void) => {
      const response = structuredClone(good.response) as ReadAnswer;
      mutate(response);
      return spec.check(exchange({ response }), none).response;
    };
    expect(answer((body) => (body.lease_duration = '0'))).toEqual([
      expect.stringContaining('body/lease_duration must be integer'),
    ]);
    expect(answer((body) => (body.invented = 1))).toEqual([expect.stringContaining("'invented'")]);
    expect(answer((body) => (body.data.extra = {}))).toEqual([expect.stringContaining("'extra'")]);
    expect(answer((body) => (body.data.metadata.version = '1'))).toEqual([
      expect.stringContaining('body.data.metadata/version must be integer'),
    ]);
    expect(answer((body) => (body.data.metadata.custom_metadata = { n: 1 }))).toEqual([
      expect.stringContaining('body.data.metadata/custom_metadata/n must be string'),
    ]);
    expect(answer((body) => (body.auth = { client_token: 't' }))).toEqual(
      expect.arrayContaining([expect.stringContaining("must have required property 'lease_duration'")]),
    );
  });

  it('holds statuses to the operation: a 204 where only 200 is declared fails, a warned 200 where 204 is declared passes', () => {
    expect(
      spec.check(exchange({ method: 'POST', body: { data: {} }, status: 204, response: undefined }), none)
        .response,
    ).toEqual(['status 204 is not declared (declared: 200)']);
    const metadataWrite = {
      method: 'POST',
      path: '/v1/secret/metadata/keyhouse/etl',
      body: { max_versions: 1 },
    };
    expect(
      spec.check(exchange({ ...metadataWrite, status: 204, response: undefined }), none).response,
    ).toEqual([]);
    const warned = {
      request_id: 'r',
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      data: null,
      wrap_info: null,
      warnings: ['ignored: x'],
      auth: null,
    };
    expect(spec.check(exchange({ ...metadataWrite, response: warned }), none).response).toEqual([]);
    expect(
      spec.check(exchange({ ...metadataWrite, response: { ...warned, warnings: null } }), none).response,
    ).toEqual(['status 200 is not declared (declared: 204)']);
    expect(
      spec.check(exchange({ status: 403, response: { errors: 'permission denied' } }), none).response,
    ).toEqual([expect.stringContaining('body/errors must be array')]);
    expect(
      spec.check(exchange({ status: 404, response: { errors: [], request_id: 'x' } }), none).response,
    ).toEqual([expect.stringContaining("'request_id'")]);
  });

  it('a LIST is reported as outside the description, and still held to the envelope and data.keys', () => {
    const list = (response: unknown) =>
      spec.check(exchange({ path: '/v1/secret/metadata/keyhouse', query: '?list=true', response }), none);
    const envelope = {
      request_id: 'r',
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      wrap_info: null,
      warnings: null,
      auth: null,
    };
    expect(list({ ...envelope, data: { keys: ['a', 'b/'] } })).toEqual({
      operationId: null,
      request: [],
      response: [],
    });
    expect(list({ ...envelope, data: { names: ['a'] } }).response).toEqual([
      expect.stringContaining('data.keys must be an array of strings'),
    ]);
  });

  it('maps wire paths to templates: /v1 first, a mount and a path of several segments', () => {
    expect(spec.document.matchPath('POST', '/v1/team/kv/data/clickhouse/a/b')).toBe(DATA_TEMPLATE);
    expect(spec.document.matchPath('GET', '/v1/secret/metadata/x?list=true')).toBe(
      '/{kv_v2_mount_path}/metadata/{path}',
    );
    expect(spec.document.matchPath('POST', '/v1/auth/approle/login')).toBe(
      '/auth/{approle_mount_path}/login',
    );
    expect(spec.document.matchPath('GET', '/v1/auth/token/lookup-self')).toBe('/auth/token/lookup-self');
    expect(spec.document.matchPath('GET', '/secret/data/x')).toBeNull();
    expect(spec.document.matchPath('PATCH', '/v1/secret/data/x')).toBeNull();
  });
});
