import { describe, expect, it } from 'vitest';
import { isKeyhouseError } from '../../src/core/errors.js';
import { Secret } from '../../src/core/secret.js';
import { VaultClient, type VaultClientOptions } from '../../src/vault/client.js';
import {
  checkKvPath,
  checkMount,
  checkNamespace,
  checkPathTemplate,
  kvUrlPath,
} from '../../src/vault/paths.js';
import { keyhousePolicy, policyGlob, policyHcl } from '../../src/vault/policy.js';

function refusal(check: () => unknown): string {
  try {
    check();
  } catch (error) {
    if (isKeyhouseError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('paths', () => {
  it('encodes every segment of the mount and the path', () => {
    expect(kvUrlPath('team/kv', 'data', 'clickhouse/a b/c?d#e%f')).toBe(
      '/v1/team/kv/data/clickhouse/a%20b/c%3Fd%23e%25f',
    );
    expect(kvUrlPath('secret', 'metadata', 'x')).toBe('/v1/secret/metadata/x');
  });

  it.each([
    ['', 'is empty'],
    ['/a', 'empty segment'],
    ['a/', 'empty segment'],
    ['a//b', 'empty segment'],
    ['..', '"." or ".."'],
    ['a/../b', '"." or ".."'],
    ['a/./b', '"." or ".."'],
    ['a\u0000b', 'control character'],
    ['a\tb', 'control character'],
    ['x'.repeat(513), 'longer than 512'],
    ['clickhouse/{keyName}', 'still holds the placeholder {keyName}'],
  ])('refuses the path %j (%s), naming the problem and not the value', (path, problem) => {
    const message = refusal(() => checkKvPath(path));
    expect(message).toContain(`invalid_input: Vault path`);
    expect(message).toContain(problem);
  });

  it("refuses a mount under Vault's own sys/, auth/, identity/ or cubbyhole/", () => {
    for (const mount of ['sys', 'auth/approle', 'identity', 'cubbyhole']) {
      expect(refusal(() => checkMount(mount))).toContain("is under Vault's own");
    }
    expect(checkMount('kv/team')).toEqual(['kv', 'team']);
  });

  it('a template may hold whole {name} placeholders, and nothing else in braces', () => {
    expect(checkPathTemplate('clickhouse/{role}/{keyName}')).toEqual(['role', 'keyName']);
    expect(checkPathTemplate('ch-{keyName}-key')).toEqual(['keyName']);
    expect(checkPathTemplate('fixed/path')).toEqual([]);
    for (const bad of ['clickhouse/{keyName', 'clickhouse/{}', 'clickhouse/{1x}', 'a}b']) {
      expect(refusal(() => checkPathTemplate(bad))).toContain('not part of a {name} placeholder');
    }
    expect(refusal(() => checkPathTemplate('../{keyName}'))).toContain('".."');
  });

  it('a namespace is printable ASCII segments, with one trailing slash allowed', () => {
    expect(checkNamespace('admin')).toBe('admin');
    expect(checkNamespace('ns1/ns2/')).toBe('ns1/ns2/');
    for (const bad of ['', 'a b', 'ns1//ns2', 'admin/../root', 'é'])
      expect(() => checkNamespace(bad)).toThrow();
  });
});

describe('the policy Keyhouse needs', () => {
  it.each([
    ['clickhouse/{keyName}', 'clickhouse/*'],
    ['clickhouse/{role}/{keyName}', 'clickhouse/+/*'],
    ['teams/{role}/ch-{keyName}', 'teams/+/ch-*'],
    ['ch-{keyName}/creds', 'ch-*'],
    ['{keyName}', '*'],
    ['fixed/path', 'fixed/path'],
  ])('%s is covered by %s', (template, glob) => {
    expect(policyGlob(template)).toBe(glob);
  });

  it('writes versions, reads version numbers, looks itself up, and is written out as HCL', () => {
    const rules = keyhousePolicy('secret', 'clickhouse/{keyName}');
    expect(rules.map(({ path, capabilities }) => [path, capabilities])).toEqual([
      ['secret/data/clickhouse/*', ['create', 'update']],
      ['secret/metadata/clickhouse/*', ['read']],
      ['auth/token/lookup-self', ['read']],
    ]);
    expect(policyHcl(rules)).toBe(
      [
        '# Write one new version per delivered key: create for a new secret, update for the next version.',
        'path "secret/data/clickhouse/*" {',
        '  capabilities = ["create", "update"]',
        '}',
        '',
        '# Read version numbers, never values: to settle a write whose answer was lost, and for check-and-set.',
        'path "secret/metadata/clickhouse/*" {',
        '  capabilities = ["read"]',
        '}',
        '',
        "# The readiness check (Vault's default policy grants it too).",
        'path "auth/token/lookup-self" {',
        '  capabilities = ["read"]',
        '}',
        '',
      ].join('\n'),
    );
    expect(policyHcl([{ path: 'a"b\\c', capabilities: ['read'], why: 'quoting' }])).toContain(
      'path "a\\"b\\\\c" {',
    );
  });
});

describe('client options', () => {
  const valid: VaultClientOptions = {
    addr: 'https://vault.example.com:8200',
    auth: { roleId: 'role', secretId: new Secret('secret-id') },
  };

  it.each([
    [{ addr: 'vault.example.com' }, 'addr is not a URL'],
    [{ addr: 'ftp://vault.example.com' }, 'addr must be http(s)'],
    [{ addr: 'https://u:p@vault.example.com' }, 'must not carry credentials'],
    [{ addr: 'https://vault.example.com/v1' }, 'without /v1'],
    [{ addr: 'https://vault.example.com?x=1' }, 'query or fragment'],
    [{ namespace: 'a b' }, 'namespace must be printable ASCII'],
    [{ approleMount: 'approle/../token' }, 'approleMount has a "." or ".." segment'],
    [{ auth: { roleId: '', secretId: new Secret('x') } }, 'auth.roleId is required'],
    [
      { auth: { roleId: 'r', secretId: 'plain' as unknown as Secret } },
      'auth.secretId must be a non-empty Secret',
    ],
    [{ auth: { token: new Secret('') } }, 'auth.token must be a non-empty Secret'],
    [{ timeoutMs: 0 }, 'timeoutMs must be positive'],
    [{ retry: { maxAttempts: 0 } }, 'retry.maxAttempts'],
  ] as [Partial<VaultClientOptions>, string][])('refuses %j: %s', (overrides, problem) => {
    const message = refusal(() => new VaultClient({ ...valid, ...overrides }));
    expect(message).toMatch(/^config_invalid: Vault client: /);
    expect(message).toContain(problem);
    expect(message).not.toContain('secret-id');
  });

  it('accepts VAULT_ADDR with a trailing slash or a path prefix', () => {
    expect(() => new VaultClient({ ...valid, addr: 'https://vault.example.com:8200/' })).not.toThrow();
    expect(() => new VaultClient({ ...valid, addr: 'https://proxy.example.com/vault' })).not.toThrow();
  });
});
