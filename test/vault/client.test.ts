import { afterEach, describe, expect, it } from 'vitest';
import { type FakeVault, type FakeVaultOptions, startFakeVault } from '../../dev/fake-vault/server.js';
import { isKeyhouseError } from '../../src/core/errors.js';
import { Secret } from '../../src/core/secret.js';
import { VaultClient, type VaultClientOptions } from '../../src/vault/client.js';
import {
  VaultBadRequestError,
  VaultCasMismatchError,
  VaultConnectionError,
  VaultNotFoundError,
  VaultPermissionDeniedError,
  VaultServerError,
  VaultTimeoutError,
  VaultUnavailableError,
  VaultWriteUnknownError,
} from '../../src/vault/errors.js';
import { ManualClock } from '../support/clock.js';
import { requirement } from '../support/requirements.js';
import { loadVaultContract, VAULT_SPEC_FILE } from '../support/vault-contract.js';

/** On a clone without `../shared/ref` the exchanges are not checked against the description (required in CI). */
const contract = requirement(loadVaultContract(), `../shared/ref/${VAULT_SPEC_FILE} not found`);

const SECRET = 'chc_secret_0123456789abcdefghijklmnopqrstuvwxyz';
const KEY_DATA = {
  keyId: 'KEYID0123456789',
  keySecret: new Secret(SECRET),
  name: 'etl-writer',
  role: 'developer',
  expireAt: '2026-06-01T00:00:00.000Z',
};
const PLAIN_KEY_DATA = { ...KEY_DATA, keySecret: SECRET };

let fake: FakeVault | undefined;
let clock: ManualClock;
/** The namespace the test's client sends: every exchange must carry exactly it. */
let expectedNamespace: string | null = null;
let sleeps: number[] = [];

afterEach(async () => {
  if (fake !== undefined && contract !== null) {
    // Whatever the client sent, and whatever the fake answered, must fit Vault's description.
    const violations = fake.requests.flatMap((exchange) => {
      const checked = contract.check(exchange, { namespace: expectedNamespace });
      return [...checked.request, ...checked.response].map(
        (v) => `${exchange.method} ${exchange.path}: ${v}`,
      );
    });
    expect(violations).toEqual([]);
  }
  await fake?.close();
  fake = undefined;
  expectedNamespace = null;
  sleeps = [];
});

async function start(options: FakeVaultOptions = {}): Promise<FakeVault> {
  clock = new ManualClock('2026-05-01T00:00:00Z');
  fake = await startFakeVault({ clock, ...options });
  return fake;
}

function clientFor(vault: FakeVault, overrides: Partial<VaultClientOptions> = {}): VaultClient {
  const options: VaultClientOptions = {
    addr: vault.url,
    ...(vault.namespace === null ? {} : { namespace: vault.namespace }),
    auth: { roleId: vault.roleId, secretId: new Secret(vault.secretId) },
    clock,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  };
  expectedNamespace = options.namespace ?? null;
  return new VaultClient(options);
}

/** `[operation, status]` of every request the fake saw, in order. */
function seen(vault: FakeVault): [string | null, number][] {
  return vault.requests.map((request) => [request.operation, request.status]);
}

const logins = (vault: FakeVault) => vault.requests.filter((r) => r.operation === 'app-role-login').length;
const writes = (vault: FakeVault) => vault.requests.filter((r) => r.operation === 'kv-v2-write').length;

/** A role that may read back what Keyhouse wrote, as an operator (or a test) would. */
function readerClient(vault: FakeVault): VaultClient {
  vault.setPolicy('reader', [
    { path: 'secret/data/keyhouse/*', capabilities: ['read'] },
    { path: 'secret/metadata/keyhouse/*', capabilities: ['read'] },
  ]);
  const pair = vault.addRole('reader', { policies: ['reader'] });
  return clientFor(vault, { auth: { roleId: pair.roleId, secretId: new Secret(pair.secretId) } });
}

describe('AppRole login and the token', () => {
  it('logs in once, writes one version per call, and Vault holds exactly the secret given', async () => {
    const vault = await start();
    const client = clientFor(vault);

    const first = await client.writeVersion('secret', 'keyhouse/etl-writer', KEY_DATA);
    const second = await client.writeVersion('secret', 'keyhouse/etl-writer', KEY_DATA);

    expect(first.version).toMatchObject({
      version: 1,
      deletionTime: '',
      destroyed: false,
      customMetadata: null,
    });
    expect(second.version?.version).toBe(2);
    expect(vault.read('secret', 'keyhouse/etl-writer')).toEqual(PLAIN_KEY_DATA);
    expect(seen(vault)).toEqual([
      ['app-role-login', 200],
      ['kv-v2-write', 200],
      ['kv-v2-write', 200],
    ]);
    expect(vault.requests.map((request) => request.tokenSent)).toEqual([false, true, true]);
  });

  it('logs in again once two thirds of the lease have passed, while the old token is still alive', async () => {
    const vault = await start(); // leases of 1200 s
    const client = clientFor(vault);
    await client.writeVersion('secret', 'keyhouse/a', KEY_DATA);

    clock.advance(799_000);
    await client.writeVersion('secret', 'keyhouse/a', KEY_DATA);
    expect(logins(vault)).toBe(1);

    clock.advance(2_000); // 801 s: past the 800 s mark, 399 s before the token would expire
    await client.writeVersion('secret', 'keyhouse/a', KEY_DATA);
    expect(logins(vault)).toBe(2);
    const renewedAt = vault.requests.filter((r) => r.operation === 'app-role-login')[1]!.at;
    expect(renewedAt).toBe(Date.parse('2026-05-01T00:13:21Z'));
    expect(renewedAt).toBeLessThan(Date.parse('2026-05-01T00:20:00Z')); // the first token's end

    clock.advance(449_000); // 1250 s: the first token is dead, the second lives until 2001 s
    await client.writeVersion('secret', 'keyhouse/a', KEY_DATA);
    expect(logins(vault)).toBe(2);
    expect(seen(vault).filter(([, status]) => status !== 200)).toEqual([]); // never a 403
    expect(vault.versions('secret', 'keyhouse/a')?.current).toBe(4);
  });

  it('a 403 to a token it believes alive (Vault forgot it) gets one new login, and the write lands once', async () => {
    const vault = await start();
    const client = clientFor(vault);
    await client.writeVersion('secret', 'keyhouse/a', KEY_DATA);
    vault.revokeTokens();

    await client.writeVersion('secret', 'keyhouse/a', KEY_DATA);

    expect(seen(vault)).toEqual([
      ['app-role-login', 200],
      ['kv-v2-write', 200],
      ['kv-v2-write', 403],
      ['app-role-login', 200],
      ['kv-v2-write', 200],
    ]);
    expect(vault.versions('secret', 'keyhouse/a')?.current).toBe(2);
  });

  it('a 403 that a new login does not cure is a refusal: VaultPermissionDeniedError after one retry, no loop', async () => {
    const vault = await start();
    const client = clientFor(vault);

    const error = await client.writeVersion('secret', 'elsewhere/a', KEY_DATA).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(VaultPermissionDeniedError);
    expect(error).toMatchObject({
      status: 403,
      operation: 'kv-v2-write',
      serverMessages: ['permission denied'],
    });
    expect(seen(vault)).toEqual([
      ['app-role-login', 200],
      ['kv-v2-write', 403],
      ['app-role-login', 200],
      ['kv-v2-write', 403],
    ]);
    expect(vault.versions('secret', 'elsewhere/a')).toBeNull();
  });

  it('concurrent calls share one login, at the start and at renewal', async () => {
    const vault = await start();
    const client = clientFor(vault);
    const burst = () =>
      Promise.all(
        ['a', 'b', 'c', 'd', 'e'].map((name) => client.writeVersion('secret', `keyhouse/${name}`, KEY_DATA)),
      );
    await burst();
    expect(logins(vault)).toBe(1);
    clock.advance(801_000);
    await burst();
    expect(logins(vault)).toBe(2);
    vault.revokeTokens();
    await burst(); // five 403s, then one new login shared by the five retries
    expect(logins(vault)).toBe(3);
    expect(writes(vault)).toBe(20);
    expect(vault.requests.filter((r) => r.status === 403)).toHaveLength(5);
  });

  it('a refused login is a VaultBadRequestError, sent once', async () => {
    const vault = await start();
    const client = clientFor(vault, {
      auth: { roleId: vault.roleId, secretId: new Secret('not-the-secret-id') },
    });
    const error = await client.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultBadRequestError);
    expect(error).toMatchObject({
      operation: 'app-role-login',
      serverMessages: ['invalid role or secret ID'],
    });
    expect(seen(vault)).toEqual([['app-role-login', 400]]);
  });

  it("ping logs in and reports the token's TTL and policies (lookup-self)", async () => {
    const vault = await start();
    const client = clientFor(vault);
    await expect(client.ping()).resolves.toEqual({
      ttlSeconds: 1200,
      policies: ['default', 'keyhouse'],
      expireTime: '2026-05-01T00:20:00.000Z',
      renewable: true,
    });
    expect(seen(vault)).toEqual([
      ['app-role-login', 200],
      ['token-look-up-self', 200],
    ]);
  });

  it('a static token (VAULT_TOKEN) is checked with lookup-self and used as is; a refusal of it is final', async () => {
    const vault = await start();
    const token = vault.issueToken({ policies: ['keyhouse'], ttlSeconds: 600 });
    const client = clientFor(vault, { auth: { token: new Secret(token) } });
    await expect(client.ping()).resolves.toMatchObject({
      ttlSeconds: 600,
      policies: ['default', 'keyhouse'],
    });
    await client.writeVersion('secret', 'keyhouse/a', KEY_DATA);
    clock.advance(600_000);

    await expect(client.writeVersion('secret', 'keyhouse/a', KEY_DATA)).rejects.toBeInstanceOf(
      VaultPermissionDeniedError,
    );
    expect(seen(vault)).toEqual([
      ['token-look-up-self', 200],
      ['kv-v2-write', 200],
      ['kv-v2-write', 403],
    ]);
  });

  it('sends X-Vault-Namespace on every call, login included', async () => {
    const vault = await start({ namespace: 'admin/team/' });
    const client = clientFor(vault);
    await client.ping();
    await client.writeVersion('secret', 'keyhouse/a', KEY_DATA);
    expect(vault.requests.map((request) => request.namespace)).toEqual([
      'admin/team/',
      'admin/team/',
      'admin/team/',
    ]);
    expect(seen(vault).filter(([, status]) => status !== 200)).toEqual([]);
  });

  it('without the namespace Vault wants, the login is refused (403), and not sent again', async () => {
    const vault = await start({ namespace: 'admin' });
    const without = clientFor(vault, { namespace: undefined });
    await expect(without.ping()).rejects.toBeInstanceOf(VaultPermissionDeniedError);
    expect(vault.requests).toMatchObject([{ operation: 'app-role-login', namespace: null, status: 403 }]);
  });

  it('each replica keeps and renews its own token, and a restarted one logs in afresh', async () => {
    const vault = await start();
    const [a, b] = [clientFor(vault), clientFor(vault)];
    await Promise.all([
      a.writeVersion('secret', 'keyhouse/a', KEY_DATA),
      b.writeVersion('secret', 'keyhouse/b', KEY_DATA),
    ]);
    expect(logins(vault)).toBe(2);

    clock.advance(801_000);
    await a.writeVersion('secret', 'keyhouse/a', KEY_DATA);
    expect(logins(vault)).toBe(3); // a renewed; b has not called since, so has not
    await b.writeVersion('secret', 'keyhouse/b', KEY_DATA);
    expect(logins(vault)).toBe(4);

    const restarted = clientFor(vault); // a new process knows no token
    await restarted.writeVersion('secret', 'keyhouse/a', KEY_DATA);
    expect(logins(vault)).toBe(5);
    expect(vault.versions('secret', 'keyhouse/a')?.current).toBe(3);
    expect(seen(vault).filter(([, status]) => status !== 200)).toEqual([]);
  });
});

describe('KV version 2', () => {
  it('check-and-set: cas 0 creates only, a mismatch is VaultCasMismatchError (not retried), the current version writes', async () => {
    const vault = await start();
    const client = clientFor(vault);
    await expect(client.writeVersion('secret', 'keyhouse/a', KEY_DATA, { cas: 0 })).resolves.toMatchObject({
      version: { version: 1 },
    });
    const mismatch = await client
      .writeVersion('secret', 'keyhouse/a', KEY_DATA, { cas: 0 })
      .catch((e: unknown) => e);
    expect(mismatch).toBeInstanceOf(VaultCasMismatchError);
    expect(mismatch).toMatchObject({ status: 400, code: 'upstream_failed' });
    await expect(client.writeVersion('secret', 'keyhouse/a', KEY_DATA, { cas: 1 })).resolves.toMatchObject({
      version: { version: 2 },
    });
    expect(writes(vault)).toBe(3);
  });

  it('reads a version back, every value wrapped, and the metadata without values', async () => {
    const vault = await start();
    await clientFor(vault).writeVersion('secret', 'keyhouse/a', KEY_DATA);
    await clientFor(vault).writeVersion('secret', 'keyhouse/a', { ...KEY_DATA, name: 'renamed' });
    const reader = readerClient(vault);

    const latest = await reader.readVersion('secret', 'keyhouse/a');
    expect(latest.version).toMatchObject({ version: 2, destroyed: false });
    expect(latest.data?.keySecret).toBeInstanceOf(Secret);
    expect(latest.data?.keySecret?.reveal()).toBe(SECRET);
    expect(String(latest.data?.keySecret)).not.toContain(SECRET);
    expect((await reader.readVersion('secret', 'keyhouse/a', { version: 1 })).data?.name?.reveal()).toBe(
      'etl-writer',
    );

    const metadata = await reader.readMetadata('secret', 'keyhouse/a');
    expect(metadata).toMatchObject({
      currentVersion: 2,
      oldestVersion: 1,
      maxVersions: 0,
      casRequired: false,
    });
    expect(Object.keys(metadata.versions)).toEqual(['1', '2']);
    await expect(reader.readVersion('secret', 'keyhouse/none')).rejects.toBeInstanceOf(VaultNotFoundError);
    await expect(reader.readMetadata('secret', 'keyhouse/none')).rejects.toBeInstanceOf(VaultNotFoundError);
  });

  it("Keyhouse's own policy reads metadata but never a secret", async () => {
    const vault = await start();
    const client = clientFor(vault);
    await client.writeVersion('secret', 'keyhouse/a', KEY_DATA);
    await expect(client.readMetadata('secret', 'keyhouse/a')).resolves.toMatchObject({ currentVersion: 1 });
    await expect(client.readVersion('secret', 'keyhouse/a')).rejects.toBeInstanceOf(
      VaultPermissionDeniedError,
    );
  });

  it('encodes each path segment and refuses an unsafe mount or path before sending anything', async () => {
    const vault = await start();
    const client = clientFor(vault);
    await client.writeVersion('secret', 'keyhouse/team a/b#c?d%', KEY_DATA);
    expect(vault.read('secret', 'keyhouse/team a/b#c?d%')).toEqual(PLAIN_KEY_DATA);
    expect(vault.requests.at(-1)?.path).toBe('/v1/secret/data/keyhouse/team%20a/b%23c%3Fd%25');

    const before = vault.requests.length;
    for (const [mount, path] of [
      ['secret', 'keyhouse/../other'],
      ['secret', '../sys/seal'],
      ['secret', 'keyhouse//a'],
      ['secret', '/keyhouse/a'],
      ['secret', 'keyhouse/{keyName}'],
      ['secret', 'keyhouse/a\nb'],
      ['sys', 'seal'],
      ['auth/approle', 'login'],
      ['', 'keyhouse/a'],
    ]) {
      const error = await client.writeVersion(mount!, path!, KEY_DATA).catch((e: unknown) => e);
      expect(isKeyhouseError(error, 'invalid_input'), `${mount} ${path}`).toBe(true);
    }
    await expect(client.writeVersion('secret', 'keyhouse/a', {})).rejects.toThrow('Vault data is empty');
    await expect(client.writeVersion('secret', 'keyhouse/a', KEY_DATA, { cas: -1 })).rejects.toThrow('cas');
    expect(vault.requests.length).toBe(before);
  });
});

describe('retries: only where nothing can be written twice', () => {
  it('logins and reads are sent again through 5xx and 429 (waiting Retry-After)', async () => {
    const vault = await start();
    const client = clientFor(vault);
    vault.failNext('app-role-login', 1, 500);
    vault.failNext('kv-v2-read-metadata', 1, 502);
    vault.failNext('kv-v2-read-metadata', 1, 429, { retryAfterSeconds: 2 });
    await client.writeVersion('secret', 'keyhouse/a', KEY_DATA);
    await expect(client.readMetadata('secret', 'keyhouse/a')).resolves.toMatchObject({ currentVersion: 1 });
    expect(seen(vault)).toEqual([
      ['app-role-login', 500],
      ['app-role-login', 200],
      ['kv-v2-write', 200],
      ['kv-v2-read-metadata', 502],
      ['kv-v2-read-metadata', 429],
      ['kv-v2-read-metadata', 200],
    ]);
    expect(sleeps).toHaveLength(3);
    expect(sleeps[2]).toBe(2_000);
  });

  it('a write refused with 429 or 503 (nothing written) is sent again and lands once', async () => {
    const vault = await start();
    const client = clientFor(vault);
    vault.failNext('kv-v2-write', 1, 429);
    vault.failNext('kv-v2-write', 1, 503);
    await expect(client.writeVersion('secret', 'keyhouse/a', KEY_DATA)).resolves.toMatchObject({
      version: { version: 1 },
    });
    expect(seen(vault).filter(([operation]) => operation === 'kv-v2-write')).toEqual([
      ['kv-v2-write', 429],
      ['kv-v2-write', 503],
      ['kv-v2-write', 200],
    ]);
    expect(vault.versions('secret', 'keyhouse/a')).toEqual({ current: 1, kept: [1] });
  });

  it('a sealed Vault: the write waits out its 503s and lands once Vault is unsealed', async () => {
    const vault = await start();
    const client = clientFor(vault, {
      sleep: async () => {
        vault.unseal(); // an operator unseals while the client backs off
      },
    });
    await client.ping();
    vault.seal();
    await expect(client.writeVersion('secret', 'keyhouse/a', KEY_DATA)).resolves.toMatchObject({
      version: { version: 1 },
    });
    vault.seal();
    const exhausted = clientFor(vault, {
      auth: { token: new Secret(vault.issueToken({ policies: ['keyhouse'] })) },
    });
    const error = await exhausted.writeVersion('secret', 'keyhouse/a', KEY_DATA).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultUnavailableError); // still sealed after 3 attempts: nothing written, so not "unknown"
    expect(vault.versions('secret', 'keyhouse/a')?.current).toBe(1);
  });

  it.each([
    [500, VaultServerError],
    ['drop', VaultConnectionError],
  ] as const)(
    'a write Vault carried out but answered with %s is not sent again: VaultWriteUnknownError',
    async (mode, cause) => {
      const vault = await start();
      const client = clientFor(vault);
      vault.processThenFail('kv-v2-write', 1, mode);

      const error = await client.writeVersion('secret', 'keyhouse/a', KEY_DATA).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(VaultWriteUnknownError);
      expect((error as Error).cause).toBeInstanceOf(cause);
      expect(writes(vault)).toBe(1);
      expect(vault.versions('secret', 'keyhouse/a')).toEqual({ current: 1, kept: [1] });
    },
  );

  it('a write that times out is not sent again; a read that times out is', async () => {
    const vault = await start();
    // Only the planned hangs can reach this limit: every other answer comes over loopback at once.
    const client = clientFor(vault, { timeoutMs: 2_000 });
    await client.ping();
    vault.processThenFail('kv-v2-write', 1, 'hang');
    const error = await client.writeVersion('secret', 'keyhouse/a', KEY_DATA).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultWriteUnknownError);
    expect((error as Error).cause).toBeInstanceOf(VaultTimeoutError);
    expect(writes(vault)).toBe(1);
    expect(vault.versions('secret', 'keyhouse/a')?.current).toBe(1);

    vault.processThenFail('kv-v2-read-metadata', 1, 'hang');
    await expect(client.readMetadata('secret', 'keyhouse/a')).resolves.toMatchObject({ currentVersion: 1 });
    expect(seen(vault).filter(([operation]) => operation === 'kv-v2-read-metadata')).toEqual([
      ['kv-v2-read-metadata', 0],
      ['kv-v2-read-metadata', 200],
    ]);
  });

  it('a connection refused sent nothing, so even a write is tried again, then fails as such', async () => {
    const gone = await startFakeVault();
    await gone.close();
    const client = new VaultClient({
      addr: gone.url,
      auth: { token: new Secret('hvs.static') },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    const error = await client.writeVersion('secret', 'keyhouse/a', KEY_DATA).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultConnectionError);
    expect(error).not.toBeInstanceOf(VaultWriteUnknownError);
    expect(error).toMatchObject({ requestMayHaveBeenSent: false });
    expect(sleeps).toHaveLength(2); // three attempts
  });
});
