/**
 * The fake GitHub's own behaviour, over plain HTTP (never the project's client): the app JWT checks,
 * installation tokens and their permissions, Actions secrets sealed and opened, alerts under GitHub's
 * PATCH rules, pagination, injected failures and the request record.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import sodium from 'libsodium-wrappers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeGitHub } from '../../dev/fake-github/server.js';
import { startFakeGitHub } from '../../dev/fake-github/server.js';
import { ManualClock } from '../support/clock.js';
import { checkDescriptionsAtEnd, type Seen, seenInFile } from '../support/github.js';
import { GITHUB_REST, loadOpenApiContract } from '../support/openapi.js';
import { requirement } from '../support/requirements.js';

interface Answer {
  status: number;
  headers: Headers;
  json: unknown;
}

/** Plain HTTP to the fake. `auth` is sent as `Authorization: Bearer …` when given. */
async function call(
  fake: FakeGitHub,
  method: string,
  path: string,
  options: { auth?: string; body?: unknown; raw?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2026-03-10',
  };
  if (options.auth !== undefined) headers.authorization = `Bearer ${options.auth}`;
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${fake.url}${path}`, {
    method,
    headers,
    ...(payload === undefined ? {} : { body: payload }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text === '' ? undefined : JSON.parse(text),
  };
}

/** An RS256 JWT with the given claims, signed with `key` (the app's, or another). */
function jwt(claims: Record<string, unknown>, key: KeyObject): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}`;
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), key).toString('base64url')}`;
}

async function seal(value: string, publicKeyBase64: string): Promise<string> {
  await sodium.ready;
  const key = sodium.from_base64(publicKeyBase64, sodium.base64_variants.ORIGINAL);
  return sodium.to_base64(sodium.crypto_box_seal(value, key), sodium.base64_variants.ORIGINAL);
}

const START = '2026-09-01T08:00:00Z';
const NOW_S = Date.parse(START) / 1000;
const seen = seenInFile();

interface Setup {
  fake: FakeGitHub;
  clock: ManualClock;
  appKey: KeyObject;
  appJwt(claims?: Record<string, unknown>): string;
  /** A fresh installation token, minted over HTTP. */
  token(body?: unknown): Promise<string>;
}

async function setUp(keep: Seen | null, permissions?: Record<string, 'read' | 'write'>): Promise<Setup> {
  const clock = new ManualClock(START);
  const fake = await startFakeGitHub({ clock, ...(permissions === undefined ? {} : { permissions }) });
  fakes.push({ fake, keep });
  fake.addRepository('acme/infra', { environments: ['production'] });
  const appKey = createPrivateKey(fake.app.privateKeyPem);
  const appJwt = (claims: Record<string, unknown> = {}) =>
    jwt({ iat: NOW_S - 60, exp: NOW_S + 540, iss: fake.app.id, ...claims }, appKey);
  const token = async (body?: unknown) => {
    const answer = await call(fake, 'POST', `/app/installations/${fake.installationId}/access_tokens`, {
      auth: appJwt(),
      ...(body === undefined ? {} : { body }),
    });
    expect(answer.status).toBe(201);
    return (answer.json as { token: string }).token;
  };
  return { fake, clock, appKey, appJwt, token };
}

const fakes: { fake: FakeGitHub; keep: Seen | null }[] = [];
afterEach(async () => {
  for (const { fake, keep } of fakes.splice(0)) {
    await fake.close();
    keep?.requests.push(...fake.requests);
  }
});

describe('the app JWT', () => {
  let s: Setup;
  beforeEach(async () => {
    s = await setUp(seen);
  });
  const installation = () => call(s.fake, 'GET', '/repos/acme/infra/installation', { auth: s.appJwt() });

  it('a valid one finds the installation; the client ID is an issuer too', async () => {
    const answer = await installation();
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ id: s.fake.installationId, app_id: s.fake.app.id });
    const byClientId = await call(s.fake, 'GET', '/repos/acme/infra/installation', {
      auth: s.appJwt({ iss: s.fake.app.clientId }),
    });
    expect(byClientId.status).toBe(200);
  });

  it.each([
    ['expired', { exp: NOW_S - 1 }, /'exp'/],
    ['issued in the future', { iat: NOW_S + 30 }, /'iat'/],
    ['living longer than 10 minutes', { iat: NOW_S - 60, exp: NOW_S + 601 }, /too far in the future/],
    ['from another app', { iss: 99 }, /'iss'/],
  ])('one %s is 401', async (_, claims, message) => {
    const answer = await call(s.fake, 'GET', '/repos/acme/infra/installation', { auth: s.appJwt(claims) });
    expect(answer.status).toBe(401);
    expect((answer.json as { message: string }).message).toMatch(message);
  });

  it('one signed with another key, garbage, an installation token or nothing is 401', async () => {
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const forged = jwt({ iat: NOW_S - 60, exp: NOW_S + 540, iss: s.fake.app.id }, otherKey);
    const token = await s.token();
    for (const auth of [forged, 'not.a.jwt', token, undefined]) {
      const answer = await call(
        s.fake,
        'GET',
        '/repos/acme/infra/installation',
        auth === undefined ? {} : { auth },
      );
      expect(answer.status).toBe(401);
    }
  });

  it('a repository the app is not installed on, or that does not exist, is 404; so is an unknown installation', async () => {
    s.fake.addRepository('acme/bare', { installed: false });
    expect((await call(s.fake, 'GET', '/repos/acme/bare/installation', { auth: s.appJwt() })).status).toBe(
      404,
    );
    expect((await call(s.fake, 'GET', '/repos/acme/none/installation', { auth: s.appJwt() })).status).toBe(
      404,
    );
    expect(
      (await call(s.fake, 'POST', '/app/installations/1/access_tokens', { auth: s.appJwt() })).status,
    ).toBe(404);
  });
});

describe('installation tokens', () => {
  let s: Setup;
  beforeEach(async () => {
    s = await setUp(seen);
  });
  const publicKey = (auth: string) =>
    call(s.fake, 'GET', '/repos/acme/infra/actions/secrets/public-key', { auth });

  it('expire an hour after minting, on the fake’s clock', async () => {
    const token = await s.token();
    s.clock.advance(60 * 60_000 - 1_000);
    expect((await publicKey(token)).status).toBe(200);
    s.clock.advance(1_000);
    const expired = await publicKey(token);
    expect(expired.status).toBe(401);
    expect(expired.json).toMatchObject({ message: 'Bad credentials' });
  });

  it('vary in length, and are refused once revoked', async () => {
    const tokens = [await s.token(), await s.token(), await s.token(), await s.token()];
    expect(new Set(tokens.map((token) => token.length)).size).toBeGreaterThan(1);
    expect(tokens.every((token) => token.startsWith('ghs_'))).toBe(true);
    s.fake.revokeTokens();
    expect((await publicKey(tokens[0]!)).status).toBe(401);
  });

  it('narrowed to read, may not write (403); asking for more than the installation has is 422', async () => {
    const reader = await s.token({ permissions: { secrets: 'read' } });
    const key = (await publicKey(reader)).json as { key_id: string; key: string };
    const put = await call(s.fake, 'PUT', '/repos/acme/infra/actions/secrets/X', {
      auth: reader,
      body: { encrypted_value: await seal('v', key.key), key_id: key.key_id },
    });
    expect(put.status).toBe(403);
    expect(put.json).toMatchObject({ message: 'Resource not accessible by integration' });
    const greedy = await call(s.fake, 'POST', `/app/installations/${s.fake.installationId}/access_tokens`, {
      auth: s.appJwt(),
      body: { permissions: { administration: 'write' } },
    });
    expect(greedy.status).toBe(422);
  });

  it('see only their installation’s repositories: another is 404, not 403', async () => {
    s.fake.addRepository('acme/bare', { installed: false });
    const token = await s.token();
    expect(
      (await call(s.fake, 'GET', '/repos/acme/bare/actions/secrets/public-key', { auth: token })).status,
    ).toBe(404);
  });
});

describe('Actions secrets', () => {
  let s: Setup;
  let token: string;
  beforeEach(async () => {
    s = await setUp(seen);
    token = await s.token();
  });
  const REPO_SECRETS = '/repos/acme/infra/actions/secrets';
  const ENV_SECRETS = '/repos/acme/infra/environments/production/secrets';
  const keyOf = async (base: string) =>
    (await call(s.fake, 'GET', `${base}/public-key`, { auth: token })).json as {
      key_id: string;
      key: string;
    };
  const put = async (base: string, name: string, value: string, keyId?: string) => {
    const key = await keyOf(base);
    return call(s.fake, 'PUT', `${base}/${name}`, {
      auth: token,
      body: { encrypted_value: await seal(value, key.key), key_id: keyId ?? key.key_id },
    });
  };

  it('opens each box with the scope’s private key: 201 created, 204 replaced, upper-case names', async () => {
    expect((await put(REPO_SECRETS, 'ch_key', 'first')).status).toBe(201);
    expect((await put(REPO_SECRETS, 'CH_KEY', 'second')).status).toBe(204);
    expect((await put(ENV_SECRETS, 'CH_KEY', 'in production')).status).toBe(201);

    expect(s.fake.secretsWritten()).toMatchObject([
      { repository: 'acme/infra', environment: null, name: 'CH_KEY', value: 'first', status: 201 },
      { repository: 'acme/infra', environment: null, name: 'CH_KEY', value: 'second', status: 204 },
      {
        repository: 'acme/infra',
        environment: 'production',
        name: 'CH_KEY',
        value: 'in production',
        status: 201,
      },
    ]);
    const metadata = await call(s.fake, 'GET', `${REPO_SECRETS}/ch_key`, { auth: token });
    expect(metadata.json).toEqual({
      name: 'CH_KEY',
      created_at: '2026-09-01T08:00:00Z',
      updated_at: '2026-09-01T08:00:00Z',
    });
    expect((await call(s.fake, 'DELETE', `${REPO_SECRETS}/CH_KEY`, { auth: token })).status).toBe(204);
    expect((await call(s.fake, 'GET', `${REPO_SECRETS}/CH_KEY`, { auth: token })).status).toBe(404);
  });

  it('the repository and each environment have their own key; a box sealed for one does not open in another', async () => {
    const repoKey = await keyOf(REPO_SECRETS);
    const envKey = await keyOf(ENV_SECRETS);
    expect(repoKey.key_id).not.toBe(envKey.key_id);
    const crossed = await call(s.fake, 'PUT', `${ENV_SECRETS}/X`, {
      auth: token,
      body: { encrypted_value: await seal('v', repoKey.key), key_id: envKey.key_id },
    });
    expect(crossed.status).toBe(422);
    expect(crossed.json).toMatchObject({ errors: [{ field: 'encrypted_value' }] });
  });

  it('a key_id from before the key was replaced is 422, and nothing is stored', async () => {
    const old = await keyOf(REPO_SECRETS);
    s.fake.rotatePublicKey('acme/infra');
    const answer = await call(s.fake, 'PUT', `${REPO_SECRETS}/X`, {
      auth: token,
      body: { encrypted_value: await seal('v', old.key), key_id: old.key_id },
    });
    expect(answer.status).toBe(422);
    expect(answer.json).toMatchObject({ errors: [{ field: 'key_id' }] });
    expect(s.fake.secretsWritten()).toEqual([]);
  });

  it.each(['1ABC', 'GITHUB_TOKEN', 'github_x', 'A-B'])('the name %s is 422', async (name) => {
    const answer = await put(REPO_SECRETS, name, 'v');
    expect(answer.status).toBe(422);
    expect(answer.json).toMatchObject({
      message: expect.stringContaining('Secret names'),
      errors: [{ field: 'name' }],
    });
  });

  it('an unknown environment or repository is 404', async () => {
    expect(
      (
        await call(s.fake, 'GET', '/repos/acme/infra/environments/staging/secrets/public-key', {
          auth: token,
        })
      ).status,
    ).toBe(404);
    expect(
      (await call(s.fake, 'GET', '/repos/acme/none/actions/secrets/public-key', { auth: token })).status,
    ).toBe(404);
  });

  it('an environment name with a slash is reached URL-encoded', async () => {
    s.fake.addEnvironment('acme/infra', 'eu/prod');
    const answer = await call(s.fake, 'GET', '/repos/acme/infra/environments/eu%2Fprod/secrets/public-key', {
      auth: token,
    });
    expect(answer.status).toBe(200);
    expect((answer.json as { key_id: string }).key_id).toBe(s.fake.publicKeyId('acme/infra', 'eu/prod'));
  });

  it('a 101st secret in one scope is 422', async () => {
    for (let i = 0; i < 100; i++) expect((await put(ENV_SECRETS, `S${i}`, 'v')).status).toBe(201);
    expect((await put(ENV_SECRETS, 'ONE_MORE', 'v')).status).toBe(422);
    expect((await put(ENV_SECRETS, 'S7', 'replaced')).status).toBe(204);
  });
});

describe('secret scanning', () => {
  let s: Setup;
  let token: string;
  beforeEach(async () => {
    s = await setUp(seen);
    token = await s.token();
  });
  const ALERTS = '/repos/acme/infra/secret-scanning/alerts';
  const patch = (number: number, body: unknown) =>
    call(s.fake, 'PATCH', `${ALERTS}/${number}`, { auth: token, body });

  it('serves an alert with its secret, and without it when hide_secret=true', async () => {
    s.fake.addAlert('acme/infra', { secret: '4b1dSeen' });
    expect((await call(s.fake, 'GET', `${ALERTS}/1`, { auth: token })).json).toMatchObject({
      number: 1,
      state: 'open',
      secret: '4b1dSeen',
    });
    expect(
      (await call(s.fake, 'GET', `${ALERTS}/1?hide_secret=true`, { auth: token })).json,
    ).not.toHaveProperty('secret');
  });

  it('holds PATCH to GitHub’s rules: 422 on a state/resolution mismatch, 400 when nothing changes', async () => {
    s.fake.addAlert('acme/infra', { secret: '4b1dA' });
    expect((await patch(1, { state: 'resolved' })).status).toBe(422);
    expect((await patch(1, { state: 'open', resolution: 'revoked' })).status).toBe(422);
    expect((await patch(1, { state: 'open' })).status).toBe(400);
    const resolved = await patch(1, { state: 'resolved', resolution: 'revoked', resolution_comment: 'gone' });
    expect(resolved.status).toBe(200);
    expect(resolved.json).toMatchObject({
      state: 'resolved',
      resolution: 'revoked',
      resolution_comment: 'gone',
      resolved_by: { type: 'Bot' },
    });
    const again = await patch(1, { state: 'resolved', resolution: 'revoked' });
    expect(again.status).toBe(400);
    expect(again.json).toMatchObject({ message: 'The resolution was not changed' });
    expect((await patch(1, { state: 'resolved', resolution: 'wont_fix' })).status).toBe(200);
    const reopened = await patch(1, { state: 'open', resolution_comment: 'not so fast' });
    expect(reopened.json).toMatchObject({ state: 'open', resolution: null, resolved_at: null });
  });

  it('lists alerts and locations by page, with the Link header GitHub gives', async () => {
    for (let i = 0; i < 5; i++) s.fake.addAlert('acme/infra', { secret: `4b1d${i}` });
    const first = await call(s.fake, 'GET', `${ALERTS}?per_page=2`, { auth: token });
    expect((first.json as unknown[]).length).toBe(2);
    expect(first.headers.get('link')).toBe(
      `<${s.fake.url}${ALERTS}?per_page=2&page=2>; rel="next", <${s.fake.url}${ALERTS}?per_page=2&page=3>; rel="last"`,
    );
    const last = await call(s.fake, 'GET', `${ALERTS}?per_page=2&page=3`, { auth: token });
    expect((last.json as { number: number }[]).map((alert) => alert.number)).toEqual([5]);
    expect(last.headers.get('link')).toContain('rel="prev"');
    expect(last.headers.get('link')).not.toContain('rel="next"');
    await patch(2, { state: 'resolved', resolution: 'revoked' });
    const open = await call(s.fake, 'GET', `${ALERTS}?state=open`, { auth: token });
    expect((open.json as { number: number }[]).map((alert) => alert.number)).toEqual([1, 3, 4, 5]);

    const locations = await call(s.fake, 'GET', `${ALERTS}/1/locations`, { auth: token });
    expect(locations.json).toMatchObject([
      { type: 'commit', details: { path: 'terraform/main.tf', start_line: 12 } },
    ]);
    expect(locations.headers.get('link')).toBeNull();
  });

  it('a repository without secret scanning, or an unknown alert, is 404', async () => {
    s.fake.addRepository('acme/quiet', { secretScanning: false });
    expect(
      (await call(s.fake, 'GET', '/repos/acme/quiet/secret-scanning/alerts', { auth: token })).status,
    ).toBe(404);
    expect((await call(s.fake, 'GET', `${ALERTS}/9`, { auth: token })).status).toBe(404);
  });
});

describe('injected failures and the record', () => {
  let s: Setup;
  let token: string;
  beforeEach(async () => {
    s = await setUp(seen);
    token = await s.token();
  });
  const KEY = '/repos/acme/infra/actions/secrets/public-key';
  const get = () => call(s.fake, 'GET', KEY, { auth: token });

  it('rate limits come with GitHub’s headers; faults queue in order and are used up', async () => {
    s.fake.failNext('actions/get-repo-public-key', 1, {
      kind: 'primary-rate-limit',
      status: 403,
      resetInSeconds: 42,
    });
    s.fake.failNext('actions/get-repo-public-key', 1, {
      kind: 'secondary-rate-limit',
      status: 429,
      retryAfterSeconds: 9,
    });
    s.fake.failNext('actions/get-repo-public-key', 1, { kind: 'status', status: 503 });

    const primary = await get();
    expect(primary.status).toBe(403);
    expect(primary.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(primary.headers.get('x-ratelimit-reset')).toBe(String(NOW_S + 42));
    expect(primary.json).toMatchObject({ message: expect.stringContaining('rate limit exceeded') });
    const secondary = await get();
    expect(secondary.status).toBe(429);
    expect(secondary.headers.get('retry-after')).toBe('9');
    expect(secondary.json).toMatchObject({ message: expect.stringContaining('secondary rate limit') });
    expect((await get()).status).toBe(503);
    const fine = await get();
    expect(fine.status).toBe(200);
    expect(Number(fine.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0);
  });

  it('a dropped connection answers nothing', async () => {
    s.fake.failNext('actions/get-repo-public-key', 1, { kind: 'drop' });
    await expect(get()).rejects.toThrow();
    expect(s.fake.requests.at(-1)).toMatchObject({ route: 'actions/get-repo-public-key', status: 0 });
  });

  it('records requests with their credential kind and headers, tokens and secrets redacted', async () => {
    s.fake.addAlert('acme/infra', { secret: '4b1dNeverInTheRecord' });
    await call(s.fake, 'GET', '/repos/acme/infra/secret-scanning/alerts/1', { auth: token });

    const [mint, alert] = s.fake.requests;
    expect(mint).toMatchObject({
      route: 'apps/create-installation-access-token',
      status: 201,
      auth: { kind: 'jwt', claims: { iat: NOW_S - 60, exp: NOW_S + 540 } },
      headers: { apiVersion: '2026-03-10' },
      response: { token: '[redacted]' },
    });
    expect(alert).toMatchObject({
      auth: { kind: 'token', installationId: s.fake.installationId },
      response: { secret: '[redacted]' },
    });
    expect(JSON.stringify(s.fake.requests)).not.toContain(token);
    expect(JSON.stringify(s.fake.requests)).not.toContain('4b1dNeverInTheRecord');
  });
});

/**
 * Requests no client should send, to check the fake refuses them; being off the description on purpose,
 * only the fake's answers are held to it here.
 */
describe('requests off the description', () => {
  const contract = requirement(
    loadOpenApiContract(GITHUB_REST),
    '../shared/ref/github-rest-subset.openapi.json not found (clone without ../shared)',
  );
  let s: Setup;
  let token: string;
  beforeEach(async () => {
    s = await setUp(null);
    token = await s.token();
  });
  afterEach(() => {
    if (contract === null) return;
    for (const exchange of s.fake.requests) {
      const template = contract.matchPath(exchange.method, exchange.path);
      expect(template).not.toBeNull();
      expect(
        contract.validateResponseBody(exchange.method, template!, exchange.status, exchange.response, {
          strict: true,
        }),
      ).toEqual([]);
    }
  });

  it('a PUT without key_id, a body that is not JSON, a PATCH changing nothing, a comment that is not text', async () => {
    s.fake.addAlert('acme/infra', { secret: '4b1dB' });
    const secret = '/repos/acme/infra/actions/secrets/X';
    expect(
      (await call(s.fake, 'PUT', secret, { auth: token, body: { encrypted_value: 'AAAA' } })).status,
    ).toBe(422);
    expect((await call(s.fake, 'PUT', secret, { auth: token, raw: '{"encrypted_value":' })).status).toBe(400);
    const alert = '/repos/acme/infra/secret-scanning/alerts/1';
    expect(
      (await call(s.fake, 'PATCH', alert, { auth: token, body: { resolution: 'revoked' } })).status,
    ).toBe(422);
    expect(
      (
        await call(s.fake, 'PATCH', alert, {
          auth: token,
          body: { state: 'resolved', resolution: 'revoked', resolution_comment: 7 },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call(s.fake, 'POST', `/app/installations/${s.fake.installationId}/access_tokens`, {
          auth: s.appJwt(),
          body: { repositories: ['infra'] },
        })
      ).status,
    ).toBe(422);
  });
});

checkDescriptionsAtEnd(seen);
