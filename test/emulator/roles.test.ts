import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  EmulatedKey,
  EmulatedRole,
  EmulatedService,
  Emulator,
  NewPolicy,
} from '../../dev/emulator/server.js';
import { startEmulator } from '../../dev/emulator/server.js';
import { ManualClock } from '../support/clock.js';
import { call, expectRefusal, orgPath, UUID_V4 } from './http.js';

const START = '2026-03-10T12:00:00.000Z';
let clock: ManualClock;
let emulator: Emulator;
let prod: EmulatedService;
let analytics: EmulatedService;

beforeEach(async () => {
  clock = new ManualClock(START);
  emulator = await startEmulator({ clock });
  prod = emulator.addService({ name: 'prod-eu' });
  analytics = emulator.addService({ name: 'analytics', provider: 'gcp', region: 'europe-west4' });
});
afterEach(async () => {
  await emulator.close();
});

const readOn = (...services: EmulatedService[]): NewPolicy => ({
  allowDeny: 'ALLOW',
  permissions: ['control-plane:service:view'],
  resources: services.map((service) => `instance/${service.id}`),
});

async function createRole(body: unknown) {
  return call<EmulatedRole>(emulator, 'POST', orgPath(emulator, '/roles'), { body });
}

async function patchRole(id: string, body: unknown) {
  return call<EmulatedRole>(emulator, 'PATCH', orgPath(emulator, `/roles/${id}`), { body });
}

async function madeRole(body: Record<string, unknown> = {}): Promise<EmulatedRole> {
  const answer = await createRole({ name: 'readers', actors: [], policies: [readOn(prod)], ...body });
  expect(answer.status).toBe(200);
  return answer.json!.result!;
}

async function createKey(body: Record<string, unknown>) {
  return call<{ key: EmulatedKey }>(emulator, 'POST', orgPath(emulator, '/keys'), { body });
}

const keyOf = (id: string) => emulator.keys().find((key) => key.id === id);
const systemRole = (name: string) => emulator.roles().find((role) => role.name === name)!;

describe('services', () => {
  it('lists the seeded services in Service shape and gets one by id', async () => {
    const listed = await call<EmulatedService[]>(emulator, 'GET', orgPath(emulator, '/services'));
    expect(listed.status).toBe(200);
    expect(listed.json?.result?.map((service) => service.name)).toEqual(['prod-eu', 'analytics']);
    expect(listed.json?.result?.[1]).toMatchObject({
      id: analytics.id,
      provider: 'gcp',
      region: 'europe-west4',
      state: 'running',
      autoscalingMode: 'vertical',
      createdAt: START,
      currentScaling: expect.objectContaining({ effectiveAutoscalingMode: 'vertical' }),
    });
    const one = await call<EmulatedService>(emulator, 'GET', orgPath(emulator, `/services/${prod.id}`));
    expect(one.json?.result).toEqual(prod);
  });

  it('answers 404 for an unknown service, 400 for a malformed id, none for a tag filter', async () => {
    const missing = await call(emulator, 'GET', orgPath(emulator, `/services/${randomUUID()}`));
    expect(missing.status).toBe(404);
    expect(missing.json?.error).toMatch(/^NOT_FOUND: Service /);
    expect((await call(emulator, 'GET', orgPath(emulator, '/services/prod-eu'))).status).toBe(400);
    const filtered = await call<unknown[]>(
      emulator,
      'GET',
      `${orgPath(emulator, '/services')}?filter=${encodeURIComponent('tag:Environment=Production')}`,
    );
    expect(filtered.json?.result).toEqual([]);
  });

  it('shows a service renamed in the console, and forgets one deleted there; roles keep naming it', async () => {
    const role = await madeRole({ policies: [readOn(prod, analytics)] });
    emulator.renameService(prod.id, 'prod eu old');
    emulator.removeService(analytics.id);

    const listed = await call<EmulatedService[]>(emulator, 'GET', orgPath(emulator, '/services'));
    expect(listed.json?.result?.map((service) => [service.id, service.name])).toEqual([
      [prod.id, 'prod eu old'],
    ]);
    expect((await call(emulator, 'GET', orgPath(emulator, `/services/${analytics.id}`))).status).toBe(404);
    const reread = await call<EmulatedRole>(emulator, 'GET', orgPath(emulator, `/roles/${role.id}`));
    expect(reread.json?.result?.policies[0]?.resources).toEqual([
      `instance/${prod.id}`,
      `instance/${analytics.id}`,
    ]);
    expect(() => emulator.removeService(analytics.id)).toThrow(/not found/);
    expect(() => emulator.addService({ name: 'bad/name' })).toThrow(/service name/);
  });
});

describe('custom roles', () => {
  it('creates a role in RBACRole shape, listed and readable by id', async () => {
    const answer = await createRole({
      name: 'keyhouse:reader:1a2b3c',
      actors: [],
      policies: [readOn(prod, analytics)],
    });
    expect(answer.status).toBe(200);
    const role = answer.json!.result!;
    const tenantId = `organization/${emulator.organizationId}`;
    expect(role).toEqual({
      id: expect.stringMatching(UUID_V4),
      tenantId,
      ownerId: tenantId,
      name: 'keyhouse:reader:1a2b3c',
      type: 'custom',
      actors: [],
      policies: [
        {
          id: expect.stringMatching(UUID_V4),
          roleId: role.id,
          tenantId,
          allowDeny: 'ALLOW',
          permissions: ['control-plane:service:view'],
          resources: [`instance/${prod.id}`, `instance/${analytics.id}`],
        },
      ],
      createdAt: START,
      updatedAt: START,
    });
    const listed = await call<EmulatedRole[]>(emulator, 'GET', orgPath(emulator, '/roles'));
    expect(listed.json?.result?.filter((r) => r.type === 'custom')).toEqual([role]);
    const got = await call<EmulatedRole>(emulator, 'GET', orgPath(emulator, `/roles/${role.id}`));
    expect(got.json?.result).toEqual(role);
  });

  it('an apiKey actor holds the role: the key reads it back, and the change is an activity', async () => {
    const key = (await createKey({ name: 'scoped' })).json!.result!.key;
    const role = await madeRole({ actors: [`apiKey/${key.id}`, `user/${randomUUID()}`] });
    expect(role.actors).toEqual(expect.arrayContaining([`apiKey/${key.id}`]));
    expect(role.actors).toHaveLength(2);
    expect(keyOf(key.id)?.assignedRoles).toEqual([
      { roleId: role.id, roleName: 'readers', roleType: 'custom' },
    ]);
    expect(
      emulator
        .activities()
        .filter((a) => a.targetKeyId === key.id)
        .map((a) => a.keyUpdateType),
    ).toEqual(['created', 'roles-v2-changed']);
  });

  it('a key given the role by assignedRoleIds appears among its actors, until the key is deleted', async () => {
    const role = await madeRole();
    const key = (await createKey({ name: 'scoped', assignedRoleIds: [role.id] })).json!.result!.key;
    expect(key.assignedRoles).toEqual([{ roleId: role.id, roleName: 'readers', roleType: 'custom' }]);
    expect(emulator.roles().find((r) => r.id === role.id)?.actors).toEqual([`apiKey/${key.id}`]);
    expect((await call(emulator, 'DELETE', orgPath(emulator, `/keys/${key.id}`))).status).toBe(200);
    expect(emulator.roles().find((r) => r.id === role.id)?.actors).toEqual([]);
  });

  const other = randomUUID();
  /** A body with one ALLOW policy of `permission` on `resource`. */
  const granting = (permission: string, resource: string) => ({
    name: 'x',
    actors: [],
    policies: [{ allowDeny: 'ALLOW', permissions: [permission], resources: [resource] }],
  });
  const VIEW = 'control-plane:service:view';
  const ORG_VIEW = 'control-plane:organization:view';
  it.each<[string, (ids: { prod: string; org: string }) => unknown, RegExp]>([
    ['no name', () => ({ actors: [], policies: [] }), /name/],
    ['a blank name', () => ({ name: '  ', actors: [], policies: [] }), /name/],
    ['no actors', () => ({ name: 'x', policies: [] }), /actors/],
    ['no policies', () => ({ name: 'x', actors: [] }), /policies/],
    [
      'an unknown allowDeny',
      ({ prod }) => ({
        ...granting(VIEW, prod),
        policies: [{ allowDeny: 'MAYBE', permissions: [VIEW], resources: [prod] }],
      }),
      /policies\.0\.allowDeny/,
    ],
    [
      'a policy without permissions',
      ({ prod }) => ({
        ...granting(VIEW, prod),
        policies: [{ allowDeny: 'ALLOW', permissions: [], resources: [prod] }],
      }),
      /at least one permission/,
    ],
    [
      'an unknown permission',
      ({ prod }) => granting('control-plane:service:everything', prod),
      /policies\.0\.permissions\.0 .*unknown permission/,
    ],
    ...(['instance/prod-eu', 'cluster/*', `instance/${other}/x`, 'instance/'] as const).map(
      (resource): [string, () => unknown, RegExp] => [
        `the resource ${resource}`,
        () => granting(VIEW, resource),
        /policies\.0\.resources\.0 .*must be instance\/<service id>, instance\/\* or organization/,
      ],
    ),
    [
      "another organization's resource",
      () => granting(ORG_VIEW, `organization/${other}`),
      /resources\.0 'organization\//,
    ],
    ['a service that does not exist', () => granting(VIEW, `instance/${other}`), /no such service/],
    [
      'a service permission on the organization',
      ({ org }) => granting(VIEW, org),
      /a service permission needs instance resources only/,
    ],
    [
      'an organization permission on a service',
      ({ prod }) => granting(ORG_VIEW, prod),
      /an? organization permission needs organization resources only/,
    ],
    ['a malformed actor', () => ({ name: 'x', actors: ['team/42'], policies: [] }), /actors\.0 /],
    [
      'an unknown key as actor',
      () => ({ name: 'x', actors: [`apiKey/${other}`], policies: [] }),
      /no such API key/,
    ],
    ["a system role's name", () => ({ name: 'member', actors: [], policies: [] }), /"Member" already exists/],
  ])('refuses to create a role with %s (400, nothing made)', async (_label, body, message) => {
    const answer = await createRole(
      body({ prod: `instance/${prod.id}`, org: `organization/${emulator.organizationId}` }),
    );
    expectRefusal(answer, 400, message);
    expect(emulator.roles().filter((role) => role.type === 'custom')).toEqual([]);
  });

  it('a role made in the console (addRole) is listed like any custom role; it is refused as the API would', async () => {
    const role = emulator.addRole({ name: 'analysts', actors: [], policies: [readOn(analytics)] });
    const listed = await call<EmulatedRole[]>(emulator, 'GET', orgPath(emulator, '/roles'));
    expect(listed.json?.result?.find((r) => r.id === role.id)).toEqual(role);
    expect(() => emulator.addRole({ name: 'Analysts', actors: [], policies: [] })).toThrow(/already exists/);
  });

  it('refuses a second role of the same name, whatever its case', async () => {
    await madeRole({ name: 'Readers' });
    const twin = await createRole({ name: 'readers', actors: [], policies: [] });
    expect(twin.status).toBe(400);
    expect(twin.json?.error).toMatch(/"Readers" already exists/);
  });

  it('accepts instance/*, an organization policy, DENY and SQL console tags', async () => {
    const org = `organization/${emulator.organizationId}`;
    const role = await madeRole({
      policies: [
        { allowDeny: 'ALLOW', permissions: ['control-plane:organization:view'], resources: [org] },
        {
          allowDeny: 'ALLOW',
          permissions: ['sql-console:database:access'],
          resources: ['instance/*'],
          tags: { roleV2: 'sql-console-readonly', grants: ['default'] },
        },
        {
          allowDeny: 'DENY',
          permissions: ['control-plane:service:view'],
          resources: [`instance/${prod.id}`],
        },
      ],
    });
    expect(role.policies.map((p) => [p.allowDeny, p.resources, p.tags])).toEqual([
      ['ALLOW', [org], undefined],
      ['ALLOW', ['instance/*'], { roleV2: 'sql-console-readonly', grants: ['default'] }],
      ['DENY', [`instance/${prod.id}`], undefined],
    ]);
  });
});

describe('updating roles', () => {
  it('replaces the fields given, and only those; policies get new ids', async () => {
    const role = await madeRole();
    clock.advance(60_000);
    const renamed = await patchRole(role.id, { name: 'prod readers' });
    expect(renamed.json?.result).toEqual({
      ...role,
      name: 'prod readers',
      updatedAt: '2026-03-10T12:01:00.000Z',
    });

    const widened = await patchRole(role.id, { policies: [readOn(prod, analytics)] });
    const policy = widened.json!.result!.policies[0]!;
    expect(widened.json?.result?.name).toBe('prod readers');
    expect(policy.resources).toEqual([`instance/${prod.id}`, `instance/${analytics.id}`]);
    expect(policy.id).not.toBe(role.policies[0]!.id);

    const unchanged = await patchRole(role.id, {});
    expect(unchanged.status).toBe(200);
    expect(unchanged.json?.result?.policies).toEqual(widened.json?.result?.policies);
  });

  it('a given actors list replaces who holds the role, on the keys too', async () => {
    const first = (await createKey({ name: 'first' })).json!.result!.key;
    const second = (await createKey({ name: 'second' })).json!.result!.key;
    const role = await madeRole({ actors: [`apiKey/${first.id}`] });

    const moved = await patchRole(role.id, { actors: [`apiKey/${second.id}`] });
    expect(moved.json?.result?.actors).toEqual([`apiKey/${second.id}`]);
    expect(keyOf(first.id)?.assignedRoles).toEqual([]);
    expect(keyOf(second.id)?.assignedRoles.map((r) => r.roleId)).toEqual([role.id]);
    expect(
      emulator
        .activities()
        .filter((a) => a.keyUpdateType === 'roles-v2-changed')
        .map((a) => a.targetKeyId),
    ).toEqual([first.id, first.id, second.id]);
  });

  it('refuses a system role (400), an unknown role (404) and a bad policy, changing nothing', async () => {
    const admin = systemRole('Admin');
    const system = await patchRole(admin.id, { name: 'Boss' });
    expect(system.status).toBe(400);
    expect(system.json?.error).toBe('BAD_REQUEST: System role Admin cannot be updated');
    expect(systemRole('Admin')).toEqual(admin);

    expect((await patchRole(randomUUID(), { name: 'x' })).status).toBe(404);

    const role = await madeRole();
    const bad = await patchRole(role.id, {
      name: 'renamed',
      policies: [{ allowDeny: 'ALLOW', permissions: ['control-plane:service:view'], resources: ['x'] }],
    });
    expect(bad.status).toBe(400);
    expect(emulator.roles().find((r) => r.id === role.id)).toEqual(role);
    expect((await patchRole(role.id, { name: systemRole('Member').name })).status).toBe(400);
  });
});

describe('deleting roles', () => {
  it('deletes a custom role: no result, then 404', async () => {
    const role = await madeRole();
    const deleted = await call(emulator, 'DELETE', orgPath(emulator, `/roles/${role.id}`));
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({ status: 200, requestId: expect.stringMatching(UUID_V4) });
    expect(emulator.roles().some((r) => r.id === role.id)).toBe(false);
    expect((await call(emulator, 'DELETE', orgPath(emulator, `/roles/${role.id}`))).status).toBe(404);
  });

  it('refuses a system role, and a role a key still holds until the key lets it go', async () => {
    const member = systemRole('Member');
    const system = await call(emulator, 'DELETE', orgPath(emulator, `/roles/${member.id}`));
    expect(system.status).toBe(400);
    expect(system.json?.error).toBe('BAD_REQUEST: System role Member cannot be deleted');

    const role = await madeRole();
    const key = (await createKey({ name: 'scoped', assignedRoleIds: [role.id] })).json!.result!.key;
    const inUse = await call(emulator, 'DELETE', orgPath(emulator, `/roles/${role.id}`));
    expect(inUse.status).toBe(400);
    expect(inUse.json?.error).toBe(
      `BAD_REQUEST: Role ${role.id} is still assigned to apiKey/${key.id}; unassign it first`,
    );
    expect(keyOf(key.id)?.assignedRoles).toHaveLength(1);

    await call(emulator, 'PATCH', orgPath(emulator, `/keys/${key.id}`), { body: { assignedRoleIds: [] } });
    expect((await call(emulator, 'DELETE', orgPath(emulator, `/roles/${role.id}`))).status).toBe(200);
  });
});

describe('legacy roles and assigned roles, both ways', () => {
  it('a key made with legacy roles reads back with the system roles they stand for', async () => {
    const key = (await createKey({ name: 'qe', roles: ['query_endpoints'] })).json!.result!.key;
    expect(key.roles).toEqual(['query_endpoints']);
    expect(key.assignedRoles.map((r) => [r.roleName, r.roleType])).toEqual([
      ['Member', 'system'],
      ['Basic service API reader', 'system'],
    ]);
    const admin = emulator.keys().find((k) => k.id === emulator.adminKey.id)!;
    expect(admin.assignedRoles.map((r) => r.roleName)).toEqual(['Admin']);
  });

  it('a key made with assignedRoleIds has no legacy roles, and a PATCH of them leaves `roles` frozen', async () => {
    const role = await madeRole();
    const key = (await createKey({ name: 'scoped', assignedRoleIds: [role.id] })).json!.result!.key;
    expect(key.roles).toEqual([]);

    const legacy = (await createKey({ name: 'old', roles: ['developer'] })).json!.result!.key;
    const moved = await call<EmulatedKey>(emulator, 'PATCH', orgPath(emulator, `/keys/${legacy.id}`), {
      body: { assignedRoleIds: [role.id] },
    });
    expect(moved.json?.result).toMatchObject({
      roles: ['developer'],
      assignedRoles: [{ roleId: role.id, roleName: 'readers', roleType: 'custom' }],
    });

    const back = await call<EmulatedKey>(emulator, 'PATCH', orgPath(emulator, `/keys/${legacy.id}`), {
      body: { roles: ['admin'] },
    });
    expect(back.json?.result).toMatchObject({
      roles: ['admin'],
      assignedRoles: [expect.objectContaining({ roleName: 'Admin', roleType: 'system' })],
    });
  });

  it('refuses an unknown role id on PATCH as on create, changing nothing', async () => {
    const role = await madeRole();
    const key = (await createKey({ name: 'scoped', assignedRoleIds: [role.id] })).json!.result!.key;
    const answer = await call(emulator, 'PATCH', orgPath(emulator, `/keys/${key.id}`), {
      body: { name: 'renamed', assignedRoleIds: [role.id, randomUUID()] },
    });
    expect(answer.status).toBe(400);
    expect(answer.json?.error).toMatch(/^BAD_REQUEST: Unknown role id/);
    expect(keyOf(key.id)).toEqual(key);
  });
});
