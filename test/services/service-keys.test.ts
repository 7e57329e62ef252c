/**
 * Keys for some services only (issue 25, product.md §16), through the workflow and the timers on
 * replicas sharing one store, against the ClickHouse emulator: the key gets the custom role
 * Keyhouse finds or makes for exactly the services picked, a query-endpoints key has Member
 * beside it, two requests for one set make one role, and a role no key uses is deleted a day later.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../src/core/duration.js';
import { isRefused } from '../../src/core/errors.js';
import { serviceRoleName } from '../../src/core/service-scope.js';
import type { PolicyDocument } from '../../src/policy/index.js';
import { keySection } from '../../src/views/key-list.js';
import { testPolicy } from '../support/keyhouse.js';
import { loadOpenApiContract } from '../support/openapi.js';
import { requirement } from '../support/requirements.js';
import { World, worldBackends } from '../support/world.js';

const backends = worldBackends();
/** On a clone without `../shared/ref` the exchanges are not checked against the spec (required in CI). */
const contract = requirement(loadOpenApiContract(), '../shared/ref/clickhouse-cloud-openapi.json not found');

/** Every exchange with the emulator, both ways, fits the official schemas (roles, services, keys). */
function checkExchanges(world: World | undefined): void {
  if (!world || contract === null) return;
  const violations = world.emulator.requests.flatMap((exchange) =>
    contract
      .validateExchange(exchange, { strict: true })
      .map((v) => `${exchange.method} ${exchange.path}: ${v}`),
  );
  expect(violations).toEqual([]);
}

const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
const HOUR = 3_600_000;

function servicePolicy(): PolicyDocument {
  return testPolicy({
    roles: [
      {
        id: 'service-reader',
        label: 'Service reader',
        grant: { services: ['prod-*', 'analytics'], access: 'read' },
        maxExpiry: '90d',
        approvals: 1,
      },
      {
        id: 'endpoints',
        label: 'Query endpoints',
        grant: { services: ['*'], access: 'query-endpoints' },
        maxExpiry: '90d',
        approvals: 0,
      },
    ],
  });
}

describe.each(backends)('keys scoped to services on a $name', ({ postgres: url }) => {
  let world: World;
  afterEach(async () => {
    checkExchanges(world);
    await world?.close();
  });

  async function start() {
    world = await World.start({ postgres: url, instances: 2, policy: servicePolicy() });
    const em = world.emulator;
    const prodEu = em.addService({ name: 'prod-eu' });
    const prodUs = em.addService({ name: 'prod-us' });
    const analytics = em.addService({ name: 'analytics' });
    const staging = em.addService({ name: 'staging' });
    return { prodEu, prodUs, analytics, staging };
  }

  async function request(instance: number, keyName: string, roleId: string, serviceIds: string[]) {
    const workflow = world.instance(instance).workflow;
    const submitted = await workflow.submit(ALICE, {
      keyName,
      roleId,
      expiry: '30d',
      reason: 'Dashboards read these services',
      ipAccessList: '',
      serviceIds,
    });
    if (!submitted.ok) throw new Error(JSON.stringify(submitted.errors));
    if (submitted.request.state === 'pending') await workflow.approve(submitted.request.id, BOB);
    return submitted.request.id;
  }

  const click = (instance: number, requestId: string) =>
    world
      .instance(instance)
      .workflow.claim(requestId, { userId: ALICE, responseUrl: null, channelId: 'D0DM' });

  async function delivered(keyName: string, roleId: string, serviceIds: string[]) {
    const requestId = await request(1, keyName, roleId, serviceIds);
    await click(1, requestId);
    const keyId = (await world.store.getRequest(requestId))?.keyId;
    if (!keyId) throw new Error('no key was delivered');
    return keyId;
  }

  const customRoles = () => world.emulator.roles().filter((role) => role.type === 'custom');
  const keyOf = (id: string) => world.emulator.keys().find((key) => key.id === id);

  it('a key for the two services picked holds a custom role on exactly those instances', async () => {
    const { prodEu, analytics } = await start();
    const keyId = await delivered('dash-reader', 'service-reader', [analytics.id, prodEu.id]);

    const [role] = customRoles();
    expect(customRoles()).toHaveLength(1);
    expect(role!.name).toBe(serviceRoleName('service-reader', 'read', [prodEu.id, analytics.id]));
    expect(role!.name).toMatch(/^keyhouse:service-reader:[0-9a-f]{12}$/);
    expect(role!.policies).toHaveLength(1);
    expect(role!.policies[0]).toMatchObject({
      allowDeny: 'ALLOW',
      permissions: ['control-plane:service:view'],
      resources: [`instance/${prodEu.id}`, `instance/${analytics.id}`].sort(),
    });
    expect(keyOf(keyId)?.assignedRoles.map((r) => r.roleId)).toEqual([role!.id]);
    // What the key reaches is kept with the request and with the key, named as chosen.
    const owner = await world.store.getKeyOwner(keyId);
    expect(owner?.services).toEqual([
      { id: analytics.id, name: 'analytics' },
      { id: prodEu.id, name: 'prod-eu' },
    ]);
    const created = (await world.store.listAudit({})).filter((e) => e.action === 'service_role.create');
    expect(created.map((e) => e.outcome)).toEqual(['attempt', 'ok']);
  });

  it('a list shows a service renamed in the console with its old name, and one deleted there as deleted', async () => {
    const { prodEu, analytics } = await start();
    const keyId = await delivered('dash-reader', 'service-reader', [analytics.id, prodEu.id]);
    world.emulator.renameService(prodEu.id, 'prod-eu-2');
    world.emulator.removeService(analytics.id);
    // Within the services list's cache lifetime the console's change shows once it is read again.
    await world.instance(0).client.listServices({ fresh: true });
    const [entry] = await world.instance(0).workflow.listKeys(ALICE, 'mine');
    expect(entry?.key.id).toBe(keyId);
    const line = keySection(entry!, { scope: 'mine', page: 0 }, world.clock.now()).text?.text ?? '';
    expect(line).toContain(
      '*Services* (read): ~analytics~ (deleted in the console), prod-eu-2 (renamed from prod-eu)',
    );
    // The key still holds its role: the deleted service stays named in it, as the console keeps it.
    expect(keyOf(keyId)?.assignedRoles).toHaveLength(1);
  });

  it('a query-endpoints key holds the organization role Member beside its service role', async () => {
    const { staging } = await start();
    const keyId = await delivered('endpoints', 'endpoints', [staging.id]);
    const held = keyOf(keyId)!.assignedRoles.map(
      (r) => world.emulator.roles().find((x) => x.id === r.roleId)!,
    );
    expect(held.map((role) => [role.type, role.type === 'system' ? role.name : 'custom'])).toEqual([
      ['custom', 'custom'],
      ['system', 'Member'],
    ]);
    expect(held[0]!.policies[0]).toMatchObject({
      permissions: ['control-plane:service:view-query-api-endpoints'],
      resources: [`instance/${staging.id}`],
    });
  });

  it('refuses a service the role does not offer, and a request with none', async () => {
    const { staging, prodUs } = await start();
    const workflow = world.instance(0).workflow;
    const draft = { keyName: 'x', roleId: 'service-reader', expiry: '30d', reason: 'Dashboards read these' };
    const outside = await workflow.submit(ALICE, {
      ...draft,
      ipAccessList: '',
      serviceIds: [prodUs.id, staging.id],
    });
    expect(outside).toMatchObject({ ok: false, errors: { serviceIds: { code: 'service_not_offered' } } });
    const none = await workflow.submit(ALICE, { ...draft, ipAccessList: '', serviceIds: [] });
    expect(none).toMatchObject({ ok: false, errors: { serviceIds: { code: 'services_none' } } });
    expect(await world.store.listRequests({})).toEqual([]);
  });

  it('two requests for the same set, clicked at once on two replicas, make one role', async () => {
    const { prodEu, prodUs } = await start();
    const first = await request(0, 'one', 'service-reader', [prodEu.id, prodUs.id]);
    const second = await request(1, 'two', 'service-reader', [prodUs.id, prodEu.id]);
    const outcomes = await Promise.allSettled([click(0, first), click(1, second)]);
    // One made the role; the other used it, or was told it is being made and clicks again.
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(isRefused(outcome.reason, 'service_role_busy')).toBe(true);
    }
    for (const [i, requestId] of [first, second].entries()) {
      if ((await world.store.getRequest(requestId))?.state === 'approved') await click(i, requestId);
    }
    expect(customRoles()).toHaveLength(1);
    const roleId = customRoles()[0]!.id;
    const keys = await Promise.all([first, second].map((id) => world.store.getRequest(id)));
    expect(keys.map((r) => keyOf(r!.keyId!)?.assignedRoles.map((a) => a.roleId))).toEqual([
      [roleId],
      [roleId],
    ]);
  });

  it('deletes a role no key used for a day, audited, never earlier, never one still held', async () => {
    const { prodEu, analytics, prodUs } = await start();
    const gone = await delivered('short-lived', 'service-reader', [prodEu.id]);
    const kept = await delivered('long-lived', 'service-reader', [analytics.id, prodUs.id]);
    // A role Keyhouse did not make, on the same services: never touched.
    const manual = await world.instance(0).client.createRole({
      name: 'made-by-hand',
      actors: [],
      policies: [
        {
          allowDeny: 'ALLOW',
          permissions: ['control-plane:service:view'],
          resources: [`instance/${prodEu.id}`],
        },
      ],
    });
    const goneRole = keyOf(gone)!.assignedRoles[0]!.roleId;
    const keptRole = keyOf(kept)!.assignedRoles[0]!.roleId;
    await world.instance(0).workflow.deleteKey(ALICE, gone);

    const tick = (i: number) => world.instance(i).scheduler.tick();
    await tick(0); // sees the role unused from now
    world.clock.advance(DAY_MS - HOUR);
    await tick(1);
    expect(world.emulator.roles().map((r) => r.id)).toContain(goneRole);

    world.clock.advance(2 * HOUR);
    await tick(1);
    await tick(0);
    const ids = world.emulator.roles().map((r) => r.id);
    expect(ids).not.toContain(goneRole);
    expect(ids).toContain(keptRole);
    expect(ids).toContain(manual.id);
    expect(await world.store.listServiceRoles()).toEqual([
      expect.objectContaining({ clickhouseRoleId: keptRole, state: 'ready', unusedSince: null }),
    ]);
    const cleanups = (await world.store.listAudit({})).filter(
      (e) => e.action === 'timer.service_role.cleanup',
    );
    expect(cleanups.map((e) => [e.outcome, e.detail?.deleted ?? null])).toEqual([
      ['attempt', null],
      ['ok', goneRole],
    ]);

    // The same set asked for again makes the role afresh.
    await delivered('again', 'service-reader', [prodEu.id]);
    expect(customRoles().map((r) => r.name)).toContain(
      serviceRoleName('service-reader', 'read', [prodEu.id]),
    );
  });

  it('a role a dead replica made but never recorded is found by its name, used, and cleaned up', async () => {
    const { prodEu } = await start();
    const name = serviceRoleName('service-reader', 'read', [prodEu.id]);
    // The replica claimed the row, ClickHouse made the role, and the process died before recording it.
    await world.store.claimServiceRole({
      name,
      policyRoleId: 'service-reader',
      access: 'read',
      serviceIds: [prodEu.id],
      holder: 'dead',
      at: world.clock.now(),
      abandonedBefore: new Date(0),
    });
    const made = await world.instance(0).client.createRole({
      name,
      actors: [],
      policies: [
        {
          allowDeny: 'ALLOW',
          permissions: ['control-plane:service:view'],
          resources: [`instance/${prodEu.id}`],
        },
      ],
    });
    const requestId = await request(1, 'late', 'service-reader', [prodEu.id]);
    // While the dead claim is fresh, the click is told to come back.
    await expect(click(1, requestId)).rejects.toSatisfy((e) => isRefused(e, 'service_role_busy'));
    world.clock.advance(10 * 60_000);
    await click(1, requestId);
    expect(customRoles().map((r) => r.id)).toEqual([made.id]);
    const keyId = (await world.store.getRequest(requestId))!.keyId!;
    expect(keyOf(keyId)?.assignedRoles.map((r) => r.roleId)).toEqual([made.id]);
  });

  it('a role Keyhouse made whose row is gone is adopted by the clean-up and deleted a day later', async () => {
    const { analytics } = await start();
    const name = serviceRoleName('service-reader', 'read', [analytics.id]);
    const orphan = await world.instance(0).client.createRole({
      name,
      actors: [],
      policies: [
        {
          allowDeny: 'ALLOW',
          permissions: ['control-plane:service:view'],
          resources: [`instance/${analytics.id}`],
        },
      ],
    });
    // Named like Keyhouse's but not what Keyhouse makes for that name: not ours.
    const lookalike = await world.instance(0).client.createRole({
      name: 'keyhouse:service-reader:000000000000',
      actors: [],
      policies: [
        {
          allowDeny: 'ALLOW',
          permissions: ['control-plane:service:view'],
          resources: [`instance/${analytics.id}`],
        },
      ],
    });
    await world.instance(0).scheduler.tick();
    expect((await world.store.getServiceRole(name))?.clickhouseRoleId).toBe(orphan.id);
    world.clock.advance(DAY_MS + HOUR);
    await world.instance(0).scheduler.tick();
    const ids = world.emulator.roles().map((r) => r.id);
    expect(ids).not.toContain(orphan.id);
    expect(ids).toContain(lookalike.id);
  });
});

describe('the policy checked against the services at start', () => {
  let world: World | undefined;
  afterEach(async () => {
    checkExchanges(world);
    await world?.close();
  });

  it('names the patterns that match no service, by role', async () => {
    world = await World.start({ instances: 1, policy: servicePolicy() });
    world.emulator.addService({ name: 'prod-eu' });
    expect(await world.instance(0).workflow.unmatchedServicePatterns()).toEqual([
      { roleId: 'service-reader', patterns: ['analytics'] },
    ]);
    world.emulator.addService({ name: 'analytics' });
    expect(await world.instance(0).workflow.unmatchedServicePatterns()).toEqual([]);
  });
});

describe.each(backends)('editing the services of a key on a $name', ({ postgres: url }) => {
  let world: World;
  afterEach(async () => {
    checkExchanges(world);
    await world?.close();
  });

  it('more services go through approval; fewer apply at once; the key then holds the role of the new set', async () => {
    world = await World.start({ postgres: url, instances: 2, policy: servicePolicy() });
    const prodEu = world.emulator.addService({ name: 'prod-eu' });
    const analytics = world.emulator.addService({ name: 'analytics' });
    const a = world.instance(0).workflow;
    const submitted = await a.submit(ALICE, {
      keyName: 'dash',
      roleId: 'service-reader',
      expiry: '30d',
      reason: 'Dashboards read these services',
      ipAccessList: '',
      serviceIds: [prodEu.id],
    });
    if (!submitted.ok) throw new Error(JSON.stringify(submitted.errors));
    await a.approve(submitted.request.id, BOB);
    await a.claim(submitted.request.id, { userId: ALICE, responseUrl: null, channelId: 'D0DM' });
    const keyId = (await world.store.getRequest(submitted.request.id))!.keyId!;
    const rolesOfKey = () =>
      world.emulator
        .keys()
        .find((k) => k.id === keyId)!
        .assignedRoles.map((r) => world.emulator.roles().find((x) => x.id === r.roleId)!.name);
    const edit = { keyName: 'dash', roleId: 'keep', expiry: 'keep', reason: 'Now the analytics too' };

    const wider = await a.editKey(ALICE, keyId, { ...edit, serviceIds: [prodEu.id, analytics.id] });
    if (!wider.ok) throw new Error(JSON.stringify(wider.errors));
    expect(wider.changeRequest).toMatchObject({ state: 'pending', approvalsRequired: 1 });
    expect(rolesOfKey()).toEqual([serviceRoleName('service-reader', 'read', [prodEu.id])]);
    await a.approve(wider.changeRequest!.id, BOB);
    expect(rolesOfKey()).toEqual([serviceRoleName('service-reader', 'read', [prodEu.id, analytics.id])]);
    expect((await world.store.getKeyOwner(keyId))?.services?.map((s) => s.name)).toEqual([
      'analytics',
      'prod-eu',
    ]);

    const narrower = await a.editKey(ALICE, keyId, { ...edit, serviceIds: [analytics.id] });
    if (!narrower.ok) throw new Error(JSON.stringify(narrower.errors));
    expect(narrower.changeRequest).toMatchObject({ approvalsRequired: 0 });
    await a.announce(narrower.changeRequest!.id);
    expect(rolesOfKey()).toEqual([serviceRoleName('service-reader', 'read', [analytics.id])]);

    // A service the role does not offer is refused, and nothing changes.
    const staging = world.emulator.addService({ name: 'staging' });
    const outside = await a.editKey(ALICE, keyId, { ...edit, serviceIds: [staging.id] });
    expect(outside).toMatchObject({ ok: false, errors: { serviceIds: { code: 'service_not_offered' } } });
  });
});
