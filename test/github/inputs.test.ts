/**
 * The GitHub client's pure parts: what it accepts as a repository, environment, secret name and option,
 * how it reads a `Link` header and a rate-limit answer. Nothing here talks to a server.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/core/secret.js';
import { checkSecretName, GitHubAppClient, parseRepository } from '../../src/github/index.js';
import { nextLink } from '../../src/github/link.js';
import { RESET_MARGIN_MS, readRateLimit } from '../../src/github/rate-limit.js';
import { buildPath, checkEnvironmentName } from '../../src/github/routes.js';

describe('repositories, environments and secret names', () => {
  it('a repository is owner/name; nothing that could change a path passes', () => {
    expect(parseRepository('acme/infra')).toEqual({ owner: 'acme', repo: 'infra' });
    expect(parseRepository('Acme-Corp/infra.tf_v2')).toEqual({ owner: 'Acme-Corp', repo: 'infra.tf_v2' });
    for (const bad of [
      'acme',
      'acme/infra/x',
      '/infra',
      'acme/',
      'acme/..',
      'acme/.',
      '../etc/passwd',
      'ac me/x',
      'acme/in%2Ffra',
      'acme/x?y',
      '-acme/x',
    ]) {
      expect(() => parseRepository(bad), bad).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    }
  });

  it('an environment name is one encoded segment; control characters and blanks are refused', () => {
    expect(
      buildPath('getEnvironmentPublicKey', {
        owner: 'a',
        repo: 'b',
        environment_name: checkEnvironmentName('eu/prod ?#'),
      }),
    ).toBe('/repos/a/b/environments/eu%2Fprod%20%3F%23/secrets/public-key');
    for (const bad of ['', '   ', 'a\nb', 'x'.repeat(256)]) {
      expect(() => checkEnvironmentName(bad)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    }
  });

  it('secret names follow DOC-SEC and come back upper-case', () => {
    expect(checkSecretName('clickhouse_key_id')).toBe('CLICKHOUSE_KEY_ID');
    expect(checkSecretName('_PRIVATE')).toBe('_PRIVATE');
    for (const bad of ['', '9LIVES', 'GITHUB_TOKEN', 'github_anything', 'A-B', 'A B', 'É']) {
      expect(() => checkSecretName(bad), bad).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    }
  });
});

describe('the Link header', () => {
  it('gives the rel="next" target, wherever it stands, or null on the last page', () => {
    expect(
      nextLink(
        '<https://api.github.com/r?page=2>; rel="next", <https://api.github.com/r?page=5>; rel="last"',
      ),
    ).toBe('https://api.github.com/r?page=2');
    expect(nextLink('<https://x/r?page=1>; rel="prev", <https://x/r?after=abc>; rel="next"')).toBe(
      'https://x/r?after=abc',
    );
    expect(nextLink('<https://x/r?page=1>; rel="first", <https://x/r?page=1>; rel="prev"')).toBeNull();
    expect(nextLink(undefined)).toBeNull();
    expect(nextLink('<https://x/r?a=1,2>; rel="next"')).toBe('https://x/r?a=1,2');
  });
});

describe('reading a rate limit (DOC-RATE)', () => {
  const now = Date.parse('2026-09-01T08:00:00Z');
  const answer = (status: number, headers: Record<string, string>, message: string | null = null) => ({
    status,
    headers,
    message,
  });

  it('retry-after: that many seconds', () => {
    expect(readRateLimit(answer(429, { 'retry-after': '12' }), now, 0)).toEqual({
      waitMs: 12_000,
      secondary: false,
    });
  });

  it('remaining 0: until the reset, plus a margin', () => {
    const reset = String(now / 1000 + 30);
    expect(
      readRateLimit(answer(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }), now, 0),
    ).toEqual({
      waitMs: 30_000 + RESET_MARGIN_MS,
      secondary: false,
    });
  });

  it('a secondary limit without headers: a minute, doubling', () => {
    expect(readRateLimit(answer(429, {}), now, 0)).toEqual({ waitMs: 60_000, secondary: true });
    expect(
      readRateLimit(
        answer(403, { 'x-ratelimit-remaining': '4000' }, 'You have exceeded a secondary rate limit'),
        now,
        2,
      ),
    ).toEqual({
      waitMs: 240_000,
      secondary: true,
    });
  });

  it('a 403 with remaining budget and no such message is not a rate limit; nor is a 500', () => {
    expect(
      readRateLimit(
        answer(403, { 'x-ratelimit-remaining': '4999' }, 'Resource not accessible by integration'),
        now,
        0,
      ),
    ).toBeNull();
    expect(readRateLimit(answer(500, { 'retry-after': '1' }), now, 0)).toBeNull();
  });
});

describe('client options', () => {
  const privateKey = new Secret(
    generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs1', format: 'pem' })
      .toString(),
  );
  const make = (overrides: Record<string, unknown>) => () =>
    new GitHubAppClient({ apiUrl: 'https://api.github.com', appId: 1, privateKey, ...overrides });

  it.each([
    ['apiUrl not a URL', { apiUrl: 'github' }],
    ['apiUrl with credentials', { apiUrl: 'https://u:p@api.github.com' }],
    ['apiUrl with a query', { apiUrl: 'https://api.github.com/?x=1' }],
    ['apiUrl not http(s)', { apiUrl: 'ftp://api.github.com' }],
    ['appId zero', { appId: 0 }],
    ['appId with a slash', { appId: 'a/b' }],
    ['privateKey a plain string', { privateKey: 'pem' }],
    [
      'privateKey an EC key',
      {
        privateKey: new Secret(
          generateKeyPairSync('ec', { namedCurve: 'P-256' })
            .privateKey.export({ type: 'pkcs8', format: 'pem' })
            .toString(),
        ),
      },
    ],
    ['timeoutMs zero', { timeoutMs: 0 }],
    ['retry.maxAttempts zero', { retry: { maxAttempts: 0 } }],
  ])('%s is a configuration error', (_, overrides) => {
    expect(make(overrides)).toThrow(expect.objectContaining({ code: 'config_invalid' }));
  });

  it('a key with \\n escapes (as environment variables carry it) is accepted; GHES’s /api/v3 root too', () => {
    const escaped = new Secret(privateKey.reveal().replaceAll('\n', '\\n'));
    expect(make({ privateKey: escaped, apiUrl: 'https://ghe.example/api/v3/' })).not.toThrow();
  });
});
