import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../dev/emulator/server.js';
import { ClickHouseCloudClient } from '../../src/api/client.js';
import { BadRequestError, NotFoundError } from '../../src/core/api-errors.js';
import type { RoleApi } from '../../src/core/ports.js';
import { Secret } from '../../src/core/secret.js';
import { SERVICE_ACCESS, SERVICE_ACCESS_TABLE, servicePolicies } from '../../src/core/service-access.js';
import { loadOpenApiContract } from '../support/openapi.js';
import { requirement } from '../support/requirements.js';

/** On a clone without `../shared/ref` the exchanges are not checked against the spec (required in CI). */
const contract = requirement(loadOpenApiContract(), '../shared/ref/clickhouse-cloud-openapi.json not found');

let emulator: Emulator | undefined;

afterEach(async () => {
  if (emulator !== undefined && contract !== null) {
    // Every exchange, both ways, fits the official schemas; the emulator's answers strictly.
    const violations = emulator.requests.flatMap((exchange) =>
      contract
        .validateExchange(exchange, { strict: true })
        .map((v) => `${exchange.method} ${exchange.path}: ${v}`),
    );
    expect(violations).toEqual([]);
  }
  await emulator?.close();
  emulator = undefined;
});

async function start(): Promise<{ em: Emulator; client: ClickHouseCloudClient }> {
  emulator = await startEmulator();
  const client = new ClickHouseCloudClient({
    baseUrl: emulator.url,
    keyId: emulator.adminKey.keyId,
    keySecret: new Secret(emulator.adminKey.keySecret),
    sleep: async () => {},
    // Not about the budget (test/api/emulator.test.ts is): a test's dozen calls need not wait for it.
    rateLimit: { requests: 100, windowMs: 1_000 },
  });
  return { em: emulator, client };
}

const ANYWHERE = [{ source: '0.0.0.0/0' }];

describe('roles and services against the emulator', () => {
  it('the client is a RoleApi', async () => {
    const { client } = await start();
    const api: RoleApi = client;
    expect(await api.listServices()).toEqual([]);
  });

  it('a key scoped to two services: a custom role on exactly those instances, read back from the key', async () => {
    const { em, client } = await start();
    const [prod, analytics] = [em.addService({ name: 'prod' }), em.addService({ name: 'analytics' })];
    em.addService({ name: 'staging' });

    const services = await client.listServices();
    expect(services.map((service) => service.name)).toEqual(['prod', 'analytics', 'staging']);
    const chosen = services.filter((service) => service.name !== 'staging').map((service) => service.id);
    const role = await client.createRole({
      name: 'keyhouse:service-reader:3f9a1c',
      actors: [],
      policies: servicePolicies('read', chosen),
    });
    const key = await client.createKey({
      name: 'scoped',
      expireAt: null,
      assignedRoleIds: [role.id],
      ipAccessList: ANYWHERE,
    });

    expect(key.key.assignedRoles).toEqual([
      { roleId: role.id, roleName: 'keyhouse:service-reader:3f9a1c', roleType: 'custom' },
    ]);
    const inEmulator = em.roles().find((r) => r.id === role.id)!;
    expect(inEmulator.policies.flatMap((p) => p.resources).sort()).toEqual(
      [`instance/${prod.id}`, `instance/${analytics.id}`].sort(),
    );
    expect(inEmulator.actors).toEqual([`apiKey/${key.key.id}`]);
    expect((await client.getRole(role.id)).actors).toEqual([`apiKey/${key.key.id}`]);
  });

  it.each(SERVICE_ACCESS)(
    'the table’s %s permissions are ones ClickHouse (the emulator) takes',
    async (access) => {
      const { em, client } = await start();
      const service = em.addService({ name: 'prod' });
      const role = await client.createRole({
        name: `keyhouse:${access}:0001`,
        actors: [],
        policies: servicePolicies(access, [service.id]),
      });
      expect(role.policies).toEqual([
        expect.objectContaining({
          allowDeny: 'ALLOW',
          permissions: SERVICE_ACCESS_TABLE[access].permissions.map((permission) => permission.name),
          resources: [`instance/${service.id}`],
        }),
      ]);

      // A query-endpoints key holds the organization role Member beside the service role.
      const organizationRole = SERVICE_ACCESS_TABLE[access].organizationRole;
      const systemRoles = organizationRole
        ? (await client.listRoles()).filter(
            (r) => r.name.toLowerCase() === organizationRole.name.toLowerCase(),
          )
        : [];
      expect(systemRoles).toHaveLength(organizationRole ? 1 : 0);
      const key = await client.createKey({
        name: `${access}-key`,
        expireAt: null,
        assignedRoleIds: [role.id, ...systemRoles.map((r) => r.id)],
        ipAccessList: ANYWHERE,
      });
      expect(key.key.assignedRoles.map((r) => [r.roleName, r.roleType])).toEqual([
        [`keyhouse:${access}:0001`, 'custom'],
        ...(organizationRole ? [[organizationRole.name, 'system']] : []),
      ]);
    },
  );

  it('a role a key holds is not deleted until the key lets it go; then it is gone from the list', async () => {
    const { em, client } = await start();
    const service = em.addService({ name: 'prod' });
    const role = await client.createRole({
      name: 'keyhouse:reader:77aa00',
      actors: [],
      policies: servicePolicies('read', [service.id]),
    });
    const { key } = await client.createKey({
      name: 'holder',
      expireAt: null,
      assignedRoleIds: [role.id],
      ipAccessList: ANYWHERE,
    });

    const refused = await client.deleteRole(role.id).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BadRequestError);
    expect((refused as BadRequestError).serverMessage).toMatch(/still assigned to apiKey\//);
    expect((await client.listRoles({ fresh: true })).some((r) => r.id === role.id)).toBe(true);

    await client.updateKey(key.id, { assignedRoleIds: [] });
    await client.deleteRole(role.id);
    const requests = em.requests.length;
    expect((await client.listRoles()).some((r) => r.id === role.id)).toBe(false);
    expect(em.requests).toHaveLength(requests);
    await expect(client.getRole(role.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('updateRole replaces the policies: a widened role names the new service', async () => {
    const { em, client } = await start();
    const [prod, analytics] = [em.addService({ name: 'prod' }), em.addService({ name: 'analytics' })];
    const role = await client.createRole({
      name: 'keyhouse:reader:5511ee',
      actors: [],
      policies: servicePolicies('read', [prod.id]),
    });
    const widened = await client.updateRole(role.id, {
      policies: servicePolicies('manage', [prod.id, analytics.id]),
    });
    expect(widened.policies).toHaveLength(1);
    expect(widened.policies[0]?.permissions).toEqual([
      'control-plane:service:view',
      'control-plane:service:manage',
    ]);
    expect([...(widened.policies[0]?.resources ?? [])].sort()).toEqual(
      [`instance/${prod.id}`, `instance/${analytics.id}`].sort(),
    );
    expect((await client.listRoles()).find((r) => r.id === role.id)?.policies).toEqual(widened.policies);
  });

  it('refuses what ClickHouse refuses: a system role, a service that does not exist, an unknown role id', async () => {
    const { client } = await start();
    const admin = (await client.listRoles()).find((r) => r.name === 'Admin')!;
    await expect(client.updateRole(admin.id, { name: 'Boss' })).rejects.toBeInstanceOf(BadRequestError);
    await expect(client.deleteRole(admin.id)).rejects.toBeInstanceOf(BadRequestError);
    await expect(
      client.createRole({ name: 'ghost', actors: [], policies: servicePolicies('read', [randomUUID()]) }),
    ).rejects.toBeInstanceOf(BadRequestError);
    await expect(
      client.createKey({
        name: 'k',
        expireAt: null,
        assignedRoleIds: [randomUUID()],
        ipAccessList: ANYWHERE,
      }),
    ).rejects.toBeInstanceOf(BadRequestError);
    await expect(client.getRole(randomUUID())).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a service renamed or deleted in the console shows once the list is read again', async () => {
    const { em, client } = await start();
    const [prod, analytics] = [em.addService({ name: 'prod' }), em.addService({ name: 'analytics' })];
    expect(await client.listServices()).toHaveLength(2);
    em.renameService(prod.id, 'prod old');
    em.removeService(analytics.id);
    expect((await client.listServices()).map((s) => s.name)).toEqual(['prod', 'analytics']);
    expect((await client.listServices({ fresh: true })).map((s) => [s.id, s.name])).toEqual([
      [prod.id, 'prod old'],
    ]);
  });
});
