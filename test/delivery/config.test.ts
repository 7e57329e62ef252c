import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { validatePolicy } from '../../src/policy/index.js';
import { loadSettings } from '../../src/settings.js';
import { testPolicyFields } from '../support/policy-fixture.js';

const DESTINATIONS = [
  {
    id: 'infra-ci',
    type: 'github-actions',
    repository: 'acme/infra',
    environment: 'production',
    names: { keyId: 'clickhouse_key_id', keySecret: 'CLICKHOUSE_KEY_SECRET' },
  },
  { id: 'vault-prod', type: 'vault-kv', mount: 'secret', path: 'clickhouse/{keyName}' },
];

const TERRAFORM = {
  id: 'terraform',
  label: 'Terraform',
  grant: { roles: ['admin'] },
  maxExpiry: 'never',
  approvals: 2,
  destinations: ['infra-ci', 'vault-prod'],
  rotateEvery: '30d',
};

function policyWith(overrides: Record<string, unknown> = {}) {
  const fields = testPolicyFields({ destinations: DESTINATIONS, ...overrides });
  if (!overrides.roles) fields.roles = [...(fields.roles as unknown[]), TERRAFORM];
  return fields;
}

function problems(fields: Record<string, unknown>): string[] {
  const result = validatePolicy(fields);
  if ('doc' in result) return [];
  return result.problems.map((p) => `${p.path.join('.')}: ${p.message}`);
}

describe('destinations in the policy (product.md §12)', () => {
  it('reads both kinds, with GitHub names upper-cased and the role’s destinations and schedule', () => {
    const result = validatePolicy(policyWith());
    if (!('doc' in result)) throw new Error(JSON.stringify(result.problems));
    const [github, vault] = result.doc.destinations;
    expect(github).toEqual({
      ...DESTINATIONS[0],
      names: { keyId: 'CLICKHOUSE_KEY_ID', keySecret: 'CLICKHOUSE_KEY_SECRET' },
    });
    expect(vault).toEqual(DESTINATIONS[1]);
    const role = result.doc.roles.find((r) => r.id === 'terraform');
    expect(role?.destinations).toEqual(['infra-ci', 'vault-prod']);
    expect(role?.rotateEveryMs).toBe(30 * 86_400_000);
  });

  it('defaults the GitHub names and has no destinations when none are given', () => {
    const result = validatePolicy(
      policyWith({
        destinations: [{ id: 'ci', type: 'github-actions', repository: 'acme/app' }],
        roles: [{ ...TERRAFORM, destinations: ['ci'] }],
      }),
    );
    if (!('doc' in result)) throw new Error(JSON.stringify(result.problems));
    expect(result.doc.destinations[0]).toMatchObject({
      names: { keyId: 'CLICKHOUSE_KEY_ID', keySecret: 'CLICKHOUSE_KEY_SECRET' },
    });
    const plain = validatePolicy(testPolicyFields());
    expect('doc' in plain && plain.doc.destinations).toEqual([]);
  });

  it('names every problem with its path: unknown ids, duplicates, bad names, placeholders, a schedule without a destination', () => {
    const found = problems(
      policyWith({
        destinations: [
          {
            id: 'ci',
            type: 'github-actions',
            repository: 'not a repo',
            names: { keyId: 'GITHUB_TOKEN', keySecret: '1X' },
          },
          { id: 'ci', type: 'vault-kv', mount: 'secret', path: 'clickhouse/{team}' },
          { id: 'other', type: 's3' },
        ],
        roles: [
          { ...TERRAFORM, destinations: ['ci', 'nowhere'] },
          {
            id: 'dev',
            label: 'Dev',
            grant: { roles: ['developer'] },
            maxExpiry: '7d',
            approvals: 0,
            rotateEvery: '1d',
          },
        ],
      }),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^destinations\.0\.repository: "not a repo" is not owner\/repository/),
        expect.stringMatching(/^destinations\.0\.names\.keyId: must not start with GITHUB_/),
        expect.stringMatching(/^destinations\.0\.names\.keySecret: must be letters/),
        expect.stringMatching(/^destinations\.1\.path: \{team\} is not a placeholder/),
        expect.stringMatching(/^destinations\.2\.type: /),
        expect.stringMatching(/^destinations\.1\.id: "ci" is already used by destinations\[0\]/),
        expect.stringMatching(/^roles\.0\.destinations\.1: "nowhere" is not a destination/),
        expect.stringMatching(/^roles\.1\.rotateEvery: needs destinations/),
      ]),
    );
  });
});

const BASE_ENV = {
  SLACK_BOT_TOKEN: 'xoxb-1-2-bot',
  SLACK_SIGNING_SECRET: 'signing',
  CLICKHOUSE_KEY_ID: 'KEYID',
  CLICKHOUSE_KEY_SECRET: 'key-secret-value',
};
const PEM = '-----BEGIN RSA PRIVATE KEY-----\\nMIIB\\n-----END RSA PRIVATE KEY-----';

describe('GitHub and Vault in the environment', () => {
  it('reads a GitHub App and Vault AppRole, the PEM’s \\n escapes turned into lines, secrets kept as Secrets', () => {
    const config = loadConfig({
      ...BASE_ENV,
      GITHUB_APP_ID: '12345',
      GITHUB_APP_PRIVATE_KEY: PEM,
      VAULT_ADDR: 'https://vault.example.com:8200',
      VAULT_ROLE_ID: 'role',
      VAULT_SECRET_ID: 'secret-id-value',
      VAULT_NAMESPACE: 'admin',
    });
    expect(config.github?.apiUrl).toBe('https://api.github.com');
    expect(config.github?.privateKey.reveal()).toContain('KEY-----\nMIIB\n');
    expect(config.vault?.namespace).toBe('admin');
    expect(JSON.stringify(config)).not.toContain('secret-id-value');
  });

  it('reports half a GitHub App or half an AppRole, never quoting a value', () => {
    const env = {
      ...BASE_ENV,
      GITHUB_APP_ID: '12345',
      VAULT_ROLE_ID: 'role',
      VAULT_ADDR: 'http://vault.example.com',
    };
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const found = (error as ConfigError).problems;
    expect(found).toEqual(
      expect.arrayContaining([
        'GITHUB_APP_PRIVATE_KEY is required when GITHUB_APP_ID is set',
        'VAULT_SECRET_ID is required when VAULT_ROLE_ID is set (AppRole)',
        expect.stringMatching(/^VAULT_ADDR must use https/),
      ]),
    );
  });
});

describe('a destination named but not configured stops the start', () => {
  it('names each destination and what it needs, together with the environment’s other problems', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keyhouse-dest-'));
    const file = join(dir, 'policy.json');
    await writeFile(file, JSON.stringify(policyWith()));
    const env = { ...BASE_ENV, SLACK_BOT_TOKEN: 'not-a-bot-token', KEYHOUSE_POLICY: file };
    const error = await loadSettings(env).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'SLACK_BOT_TOKEN must be a bot token starting with xoxb-',
      'destination infra-ci (github-actions, acme/infra) needs GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY',
      'destination vault-prod (vault-kv, secret) needs VAULT_ADDR and VAULT_ROLE_ID/VAULT_SECRET_ID or VAULT_TOKEN',
    ]);
  });

  it('starts when both are configured', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keyhouse-dest-'));
    const file = join(dir, 'policy.json');
    await writeFile(file, JSON.stringify(policyWith()));
    const { policy, config } = await loadSettings({
      ...BASE_ENV,
      KEYHOUSE_POLICY: file,
      GITHUB_APP_ID: '1',
      GITHUB_APP_PRIVATE_KEY: PEM,
      VAULT_ADDR: 'http://127.0.0.1:8200',
      VAULT_TOKEN: 'hvs.token',
    });
    expect(policy.destinations.map((d) => d.id)).toEqual(['infra-ci', 'vault-prod']);
    expect(config.vault?.auth).toHaveProperty('token');
  });
});
