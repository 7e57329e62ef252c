/**
 * A Keyhouse whose policy has two destinations (product.md §12), a GitHub environment and a Vault
 * KV path, each backed by its fake (dev/fake-github, dev/fake-vault) and reached through the real
 * clients, so every secret written is opened by the fake and can be compared with ClickHouse's.
 */
import pino from 'pino';
import { type FakeGitHub, startFakeGitHub } from '../../dev/fake-github/server.js';
import { type FakeVault, startFakeVault } from '../../dev/fake-vault/server.js';
import { ClickHouseCloudClient } from '../../src/api/index.js';
import { Secret } from '../../src/core/secret.js';
import { Destinations } from '../../src/delivery/index.js';
import { GitHubAppClient } from '../../src/github/index.js';
import { VaultClient } from '../../src/vault/index.js';
import { Harness, type HarnessOptions, testPolicy } from '../support/keyhouse.js';
import { testPolicyFields } from '../support/policy-fixture.js';

export const REPOSITORY = 'acme/infra';
export const ENVIRONMENT = 'production';

export const DESTINATIONS = [
  { id: 'infra-ci', type: 'github-actions', repository: REPOSITORY, environment: ENVIRONMENT },
  { id: 'vault-prod', type: 'vault-kv', mount: 'secret', path: 'clickhouse/{keyName}' },
];

/** A role for machines: one approval, both destinations, optionally a schedule. */
export function machineRole(overrides: Record<string, unknown> = {}) {
  return {
    id: 'terraform',
    label: 'Terraform',
    grant: { roles: ['admin'] },
    maxExpiry: 'never',
    approvals: 1,
    destinations: ['infra-ci', 'vault-prod'],
    ...overrides,
  };
}

export interface DeliveryWorld {
  h: Harness;
  github: FakeGitHub;
  vault: FakeVault;
  close(): Promise<void>;
}

export async function startDeliveryWorld(
  options: HarnessOptions & { role?: Record<string, unknown>; postgres?: string } = {},
): Promise<DeliveryWorld> {
  const github = await startFakeGitHub();
  github.addRepository(REPOSITORY, { environments: [ENVIRONMENT] });
  const vault = await startFakeVault({ keyhouse: { mount: 'secret', pathTemplate: 'clickhouse/{keyName}' } });
  const quiet = pino({ level: 'silent' });
  const destinations = new Destinations({
    github: new GitHubAppClient({
      apiUrl: github.url,
      appId: github.app.id,
      privateKey: new Secret(github.app.privateKeyPem),
      retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
      logger: quiet,
    }),
    vault: new VaultClient({
      addr: vault.url,
      auth: { roleId: vault.roleId, secretId: new Secret(vault.secretId) },
      retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
      logger: quiet,
    }),
    logger: quiet,
  });
  const base = testPolicyFields();
  const policy = testPolicy({
    destinations: DESTINATIONS,
    roles: [...(base.roles as unknown[]), machineRole(options.role)],
  });
  const h = await Harness.start({ policy, destinations, ...options });
  return {
    h,
    github,
    vault,
    async close() {
      await h.close();
      await github.close();
      await vault.close();
    },
  };
}

/** Whether ClickHouse (the emulator) accepts this key id and secret: the secret written is the one issued. */
export async function clickhouseAccepts(h: Harness, keyId: string, secret: string): Promise<boolean> {
  const client = new ClickHouseCloudClient({
    baseUrl: h.clickhouse.url,
    keyId,
    keySecret: new Secret(secret),
    retry: { maxAttempts: 1 },
  });
  return client.listOrganizations().then(
    () => true,
    () => false,
  );
}
