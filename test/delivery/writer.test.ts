/**
 * The writer against the fakes (product.md §12): what it writes, how a half-done GitHub write is
 * put back, and what `holds` says when a crash is settled (Vault's metadata only, as Keyhouse's
 * Vault policy allows; GitHub's timestamps). Every exchange is held to the real descriptions by the
 * fakes' own contract tests; here the outcomes are.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeGitHub, startFakeGitHub } from '../../dev/fake-github/server.js';
import { type FakeVault, startFakeVault } from '../../dev/fake-vault/server.js';
import { DestinationError } from '../../src/core/delivery-ports.js';
import type { Destination } from '../../src/core/policy-model.js';
import { Secret } from '../../src/core/secret.js';
import { Destinations } from '../../src/delivery/index.js';
import { GitHubAppClient } from '../../src/github/index.js';
import { VaultClient } from '../../src/vault/index.js';

const SECRET = `4b1d${'S'.repeat(38)}`;
const ITEM = {
  keyId: 'KEYIDNEW0001',
  secret: new Secret(SECRET),
  keyName: 'tf-prod',
  roleId: 'terraform',
  requesterId: 'U0ALICE',
  expireAt: null,
};
const GITHUB: Destination = {
  id: 'ci',
  type: 'github-actions',
  repository: 'acme/infra',
  names: { keyId: 'CLICKHOUSE_KEY_ID', keySecret: 'CLICKHOUSE_KEY_SECRET' },
};
const VAULT: Destination = { id: 'vault', type: 'vault-kv', mount: 'secret', path: 'clickhouse/{keyName}' };

let github: FakeGitHub | null = null;
let vault: FakeVault | null = null;
afterEach(async () => {
  await github?.close();
  await vault?.close();
  github = null;
  vault = null;
});

async function writer() {
  github = await startFakeGitHub();
  github.addRepository('acme/infra');
  vault = await startFakeVault({ keyhouse: { mount: 'secret', pathTemplate: 'clickhouse/{keyName}' } });
  const logger = pino({ level: 'silent' });
  return new Destinations({
    github: new GitHubAppClient({
      apiUrl: github.url,
      appId: github.app.id,
      privateKey: new Secret(github.app.privateKeyPem),
      retry: { maxAttempts: 1 },
      logger,
    }),
    vault: new VaultClient({
      addr: vault.url,
      auth: { roleId: vault.roleId, secretId: new Secret(vault.secretId) },
      retry: { maxAttempts: 1 },
      logger,
    }),
    logger,
  });
}

describe('the destination writer', () => {
  it('holds() says whether the destination was written since an attempt began, reading no value back', async () => {
    const w = await writer();
    const before = new Date(Date.now() - 5_000);
    const key = { keySuffix: '0001', keyName: 'tf-prod', roleId: 'terraform', requesterId: 'U0ALICE' };
    expect(await w.holds(VAULT, key, before)).toBe(false);
    await w.write(VAULT, ITEM);
    await w.write(GITHUB, ITEM);
    expect(await w.holds(VAULT, key, before)).toBe(true);
    expect(await w.holds(GITHUB, key, before)).toBe(true);
    const later = new Date(Date.now() + 60_000);
    expect(await w.holds(VAULT, key, later)).toBe(false);
    expect(await w.holds(GITHUB, key, later)).toBe(false);
    // Keyhouse's Vault policy lets it read metadata, never a value: no data read was even tried.
    expect(vault?.requests.some((r) => r.operation === 'kv-v2-read')).toBe(false);
  });

  it('a refused write is a DestinationError in the service’s own words, never holding the secret', async () => {
    const w = await writer();
    github?.failNext('actions/create-or-update-repo-secret', 1, { kind: 'status', status: 404 });
    const fromGitHub = await w.write(GITHUB, ITEM).then(
      () => null,
      (e: unknown) => e,
    );
    expect(fromGitHub).toBeInstanceOf(DestinationError);
    expect((fromGitHub as DestinationError).detail).toContain('Not Found');
    // What a person may read quoted is GitHub's answer alone, not Keyhouse's wording of the call.
    expect((fromGitHub as DestinationError).said).toBe('Not Found');
    vault?.failNext('kv-v2-write', 1, 403, { messages: ['permission denied'] });
    vault?.failNext('app-role-login', 1, 400, { messages: ['invalid role or secret ID'] });
    const fromVault = await w.write(VAULT, ITEM).then(
      () => null,
      (e: unknown) => e,
    );
    expect(fromVault).toBeInstanceOf(DestinationError);
    expect((fromVault as DestinationError).said).not.toMatch(/^Vault /);
    for (const error of [fromGitHub, fromVault]) {
      const text = `${String(error)} ${JSON.stringify(error)} ${(error as DestinationError).detail}`;
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(vault?.secretId ?? 'none');
      for (const token of github?.tokensIssued() ?? []) expect(text).not.toContain(token.token);
    }
  });

  it('Keyhouse’s own reason is for the log: nothing of it is quoted to a person as the destination’s words', async () => {
    const w = new Destinations({ github: null, vault: null, logger: pino({ level: 'silent' }) });
    const refused = await w.write(VAULT, ITEM).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(DestinationError);
    expect((refused as DestinationError).detail).toContain('not configured');
    expect((refused as DestinationError).said).toBeNull();
  });
});
