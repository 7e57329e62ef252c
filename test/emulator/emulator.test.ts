import { createHash, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmulatedKey, EmulatedRole, Emulator } from '../../dev/emulator/server.js';
import { startEmulator } from '../../dev/emulator/server.js';
import { ManualClock } from '../support/clock.js';
import { call, expectRefusal, orgPath, UUID_V4 } from './http.js';

interface Created {
  key: EmulatedKey;
  keyId?: string;
  keySecret?: string;
}

const START = '2026-03-10T12:34:56.789Z';
let clock: ManualClock;
let emulator: Emulator;

beforeEach(async () => {
  clock = new ManualClock(START);
  emulator = await startEmulator({ clock, organization: { name: 'Acme' } });
});
afterEach(async () => {
  await emulator.close();
});

async function createKey(body: Record<string, unknown>) {
  return call<Created>(emulator, 'POST', orgPath(emulator, '/keys'), { body });
}

describe('organizations', () => {
  it('lists exactly the calling key’s organization in the success envelope', async () => {
    const answer = await call<{ id: string; name: string }[]>(emulator, 'GET', '/v1/organizations');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.json?.status).toBe(200);
    expect(answer.json?.requestId).toMatch(UUID_V4);
    expect(answer.json?.result).toEqual([
      expect.objectContaining({
        id: emulator.organizationId,
        name: 'Acme',
        createdAt: clock.now().toISOString(),
      }),
    ]);
  });

  it('gets its own organization, 404 for another, 400 for a malformed id', async () => {
    const own = await call<{ id: string }>(emulator, 'GET', orgPath(emulator));
    expect(own.json?.result?.id).toBe(emulator.organizationId);

    const other = await call(emulator, 'GET', `/v1/organizations/${randomUUID()}`);
    expect(other.status).toBe(404);
    expect(other.json).toEqual({
      status: 404,
      error: expect.stringMatching(/^NOT_FOUND: /),
      requestId: expect.stringMatching(UUID_V4),
    });

    const malformed = await call(emulator, 'GET', '/v1/organizations/not-a-uuid/keys');
    expect(malformed.status).toBe(400);
    expect(malformed.json?.error).toMatch(/^BAD_REQUEST: .*organizationId/);
  });

  it('answers 404 for paths and methods it does not serve', async () => {
    expect((await call(emulator, 'GET', '/v1/nothing')).status).toBe(404);
    const put = await call(emulator, 'PUT', orgPath(emulator, '/keys'), { body: {} });
    expect(put.status).toBe(404);
    expect(put.json?.error).toMatch(/^NOT_FOUND: /);
  });
});

describe('authentication', () => {
  it('accepts the admin key and records which key called', async () => {
    expect((await call(emulator, 'GET', '/v1/organizations')).status).toBe(200);
    expect(emulator.requests.at(-1)).toMatchObject({
      keyId: emulator.adminKey.keyId,
      route: 'listOrganizations',
    });
  });

  it('rejects an unknown key with the observed 401 body', async () => {
    const answer = await call(emulator, 'GET', '/v1/organizations', {
      as: { keyId: 'NOSUCHKEY', keySecret: 'x' },
    });
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({
      status: 401,
      error: 'UNAUTHORIZED: Key is not found',
      requestId: expect.stringMatching(UUID_V4),
    });
  });

  it('rejects a wrong secret exactly like an unknown key', async () => {
    const answer = await call(emulator, 'GET', '/v1/organizations', {
      as: { keyId: emulator.adminKey.keyId, keySecret: `${emulator.adminKey.keySecret}x` },
    });
    expect(answer.status).toBe(401);
    expect(answer.json?.error).toBe('UNAUTHORIZED: Key is not found');
  });

  it('rejects a request without credentials', async () => {
    const answer = await call(emulator, 'GET', '/v1/organizations', { as: null });
    expect(answer.status).toBe(401);
    expect(answer.json?.error).toMatch(/^UNAUTHORIZED: /);
  });

  it('rejects a disabled key and an expired key with 401', async () => {
    const disabled = emulator.addKey({ name: 'off', state: 'disabled' });
    const answer = await call(emulator, 'GET', '/v1/organizations', { as: disabled });
    expect(answer.status).toBe(401);
    expect(answer.json?.error).toMatch(/^UNAUTHORIZED: /);

    const soon = emulator.addKey({
      name: 'soon',
      expireAt: new Date(clock.now().getTime() + 60_000).toISOString(),
    });
    expect((await call(emulator, 'GET', '/v1/organizations', { as: soon })).status).toBe(200);
    clock.advance(60_000);
    expect((await call(emulator, 'GET', '/v1/organizations', { as: soon })).status).toBe(401);
  });

  it('denies a key with an empty IP access list, allows one whose list covers loopback', async () => {
    const denyAll = emulator.addKey({ name: 'deny-all', ipAccessList: [] });
    expect((await call(emulator, 'GET', '/v1/organizations', { as: denyAll })).status).toBe(403);
    const elsewhere = emulator.addKey({ name: 'office', ipAccessList: [{ source: '203.0.113.0/24' }] });
    expect((await call(emulator, 'GET', '/v1/organizations', { as: elsewhere })).status).toBe(403);
    const loopback = emulator.addKey({ name: 'local', ipAccessList: [{ source: '127.0.0.0/8' }] });
    expect((await call(emulator, 'GET', '/v1/organizations', { as: loopback })).status).toBe(200);
  });

  it('sets usedAt at minute precision when a key authenticates', async () => {
    const seeded = emulator.addKey({ name: 'fresh' });
    expect(seeded.key.usedAt).toBeUndefined();
    clock.set('2026-03-10T13:05:42.123Z');
    await call(emulator, 'GET', '/v1/organizations', { as: seeded });
    const used = emulator.keys().find((key) => key.id === seeded.key.id);
    expect(used?.usedAt).toBe('2026-03-10T13:05:00.000Z');
  });

  it('can start with fixed admin credentials', async () => {
    const fixed = await startEmulator({
      adminKey: { keyId: 'FIXEDADMINKEY0000001', keySecret: '4b1dfixedsecret' },
    });
    try {
      expect(fixed.adminKey).toMatchObject({ keyId: 'FIXEDADMINKEY0000001', keySecret: '4b1dfixedsecret' });
      expect((await call(fixed, 'GET', '/v1/organizations')).status).toBe(200);
      expect(fixed.keys()[0]?.keySuffix).toBe('0001');
    } finally {
      await fixed.close();
    }
  });
});

describe('creating keys', () => {
  it('returns the key, an auth key ID and a secret that works as Basic auth at once', async () => {
    const answer = await createKey({
      name: 'ci-reader',
      expireAt: '2026-04-01T00:00:00Z',
      roles: ['developer'],
      ipAccessList: [{ source: '127.0.0.1', description: 'loopback' }],
    });
    expect(answer.status).toBe(200);
    expect(answer.json?.requestId).toMatch(UUID_V4);
    const { key, keyId, keySecret } = answer.json!.result!;
    expect(keyId).toMatch(/^[A-Z0-9]{20}$/);
    expect(keySecret).toMatch(/^4b1d[A-Za-z0-9]{38}$/);
    expect(key).toEqual({
      id: expect.stringMatching(UUID_V4),
      name: 'ci-reader',
      state: 'enabled',
      roles: ['developer'],
      // A legacy role reads back as its system role too (clickhouse-cloud-api.md §8.7).
      assignedRoles: [{ roleId: expect.stringMatching(UUID_V4), roleName: 'Developer', roleType: 'system' }],
      keySuffix: keyId!.slice(-4),
      createdAt: START,
      expireAt: '2026-04-01T00:00:00.000Z',
      ipAccessList: [{ source: '127.0.0.1', description: 'loopback' }],
    });

    const followUp = await call<EmulatedKey[]>(emulator, 'GET', orgPath(emulator, '/keys'), {
      as: { keyId: keyId!, keySecret: keySecret! },
    });
    expect(followUp.status).toBe(200);
    expect(followUp.json?.result?.map((k) => k.id)).toEqual([emulator.adminKey.id, key.id]);
    expect(emulator.requests.at(-1)?.keyId).toBe(keyId);
  });

  it('resolves assignedRoleIds into assignedRoles and lists the key among the role’s actors', async () => {
    const roles = (await call<EmulatedRole[]>(emulator, 'GET', orgPath(emulator, '/roles'))).json!.result!;
    const reader = roles.find((role) => role.name === 'Org API reader')!;
    const answer = await createKey({ name: 'reader', assignedRoleIds: [reader.id] });
    const key = answer.json!.result!.key;
    expect(key.assignedRoles).toEqual([
      { roleId: reader.id, roleName: 'Org API reader', roleType: 'system' },
    ]);
    const role = await call<EmulatedRole>(emulator, 'GET', orgPath(emulator, `/roles/${reader.id}`));
    expect(role.json?.result?.actors).toContain(`apiKey/${key.id}`);
  });

  it('refuses an unknown role id', async () => {
    const answer = await createKey({ name: 'x', assignedRoleIds: [randomUUID()] });
    expect(answer.status).toBe(400);
    expect(answer.json?.error).toMatch(/^BAD_REQUEST: Unknown role id/);
    expect(emulator.keys()).toHaveLength(1);
  });

  it('defaults state to enabled, expiry to never, and keeps an explicit empty IP list', async () => {
    const key = (await createKey({ name: 'plain', ipAccessList: [] })).json!.result!.key;
    expect(key).toMatchObject({ state: 'enabled', expireAt: null, ipAccessList: [] });
    const disabled = (await createKey({ name: 'dormant', state: 'disabled', expireAt: '' })).json!.result!
      .key;
    expect(disabled).toMatchObject({ state: 'disabled', expireAt: null });
  });

  it.each([
    ['no name', { expireAt: null }, /name/],
    ['an empty name', { name: '' }, /name/],
    ['a number for expireAt', { name: 'x', expireAt: 5 }, /expireAt/],
    ['a non-date expireAt', { name: 'x', expireAt: 'tomorrow' }, /expireAt/],
    ['a past expireAt', { name: 'x', expireAt: '2026-03-10T12:00:00Z' }, /expireAt .* not in the future/],
    ['an unknown state', { name: 'x', state: 'on' }, /state/],
    ['an unknown legacy role', { name: 'x', roles: ['owner'] }, /roles/],
    ['a bad IP source', { name: 'x', ipAccessList: [{ source: '300.1.1.1' }] }, /ipAccessList\.0\.source/],
    ['an array body', [], /body/],
  ])('answers 400 for %s', async (_label, body, message) => {
    const answer = await call(emulator, 'POST', orgPath(emulator, '/keys'), { body });
    expectRefusal(answer, 400, message);
    expect(emulator.keys()).toHaveLength(1);
  });

  it('answers 400 for malformed JSON and for a missing body', async () => {
    const malformed = await call(emulator, 'POST', orgPath(emulator, '/keys'), { raw: '{"name": "x",' });
    expect(malformed.status).toBe(400);
    expect(malformed.json?.error).toMatch(/^BAD_REQUEST: .*JSON/);
    const empty = await call(emulator, 'POST', orgPath(emulator, '/keys'));
    expect(empty.status).toBe(400);
  });

  it('accepts and ignores fields the spec does not declare', async () => {
    const answer = await createKey({ name: 'extra', color: 'blue' });
    expect(answer.status).toBe(200);
    expect(answer.json?.result?.key).not.toHaveProperty('color');
  });

  it('with hashData returns no credentials, and the client-made ones authenticate', async () => {
    const keyId = 'CLIENTMADEKEYID00042';
    const keySecret = '4b1dclientmadesecret';
    const sha = (value: string) => createHash('sha256').update(value).digest('base64');
    const answer = await createKey({
      name: 'hashed',
      hashData: { keyIdHash: sha(keyId), keyIdSuffix: '0042', keySecretHash: sha(keySecret) },
    });
    expect(answer.status).toBe(200);
    expect(answer.json?.result).not.toHaveProperty('keyId');
    expect(answer.json?.result).not.toHaveProperty('keySecret');
    expect(answer.json?.result?.key.keySuffix).toBe('0042');
    expect((await call(emulator, 'GET', '/v1/organizations', { as: { keyId, keySecret } })).status).toBe(200);
  });

  it('stops at 100 keys per organization, the admin key included', async () => {
    for (let i = 1; i < 100; i++) emulator.addKey({ name: `console-${i}` });
    expect(emulator.keys()).toHaveLength(100);
    const refused = await createKey({ name: 'one-too-many' });
    expect(refused.status).toBe(400);
    expect(refused.json?.error).toMatch(/^BAD_REQUEST: .*maximum number of API keys \(100\)/);
    expect(() => emulator.addKey({ name: 'console-too-many' })).toThrow(/maximum/);

    const victim = emulator.keys()[1]!;
    expect((await call(emulator, 'DELETE', orgPath(emulator, `/keys/${victim.id}`))).status).toBe(200);
    expect((await createKey({ name: 'fits-again' })).status).toBe(200);
  });

  it('honours a smaller maxKeys option', async () => {
    const small = await startEmulator({ maxKeys: 2 });
    try {
      const first = await call(small, 'POST', orgPath(small, '/keys'), { body: { name: 'a' } });
      const second = await call(small, 'POST', orgPath(small, '/keys'), { body: { name: 'b' } });
      expect([first.status, second.status]).toEqual([200, 400]);
    } finally {
      await small.close();
    }
  });
});

describe('reading, updating and deleting keys', () => {
  async function seedViaApi(body: Record<string, unknown> = {}) {
    const answer = await createKey({ name: 'target', expireAt: '2026-06-01T00:00:00Z', ...body });
    return answer.json!.result!;
  }

  it('gets a key by its UUID and 404s for an unknown one', async () => {
    const { key } = await seedViaApi();
    const got = await call<EmulatedKey>(emulator, 'GET', orgPath(emulator, `/keys/${key.id}`));
    expect(got.json?.result).toEqual(key);
    const missing = await call(emulator, 'GET', orgPath(emulator, `/keys/${randomUUID()}`));
    expect(missing.status).toBe(404);
    expect(missing.json?.error).toMatch(/^NOT_FOUND: /);
  });

  it('does not accept the auth key ID where the UUID belongs', async () => {
    const { keyId } = await seedViaApi();
    expect((await call(emulator, 'GET', orgPath(emulator, `/keys/${keyId}`))).status).toBe(400);
  });

  it('PATCH: absent expireAt keeps it, null clears it, arrays replace, name and state change', async () => {
    const { key } = await seedViaApi({ ipAccessList: [{ source: '10.0.0.0/8' }, { source: '127.0.0.1' }] });
    const path = orgPath(emulator, `/keys/${key.id}`);

    const renamed = await call<EmulatedKey>(emulator, 'PATCH', path, { body: { name: 'renamed' } });
    expect(renamed.status).toBe(200);
    expect(renamed.json?.result).toMatchObject({ name: 'renamed', expireAt: '2026-06-01T00:00:00.000Z' });

    const moved = await call<EmulatedKey>(emulator, 'PATCH', path, {
      body: { expireAt: '2026-07-01T00:00:00+02:00' },
    });
    expect(moved.json?.result?.expireAt).toBe('2026-06-30T22:00:00.000Z');

    const cleared = await call<EmulatedKey>(emulator, 'PATCH', path, {
      body: {
        expireAt: null,
        ipAccessList: [{ source: '192.0.2.1', description: 'vpn' }],
        state: 'disabled',
      },
    });
    expect(cleared.json?.result).toMatchObject({
      name: 'renamed',
      expireAt: null,
      state: 'disabled',
      ipAccessList: [{ source: '192.0.2.1', description: 'vpn' }],
    });
    expect(emulator.keys().find((k) => k.id === key.id)).toEqual(cleared.json?.result);
  });

  it('PATCH: 400 for a past expiry or a bad type, 404 for an unknown key', async () => {
    const { key } = await seedViaApi();
    const path = orgPath(emulator, `/keys/${key.id}`);
    expect((await call(emulator, 'PATCH', path, { body: { expireAt: '2020-01-01T00:00:00Z' } })).status).toBe(
      400,
    );
    expect((await call(emulator, 'PATCH', path, { body: { state: true } })).status).toBe(400);
    expect((await call(emulator, 'PATCH', path, { raw: 'nope' })).status).toBe(400);
    const missing = await call(emulator, 'PATCH', orgPath(emulator, `/keys/${randomUUID()}`), {
      body: { name: 'x' },
    });
    expect(missing.status).toBe(404);
    expect(emulator.keys().find((k) => k.id === key.id)?.expireAt).toBe('2026-06-01T00:00:00.000Z');
  });

  it('PATCH: assignedRoleIds replace the assigned roles', async () => {
    const roles = (await call<EmulatedRole[]>(emulator, 'GET', orgPath(emulator, '/roles'))).json!.result!;
    const [first, second] = [roles[1]!, roles[2]!];
    const { key } = await seedViaApi({ assignedRoleIds: [first.id] });
    const patched = await call<EmulatedKey>(emulator, 'PATCH', orgPath(emulator, `/keys/${key.id}`), {
      body: { assignedRoleIds: [second.id] },
    });
    expect(patched.json?.result?.assignedRoles.map((role) => role.roleId)).toEqual([second.id]);
  });

  it('DELETE answers without result and the key is gone', async () => {
    const { key, keyId, keySecret } = await seedViaApi();
    const deleted = await call(emulator, 'DELETE', orgPath(emulator, `/keys/${key.id}`));
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({ status: 200, requestId: expect.stringMatching(UUID_V4) });
    expect(emulator.keys().map((k) => k.id)).not.toContain(key.id);
    expect((await call(emulator, 'DELETE', orgPath(emulator, `/keys/${key.id}`))).status).toBe(404);
    const gone = await call(emulator, 'GET', '/v1/organizations', {
      as: { keyId: keyId!, keySecret: keySecret! },
    });
    expect(gone.status).toBe(401);
  });

  it('refuses to let a key delete itself', async () => {
    const self = await call(emulator, 'DELETE', orgPath(emulator, `/keys/${emulator.adminKey.id}`));
    expect(self.status).toBe(400);
    expect(self.json?.error).toMatch(/^BAD_REQUEST: A key cannot delete itself/);
    expect(emulator.keys().map((k) => k.id)).toContain(emulator.adminKey.id);

    const { key, keyId, keySecret } = await seedViaApi();
    const other = await call(emulator, 'DELETE', orgPath(emulator, `/keys/${emulator.adminKey.id}`), {
      as: { keyId: keyId!, keySecret: keySecret! },
    });
    expect(other.status).toBe(200);
    expect(emulator.keys().map((k) => k.id)).toEqual([key.id]);
  });

  it('sees console changes: seeded keys appear, removed keys 404', async () => {
    const seeded = emulator.addKey({ name: 'from-console', roles: ['admin', 'Service reader'] });
    expect(seeded.key).toMatchObject({
      name: 'from-console',
      roles: ['admin'],
      assignedRoles: [
        expect.objectContaining({ roleName: 'Service reader', roleType: 'system' }),
        expect.objectContaining({ roleName: 'Admin', roleType: 'system' }),
      ],
      keySuffix: seeded.keyId.slice(-4),
    });
    const listed = await call<EmulatedKey[]>(emulator, 'GET', orgPath(emulator, '/keys'));
    expect(listed.json?.result?.map((k) => k.name)).toContain('from-console');

    emulator.removeKey(seeded.key.id);
    expect((await call(emulator, 'GET', orgPath(emulator, `/keys/${seeded.key.id}`))).status).toBe(404);
    expect(() => emulator.removeKey(seeded.key.id)).toThrow(/not found/);
  });
});

describe('roles', () => {
  it('lists the system roles of the organization in RBACRole shape', async () => {
    const answer = await call<EmulatedRole[]>(emulator, 'GET', orgPath(emulator, '/roles'));
    const roles = answer.json!.result!;
    expect(roles.map((role) => role.name)).toEqual(
      expect.arrayContaining([
        'Admin',
        'Developer',
        'Member',
        'Org API reader',
        'Service reader',
        'Service admin',
      ]),
    );
    for (const role of roles) {
      expect(role).toMatchObject({
        id: expect.stringMatching(UUID_V4),
        type: 'system',
        tenantId: `organization/${emulator.organizationId}`,
      });
      expect(role.policies[0]).toMatchObject({ roleId: role.id, allowDeny: 'ALLOW' });
    }
    const admin = roles.find((role) => role.name === 'Admin')!;
    expect(admin.actors).toContain(`apiKey/${emulator.adminKey.id}`);
  });

  it('gets one role, 404 for an unknown id', async () => {
    const roles = (await call<EmulatedRole[]>(emulator, 'GET', orgPath(emulator, '/roles'))).json!.result!;
    const member = roles.find((role) => role.name === 'Member')!;
    expect(
      (await call<EmulatedRole>(emulator, 'GET', orgPath(emulator, `/roles/${member.id}`))).json?.result,
    ).toEqual(member);
    expect((await call(emulator, 'GET', orgPath(emulator, `/roles/${randomUUID()}`))).status).toBe(404);
  });
});

describe('secret hygiene', () => {
  it('never records a created key’s secret, nor the admin secret', async () => {
    const created = (await createKey({ name: 'hush' })).json!.result!;
    const log = JSON.stringify(emulator.requests);
    expect(created.keySecret).toBeTruthy();
    expect(log).not.toContain(created.keySecret);
    expect(log).not.toContain(emulator.adminKey.keySecret);
    const record = emulator.requests.at(-1)!;
    expect(record).toMatchObject({ route: 'createKey', status: 200, body: { name: 'hush' } });
    expect(record.response).toMatchObject({ result: { keyId: created.keyId, keySecret: '[redacted]' } });
  });

  it('keeps no secret in its own key listing', async () => {
    const created = (await createKey({ name: 'hush' })).json!.result!;
    expect(JSON.stringify(emulator.keys())).not.toContain(created.keySecret);
    expect(JSON.stringify(emulator.keys())).not.toContain(emulator.adminKey.keySecret);
  });
});
