import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatedKey, EmulatedRole, Emulator, EmulatorRoute } from '../../dev/emulator/server.js';
import { startEmulator } from '../../dev/emulator/server.js';
import { ManualClock } from '../support/clock.js';
import { loadOpenApiContract } from '../support/openapi.js';
import { requirement } from '../support/requirements.js';
import { call, orgPath } from './http.js';

const contract = requirement(
  loadOpenApiContract(),
  '../shared/ref/clickhouse-cloud-openapi.json not found (clone without ../shared)',
);

const KEYS = '/v1/organizations/{organizationId}/keys';
const KEY = '/v1/organizations/{organizationId}/keys/{keyId}';

describe.skipIf(!contract)('OpenAPI contract: the emulator against the official spec', () => {
  const spec = contract!;
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await startEmulator({ clock: new ManualClock('2026-05-01T00:00:00Z') });
  });
  afterAll(async () => {
    await emulator.close();
  });

  /** Sends a request whose body must itself satisfy the spec, as a client's would. */
  async function send<T>(
    method: string,
    path: string,
    body?: unknown,
    as?: { keyId: string; keySecret: string },
  ) {
    const template = spec.matchPath(method, path);
    expect(template, `${method} ${path} is in the spec`).not.toBeNull();
    if (body !== undefined) expect(spec.validateRequestBody(method, template!, body)).toEqual([]);
    return call<T>(emulator, method, path, {
      ...(body !== undefined ? { body } : {}),
      ...(as ? { as } : {}),
    });
  }

  it('every request and every answer of a scripted session validates (strictly)', async () => {
    const orgs = await send('GET', '/v1/organizations');
    expect(orgs.status).toBe(200);
    expect((await send('GET', orgPath(emulator))).status).toBe(200);
    expect((await send('GET', `/v1/organizations/${randomUUID()}`)).status).toBe(404);

    const roles = await send<EmulatedRole[]>('GET', orgPath(emulator, '/roles'));
    const someRole = roles.json!.result![3]!;
    expect((await send('GET', orgPath(emulator, `/roles/${someRole.id}`))).status).toBe(200);
    expect((await send('GET', orgPath(emulator, `/roles/${randomUUID()}`))).status).toBe(404);

    const created = await send<{ key: EmulatedKey; keyId: string; keySecret: string }>(
      'POST',
      orgPath(emulator, '/keys'),
      {
        name: 'contract',
        expireAt: '2026-06-01T00:00:00Z',
        state: 'enabled',
        roles: ['developer'],
        assignedRoleIds: [someRole.id],
        ipAccessList: [{ source: '127.0.0.1', description: 'loopback' }, { source: '10.0.0.0/8' }],
      },
    );
    expect(created.status).toBe(200);
    const { key, keyId, keySecret } = created.json!.result!;
    const keyPath = orgPath(emulator, `/keys/${key.id}`);

    expect((await send('POST', orgPath(emulator, '/keys'), { name: 'minimal' })).status).toBe(200);
    expect(
      (await send('POST', orgPath(emulator, '/keys'), { name: 'old', expireAt: '2020-01-01T00:00:00Z' }))
        .status,
    ).toBe(400);
    expect(
      (await send('POST', orgPath(emulator, '/keys'), { name: 'x', assignedRoleIds: [randomUUID()] })).status,
    ).toBe(400);

    expect((await send('GET', orgPath(emulator, '/keys'))).status).toBe(200);
    expect((await send('GET', keyPath, undefined, { keyId, keySecret })).status).toBe(200);
    expect((await send('GET', orgPath(emulator, `/keys/${randomUUID()}`))).status).toBe(404);
    expect((await send('GET', orgPath(emulator, '/keys/not-a-uuid'))).status).toBe(400);

    expect((await send('PATCH', keyPath, { name: 'renamed', expireAt: null, ipAccessList: [] })).status).toBe(
      200,
    );
    expect((await send('PATCH', keyPath, { state: 'disabled', assignedRoleIds: [], roles: [] })).status).toBe(
      200,
    );
    expect((await send('PATCH', keyPath, { expireAt: '2020-01-01T00:00:00Z' })).status).toBe(400);
    expect((await send('PATCH', orgPath(emulator, `/keys/${randomUUID()}`), { name: 'x' })).status).toBe(404);

    expect((await send('DELETE', orgPath(emulator, `/keys/${emulator.adminKey.id}`))).status).toBe(400);
    expect((await send('DELETE', keyPath)).status).toBe(200);
    expect((await send('DELETE', keyPath)).status).toBe(404);

    expect(
      (await send('GET', '/v1/organizations', undefined, { keyId: 'NOPE', keySecret: 'x' })).status,
    ).toBe(401);
    emulator.failNext('listKeys', 1, 429);
    emulator.failNext('listKeys', 1, 503);
    expect((await send('GET', orgPath(emulator, '/keys'))).status).toBe(429);
    expect((await send('GET', orgPath(emulator, '/keys'))).status).toBe(503);
    emulator.createThenFail(1);
    expect((await send('POST', orgPath(emulator, '/keys'), { name: 'ghost' })).status).toBe(500);

    // Every key change is an activity, acted by the calling key (spec `Activity`, clickhouse-cloud-api.md §8.10).
    const activities = await send<Array<Record<string, unknown>>>('GET', orgPath(emulator, '/activities'));
    expect(activities.status).toBe(200);
    const ofKey = activities.json!.result!.filter((a) => a.targetKeyId === key.id);
    expect(ofKey.map((a) => a.keyUpdateType)).toEqual([
      'created',
      'name-changed',
      'date-changed',
      'ip-access-list-changed',
      'state-changed',
      'role-changed',
      'roles-v2-changed',
      'deleted',
    ]);
    expect(ofKey.every((a) => a.type === 'openapi_key_update' && a.actorType === 'api')).toBe(true);
    expect(new Set(ofKey.map((a) => a.actorId))).toEqual(new Set([emulator.adminKey.id]));
    const since = (from: string) =>
      call<unknown[]>(
        emulator,
        'GET',
        `${orgPath(emulator, '/activities')}?from_date=${encodeURIComponent(from)}`,
      );
    expect((await since('2026-05-01T00:00:00Z')).json?.result).toHaveLength(activities.json!.result!.length);
    expect((await since('2026-05-01T00:00:01Z')).json?.result).toEqual([]);
    expect((await since('yesterday')).status).toBe(400);

    // A person in the console shows as a user.
    const consoleUser = emulator.asConsoleUser({ email: 'dana@example.com' });
    const made = consoleUser.addKey({ name: 'console-made' });
    consoleUser.updateKey(made.key.id, { state: 'disabled' });
    const byUser = (
      await send<Array<Record<string, unknown>>>('GET', orgPath(emulator, '/activities'))
    ).json!.result!.filter((a) => a.targetKeyId === made.key.id);
    expect(byUser).toMatchObject([
      { actorType: 'user', actorDetails: 'dana@example.com', keyUpdateType: 'created' },
      { actorType: 'user', actorDetails: 'dana@example.com', keyUpdateType: 'state-changed' },
    ]);

    // Activities of other types, and an entry served without fields (the spec requires none).
    const started = emulator.addActivity({ type: 'service_start' });
    const bare = emulator.addActivity({ type: 'key_create', without: ['id', 'actorId'] });
    const served = (
      await send<Array<Record<string, unknown>>>('GET', orgPath(emulator, '/activities'))
    ).json!.result!.slice(-2);
    expect(served[0]).toMatchObject({ id: started.id, type: 'service_start', actorType: 'user' });
    expect(served[1]).toEqual({ ...bare, id: undefined, actorId: undefined });
    expect(Object.keys(served[1]!)).not.toContain('id');

    // Services and custom roles (the spec's "Service" and "Role Management" operations).
    const service = emulator.addService({ name: 'contract service' });
    expect((await send('GET', orgPath(emulator, '/services'))).status).toBe(200);
    expect((await send('GET', orgPath(emulator, `/services/${service.id}`))).status).toBe(200);
    expect((await send('GET', orgPath(emulator, `/services/${randomUUID()}`))).status).toBe(404);
    const custom = await send<EmulatedRole>('POST', orgPath(emulator, '/roles'), {
      name: 'keyhouse:reader:contract',
      actors: [],
      policies: [
        {
          allowDeny: 'ALLOW',
          permissions: ['control-plane:service:view', 'sql-console:database:access'],
          resources: [`instance/${service.id}`],
          tags: { roleV2: 'sql-console-readonly', grants: ['default'] },
        },
      ],
    });
    expect(custom.status).toBe(200);
    const rolePath = orgPath(emulator, `/roles/${custom.json!.result!.id}`);
    const twin = { name: 'keyhouse:reader:contract', actors: [], policies: [] };
    expect((await send('POST', orgPath(emulator, '/roles'), twin)).status).toBe(400);
    const holder = emulator.addKey({ name: 'role-holder' });
    expect((await send('PATCH', rolePath, { actors: [`apiKey/${holder.key.id}`] })).status).toBe(200);
    expect((await send('DELETE', rolePath)).status).toBe(400);
    expect((await send('PATCH', rolePath, { name: 'renamed', actors: [], policies: [] })).status).toBe(200);
    expect((await send('PATCH', orgPath(emulator, `/roles/${someRole.id}`), { name: 'x' })).status).toBe(400);
    expect((await send('DELETE', orgPath(emulator, `/roles/${someRole.id}`))).status).toBe(400);
    expect((await send('DELETE', rolePath)).status).toBe(200);
    expect((await send('DELETE', rolePath)).status).toBe(404);

    const routes = new Set(emulator.requests.map((request) => request.route));
    const all: EmulatorRoute[] = [
      'listOrganizations',
      'getOrganization',
      'listKeys',
      'createKey',
      'getKey',
      'updateKey',
      'deleteKey',
      'listRoles',
      'getRole',
      'createRole',
      'updateRole',
      'deleteRole',
      'listServices',
      'getService',
      'listActivities',
    ];
    expect([...routes].sort()).toEqual([...all].sort());
    expect(new Set(emulator.requests.map((request) => request.status))).toEqual(
      new Set([200, 400, 401, 404, 429, 500, 503]),
    );

    const violations = emulator.requests.flatMap((exchange) =>
      spec
        .validateExchange(exchange, { strict: true })
        .map((v) => `${exchange.method} ${exchange.path}: ${v}`),
    );
    expect(violations).toEqual([]);
  });

  it('the request check fails a wrong type, an unknown enum value and an invented field', () => {
    expect(spec.validateRequestBody('POST', KEYS, { name: 'x', expireAt: 5 })).toEqual([
      expect.stringContaining('/expireAt'),
    ]);
    expect(spec.validateRequestBody('POST', KEYS, { name: 'x', state: 'on' })).toEqual([
      expect.stringMatching(/\/state .*enabled, disabled/),
    ]);
    expect(spec.validateRequestBody('POST', KEYS, { name: 'x', owner: 'U123' })).toEqual([
      expect.stringContaining("'owner'"),
    ]);
    expect(
      spec.validateRequestBody('PATCH', KEY, { ipAccessList: [{ source: '1.2.3.4', note: 'x' }] }),
    ).toEqual([expect.stringContaining("'note'")]);
    expect(spec.validateRequestBody('POST', KEYS, { name: 'x', assignedRoleIds: ['admin'] })).toEqual([
      expect.stringMatching(/assignedRoleIds\/0 .*uuid/),
    ]);
    expect(spec.validateRequestBody('POST', KEYS, undefined)).toHaveLength(1);
    expect(spec.validateRequestBody('GET', KEYS, { name: 'x' })).toHaveLength(1);
  });

  it('the response check fails a wrong type, and in strict mode an invented field', async () => {
    const created = await call<{ key: EmulatedKey }>(emulator, 'POST', orgPath(emulator, '/keys'), {
      body: { name: 'to-break' },
    });
    const good = created.json!;
    expect(spec.validateResponseBody('POST', KEYS, 200, good, { strict: true })).toEqual([]);

    const wrongSuffix = structuredClone(good);
    (wrongSuffix.result!.key as unknown as { keySuffix: number }).keySuffix = 7;
    expect(spec.validateResponseBody('POST', KEYS, 200, wrongSuffix)).toEqual([
      expect.stringContaining('/result/key/keySuffix'),
    ]);

    const invented = { ...good, result: { ...good.result, key: { ...good.result!.key, owner: 'U1' } } };
    expect(spec.validateResponseBody('POST', KEYS, 200, invented)).toEqual([]);
    expect(spec.validateResponseBody('POST', KEYS, 200, invented, { strict: true })).toEqual([
      expect.stringContaining("'owner'"),
    ]);

    expect(
      spec.validateResponseBody('GET', KEYS, 404, { status: 404, error: 'NOT_FOUND: x', requestId: 'nope' }),
    ).toEqual([expect.stringContaining('/requestId')]);
    expect(spec.validateResponseBody('GET', KEYS, 302, {})).toEqual([
      expect.stringContaining('not declared'),
    ]);
  });

  it('recorded garbage fails the exchange check', async () => {
    emulator.garbageNext('listKeys', 1, 'wrong-types');
    emulator.garbageNext('listKeys', 1, 'non-json');
    await call(emulator, 'GET', orgPath(emulator, '/keys'));
    await call(emulator, 'GET', orgPath(emulator, '/keys'));
    const [wrong, html] = emulator.requests.slice(-2);
    expect(spec.validateExchange(wrong!).length).toBeGreaterThan(0);
    expect(spec.validateExchange(html!)).toEqual([expect.stringMatching(/^response body must be object/)]);
  });

  it('matchPath maps concrete paths to templates, literal segments first', () => {
    const org = randomUUID();
    expect(spec.matchPath('GET', '/v1/organizations')).toBe('/v1/organizations');
    expect(spec.matchPath('get', `/v1/organizations/${org}`)).toBe('/v1/organizations/{organizationId}');
    expect(spec.matchPath('POST', `/v1/organizations/${org}/keys?x=1`)).toBe(KEYS);
    expect(spec.matchPath('DELETE', `/v1/organizations/${org}/keys/${randomUUID()}`)).toBe(KEY);
    expect(spec.matchPath('GET', `/v1/organizations/${org}/roles/${randomUUID()}`)).toBe(
      '/v1/organizations/{organizationId}/roles/{roleId}',
    );
    expect(spec.matchPath('PUT', '/v1/organizations')).toBeNull();
    expect(spec.matchPath('GET', '/v2/nothing')).toBeNull();
  });
});
