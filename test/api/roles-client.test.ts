import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AmbiguousRoleCreateError,
  ApiTimeoutError,
  BadRequestError,
  ClickHouseApiError,
  InternalServerError,
  InvalidResponseError,
} from '../../src/core/api-errors.js';
import type { CreateRoleInput } from '../../src/core/clickhouse.js';
import { isKeyhouseError } from '../../src/core/errors.js';
import { jsonBody, KEYS_PATH, type MockSetup, mockClientPerTest, ORG_ID, ok } from './fixtures.js';

const use = mockClientPerTest();

const ROLES_PATH = `/v1/organizations/${ORG_ID}/roles`;
const SERVICES_PATH = `/v1/organizations/${ORG_ID}/services`;
const SERVICE_ID = randomUUID();

/** An `RBACRole` as the API returns it, with overrides. */
function rbacRole(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const id = randomUUID();
  return {
    id,
    tenantId: `organization/${ORG_ID}`,
    ownerId: `organization/${ORG_ID}`,
    name: 'keyhouse:reader:ab12cd',
    type: 'custom',
    actors: [],
    policies: [
      {
        id: randomUUID(),
        roleId: id,
        tenantId: `organization/${ORG_ID}`,
        allowDeny: 'ALLOW',
        permissions: ['control-plane:service:view'],
        resources: [`instance/${SERVICE_ID}`],
      },
    ],
    createdAt: '2026-05-01T00:00:00Z',
    updatedAt: '2026-05-01T00:00:00Z',
    ...overrides,
  };
}

function service(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: randomUUID(),
    name: 'prod',
    state: 'running',
    provider: 'aws',
    region: 'us-east-1',
    ...overrides,
  };
}

const CREATE: CreateRoleInput = {
  name: 'keyhouse:reader:ab12cd',
  actors: [],
  policies: [
    {
      allowDeny: 'ALLOW',
      permissions: ['control-plane:service:view'],
      resources: [`instance/${SERVICE_ID}`],
    },
  ],
};

describe('reading roles', () => {
  it('parses the whole RBACRole: policies, actors, tags; tolerant of what the spec leaves optional', async () => {
    const { pool, client } = use();
    const full = rbacRole({
      actors: ['apiKey/11111111-2222-4333-8444-555555555555'],
      policies: [
        {
          id: 'p-1',
          allowDeny: 'ALLOW',
          permissions: ['sql-console:database:access'],
          resources: ['instance/*'],
          tags: { roleV2: 'sql-console-readonly', grants: ['default'] },
        },
        { allowDeny: 'MAYBE', permissions: ['control-plane:service:manage'], resources: ['instance/*'] },
        { permissions: ['control-plane:service:view'] },
      ],
    });
    const bare = { id: randomUUID(), name: 'Member', type: 'system' };
    pool.intercept({ path: ROLES_PATH, method: 'GET' }).reply(200, ok([full, bare]));

    const [role, member] = await client.listRoles();

    expect(role).toMatchObject({ id: full.id, type: 'custom', tenantId: `organization/${ORG_ID}` });
    expect(role?.actors).toEqual(['apiKey/11111111-2222-4333-8444-555555555555']);
    expect(role?.policies).toEqual([
      {
        id: 'p-1',
        allowDeny: 'ALLOW',
        permissions: ['sql-console:database:access'],
        resources: ['instance/*'],
        tags: { roleV2: 'sql-console-readonly', grants: ['default'] },
      },
      // Anything but ALLOW reads as DENY: a role can only look narrower than it is.
      {
        id: null,
        allowDeny: 'DENY',
        permissions: ['control-plane:service:manage'],
        resources: ['instance/*'],
        tags: {},
      },
      { id: null, allowDeny: 'DENY', permissions: ['control-plane:service:view'], resources: [], tags: {} },
    ]);
    expect(member).toEqual({
      id: bare.id,
      name: 'Member',
      type: 'system',
      tenantId: null,
      ownerId: null,
      actors: [],
      policies: [],
      createdAt: null,
      updatedAt: null,
    });
  });

  it('a policy with a wrong type is an InvalidResponseError, not a guess', async () => {
    const { pool, client } = use();
    pool
      .intercept({ path: ROLES_PATH, method: 'GET' })
      .reply(200, ok([rbacRole({ policies: [{ permissions: 7 }] })]));
    const error = await client.listRoles().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toMatch(/result\.0\.policies\.0\.permissions: invalid_type/);
  });

  it('`fresh` asks again; getRole always asks', async () => {
    const { pool, client } = use();
    const role = rbacRole();
    pool
      .intercept({ path: ROLES_PATH, method: 'GET' })
      .reply(200, ok([role]))
      .times(2);
    pool
      .intercept({ path: `${ROLES_PATH}/${role.id}`, method: 'GET' })
      .reply(200, ok(role))
      .times(2);
    await client.listRoles();
    await client.listRoles();
    await client.listRoles({ fresh: true });
    await client.getRole(String(role.id));
    await client.getRole(String(role.id));
    expect(client.stats.byRoute).toEqual({ listRoles: 2, getRole: 2 });
  });
});

describe('services', () => {
  it('concurrent reads share one request; the list is kept serviceListTtlMs; fresh asks again', async () => {
    let now = 1_000_000;
    const { pool, client } = use({ now: () => now, serviceListTtlMs: 30_000 });
    const services = [service(), service({ name: 'analytics', state: 'idle' })];
    pool.intercept({ path: SERVICES_PATH, method: 'GET' }).reply(200, ok(services)).delay(20);
    pool
      .intercept({ path: SERVICES_PATH, method: 'GET' })
      .reply(200, ok([services[0]]))
      .times(2);

    const results = await Promise.all(Array.from({ length: 10 }, () => client.listServices()));
    expect(client.stats.requests).toBe(1);
    expect(results[9]?.map((s) => [s.name, s.state])).toEqual([
      ['prod', 'running'],
      ['analytics', 'idle'],
    ]);
    expect(() => results[0]?.pop()).toThrow(TypeError);

    now += 29_999;
    expect(await client.listServices()).toHaveLength(2);
    expect(client.stats.requests).toBe(1);
    now += 1;
    expect(await client.listServices()).toHaveLength(1);
    expect(await client.listServices({ fresh: true })).toHaveLength(1);
    expect(client.stats.requests).toBe(3);
  });

  it('a service without an id is an InvalidResponseError; missing details read as null', async () => {
    const { pool, client } = use();
    pool.intercept({ path: SERVICES_PATH, method: 'GET' }).reply(200, ok([{ id: SERVICE_ID }]));
    expect(await client.listServices()).toEqual([
      { id: SERVICE_ID, name: '', state: null, provider: null, region: null, createdAt: null },
    ]);
    pool.intercept({ path: SERVICES_PATH, method: 'GET' }).reply(200, ok([{ name: 'nameless' }]));
    await expect(client.listServices({ fresh: true })).rejects.toBeInstanceOf(InvalidResponseError);
  });
});

describe('writing roles', () => {
  it('creates with exactly the declared fields, and the next list shows the role without a request', async () => {
    const { pool, client, calls } = use();
    pool.intercept({ path: ROLES_PATH, method: 'GET' }).reply(200, ok([]));
    const made = rbacRole();
    pool.intercept({ path: ROLES_PATH, method: 'POST' }).reply(200, ok(made));

    await client.listRoles();
    const input = {
      ...CREATE,
      policies: [{ ...CREATE.policies[0]!, tags: { roleV2: 'sql-console-readonly' as const }, extra: 1 }],
    };
    const role = await client.createRole(input as CreateRoleInput);

    expect(jsonBody(calls()[1])).toEqual({
      name: CREATE.name,
      actors: [],
      policies: [{ ...CREATE.policies[0], tags: { roleV2: 'sql-console-readonly' } }],
    });
    expect(role.id).toBe(made.id);
    expect((await client.listRoles()).map((r) => r.id)).toEqual([made.id]);
    expect(client.stats.byRoute).toEqual({ listRoles: 1, createRole: 1 });
  });

  it('never resends a create the server may have processed: 500 → AmbiguousRoleCreateError after one request', async () => {
    const { pool, client, calls } = use();
    pool
      .intercept({ path: ROLES_PATH, method: 'POST' })
      .reply(500, { status: 500, error: 'INTERNAL: boom', requestId: 'r-9' });
    const error = await client.createRole(CREATE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmbiguousRoleCreateError);
    expect(error).toMatchObject({
      roleName: CREATE.name,
      createdRoleId: null,
      status: 500,
      requestId: 'r-9',
    });
    expect((error as Error).cause).toBeInstanceOf(InternalServerError);
    expect(calls()).toHaveLength(1);
  });

  it('a create timing out, or answered 2xx unusably, is ambiguous too; the id is kept when it was there', async () => {
    const { pool, client, calls } = use({ timeoutMs: 50 });
    pool.intercept({ path: ROLES_PATH, method: 'POST' }).reply(200, ok(rbacRole())).delay(1_000);
    const timedOut = await client.createRole(CREATE).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(AmbiguousRoleCreateError);
    expect((timedOut as Error).cause).toBeInstanceOf(ApiTimeoutError);

    const id = randomUUID();
    pool.intercept({ path: ROLES_PATH, method: 'POST' }).reply(200, ok({ id, policies: 'all' }));
    const garbled = await client.createRole(CREATE).catch((e: unknown) => e);
    expect(garbled).toBeInstanceOf(AmbiguousRoleCreateError);
    expect(garbled).toMatchObject({ createdRoleId: id });
    expect((garbled as Error).cause).toBeInstanceOf(InvalidResponseError);
    expect(calls()).toHaveLength(2);
  });

  it('a create refused with 400 is a plain BadRequestError, not ambiguous', async () => {
    const { pool, client } = use();
    pool
      .intercept({ path: ROLES_PATH, method: 'POST' })
      .reply(400, { status: 400, error: 'BAD_REQUEST: A role named "x" already exists', requestId: 'r-1' });
    const error = await client.createRole(CREATE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).not.toBeInstanceOf(AmbiguousRoleCreateError);
    expect(error).toMatchObject({ serverMessage: 'BAD_REQUEST: A role named "x" already exists' });
  });

  it('retries a PATCH on 503 and reads the role when the 2xx answer is unusable', async () => {
    const { pool, client, calls } = use();
    const role = rbacRole();
    const path = `${ROLES_PATH}/${role.id}`;
    pool.intercept({ path, method: 'PATCH' }).reply(503, 'unavailable');
    pool.intercept({ path, method: 'PATCH' }).reply(200, ok({ ...role, name: 'renamed' }));
    pool.intercept({ path, method: 'PATCH' }).reply(200, 'garbage');
    pool.intercept({ path, method: 'GET' }).reply(200, ok({ ...role, name: 'again' }));

    expect((await client.updateRole(String(role.id), { name: 'renamed' })).name).toBe('renamed');
    expect((await client.updateRole(String(role.id), { actors: [] })).name).toBe('again');
    expect(calls().map((call) => [call.method, call.body ? JSON.parse(String(call.body)) : null])).toEqual([
      ['PATCH', { name: 'renamed' }],
      ['PATCH', { name: 'renamed' }],
      ['PATCH', { actors: [] }],
      ['GET', null],
    ]);
  });

  it('counts a DELETE retried after a 5xx and answered 404 as done, and drops the role from the list', async () => {
    const { pool, client } = use();
    const role = rbacRole();
    pool.intercept({ path: ROLES_PATH, method: 'GET' }).reply(200, ok([role]));
    pool.intercept({ path: `${ROLES_PATH}/${role.id}`, method: 'DELETE' }).reply(502, 'bad gateway');
    pool
      .intercept({ path: `${ROLES_PATH}/${role.id}`, method: 'DELETE' })
      .reply(404, { status: 404, error: 'NOT_FOUND' });
    await client.listRoles();
    await expect(client.deleteRole(String(role.id))).resolves.toEqual({ requestId: null });
    expect(await client.listRoles()).toEqual([]);
    expect(client.stats.byRoute).toEqual({ listRoles: 1, deleteRole: 2 });
  });

  it('a failed role write drops the cached roles; the key list is untouched', async () => {
    const { pool, client } = use();
    const role = rbacRole();
    pool
      .intercept({ path: ROLES_PATH, method: 'GET' })
      .reply(200, ok([role]))
      .times(2);
    pool
      .intercept({ path: `${ROLES_PATH}/${role.id}`, method: 'PATCH' })
      .reply(400, { status: 400, error: 'BAD_REQUEST: System role Admin cannot be updated' });
    await client.listRoles();
    await expect(client.updateRole(String(role.id), { name: 'x' })).rejects.toBeInstanceOf(BadRequestError);
    await client.listRoles();
    expect(client.stats.byRoute).toEqual({ listRoles: 2, updateRole: 1 });
  });

  it('a role write that names keys or renames a role makes the next key list ask again; others do not', async () => {
    const { pool, client } = use();
    const role = rbacRole();
    const keyActor = `apiKey/${randomUUID()}`;
    pool.intercept({ path: KEYS_PATH, method: 'GET' }).reply(200, ok([])).times(3);
    pool.intercept({ path: ROLES_PATH, method: 'POST' }).reply(200, ok(role)).times(2);
    pool
      .intercept({ path: `${ROLES_PATH}/${role.id}`, method: 'PATCH' })
      .reply(200, ok(role))
      .times(2);

    await client.listKeys();
    await client.createRole(CREATE);
    await client.updateRole(String(role.id), { policies: CREATE.policies });
    await client.listKeys();
    expect(client.stats.byRoute.listKeys).toBe(1);

    await client.createRole({ ...CREATE, actors: [keyActor] });
    await client.listKeys();
    await client.updateRole(String(role.id), { name: 'renamed' });
    await client.listKeys();
    expect(client.stats.byRoute.listKeys).toBe(3);
  });

  const policy = CREATE.policies[0]!;
  it.each<[string, (c: MockSetup['client']) => Promise<unknown>]>([
    ['a blank name', (c) => c.createRole({ ...CREATE, name: ' ' })],
    [
      'an actor that is not user/ or apiKey/<uuid>',
      (c) => c.createRole({ ...CREATE, actors: ['apiKey/ABCD1234'] }),
    ],
    [
      'an unknown allowDeny',
      (c) => c.createRole({ ...CREATE, policies: [{ ...policy, allowDeny: 'allow' as never }] }),
    ],
    [
      'a policy without permissions',
      (c) => c.createRole({ ...CREATE, policies: [{ ...policy, permissions: [] }] }),
    ],
    [
      'a resource by service name',
      (c) => c.createRole({ ...CREATE, policies: [{ ...policy, resources: ['instance/prod'] }] }),
    ],
    [
      'a resource of another kind',
      (c) => c.createRole({ ...CREATE, policies: [{ ...policy, resources: [`cluster/${SERVICE_ID}`] }] }),
    ],
    [
      'an unknown SQL console role',
      (c) =>
        c.createRole({ ...CREATE, policies: [{ ...policy, tags: { roleV2: 'sql-console-root' as never } }] }),
    ],
    ['an empty role update', (c) => c.updateRole(randomUUID(), {})],
    ['a role id that is not a UUID', (c) => c.getRole('Admin')],
    ['a role id that is not a UUID, on delete', (c) => c.deleteRole('Admin')],
  ])('refuses %s before sending', async (_, act) => {
    const { client, calls } = use();
    await expect(act(client)).rejects.toSatisfy(
      (e) => isKeyhouseError(e, 'invalid_input') && !(e instanceof ClickHouseApiError),
    );
    expect(calls()).toHaveLength(0);
  });
});
