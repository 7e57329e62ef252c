/**
 * The GitHub App client against the fake GitHub: every operation, and every failure the fake can make.
 * The file's last test holds every exchange the fakes saw to GitHub's own descriptions.
 */

import { Agent, type Dispatcher } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '../../src/core/secret.js';
import {
  GitHubApiError,
  GitHubAuthenticationError,
  GitHubBadRequestError,
  GitHubNotFoundError,
  GitHubPermissionError,
  GitHubRateLimitError,
  GitHubServerError,
  GitHubTimeoutError,
} from '../../src/github/index.js';
import {
  checkDescriptionsAtEnd,
  type GitHubWorld,
  seenInFile,
  startGitHubWorld,
  stopGitHubWorld,
} from '../support/github.js';

const seen = seenInFile();

const KEY_ID = 'OPNCKHKEYID0000000X';
const KEY_SECRET = '4b1dQx7Yz0aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV';
const NAMES = { keyId: 'CLICKHOUSE_KEY_ID', keySecret: 'CLICKHOUSE_KEY_SECRET' };

function keyPair() {
  return [
    { name: NAMES.keyId, value: new Secret(KEY_ID) },
    { name: NAMES.keySecret, value: new Secret(KEY_SECRET) },
  ];
}

let world: GitHubWorld | undefined;
afterEach(async () => {
  await stopGitHubWorld(world);
  world = undefined;
});

async function start(options?: Parameters<typeof startGitHubWorld>[1]): Promise<GitHubWorld> {
  world = await startGitHubWorld(seen, options);
  world.fake.addRepository('acme/infra', { environments: ['production', 'eu/prod'] });
  return world;
}

const routesOf = (w: GitHubWorld) => w.fake.requests.map((request) => `${request.route} ${request.status}`);

describe('Actions secrets', () => {
  it('writes a repository secret pair sealed with the repository key, and GitHub opens each box', async () => {
    const { client, fake } = await start();

    const written = await client.writeSecrets({ repository: 'acme/infra' }, keyPair());

    const keyId = fake.publicKeyId('acme/infra');
    expect(written).toEqual([
      { name: NAMES.keyId, created: true, keyId },
      { name: NAMES.keySecret, created: true, keyId },
    ]);
    expect(fake.secretsWritten()).toMatchObject([
      { repository: 'acme/infra', environment: null, name: NAMES.keyId, value: KEY_ID, keyId, status: 201 },
      {
        repository: 'acme/infra',
        environment: null,
        name: NAMES.keySecret,
        value: KEY_SECRET,
        keyId,
        status: 201,
      },
    ]);
    // The key is fetched once, right before the writes; the app JWT found the installation and minted a token.
    expect(routesOf(world!)).toEqual([
      'apps/get-repo-installation 200',
      'apps/create-installation-access-token 201',
      'actions/get-repo-public-key 200',
      'actions/create-or-update-repo-secret 201',
      'actions/create-or-update-repo-secret 201',
    ]);
    for (const request of fake.requests) {
      expect(request.headers).toMatchObject({
        apiVersion: '2026-03-10',
        accept: 'application/vnd.github+json',
      });
      expect(request.auth.kind).toBe(request.route?.startsWith('apps/') ? 'jwt' : 'token');
    }
  });

  it('replaces an existing secret (204) and says so', async () => {
    const { client, fake } = await start();
    await client.writeSecrets({ repository: 'acme/infra' }, keyPair());

    const again = await client.writeSecrets({ repository: 'acme/infra' }, [
      { name: 'clickhouse_key_secret', value: new Secret('4b1dSecondSecret') },
    ]);

    expect(again).toEqual([{ name: NAMES.keySecret, created: false, keyId: fake.publicKeyId('acme/infra') }]);
    expect(fake.secretsWritten().at(-1)).toMatchObject({
      name: NAMES.keySecret,
      value: '4b1dSecondSecret',
      status: 204,
    });
    const metadata = await client.getSecretMetadata({ repository: 'acme/infra' }, NAMES.keySecret);
    expect(metadata.name).toBe(NAMES.keySecret);
  });

  it('writes an environment secret with the environment key, its name URL-encoded (a / becomes %2F)', async () => {
    const { client, fake } = await start();

    const written = await client.writeSecrets(
      { repository: 'acme/infra', environment: 'eu/prod' },
      keyPair(),
    );

    const environmentKey = fake.publicKeyId('acme/infra', 'eu/prod');
    expect(environmentKey).not.toBe(fake.publicKeyId('acme/infra'));
    expect(written.map((secret) => secret.keyId)).toEqual([environmentKey, environmentKey]);
    expect(fake.secretsWritten().map((write) => [write.environment, write.value])).toEqual([
      ['eu/prod', KEY_ID],
      ['eu/prod', KEY_SECRET],
    ]);
    const paths = fake.requests.filter((request) => request.route?.startsWith('actions/')).map((r) => r.path);
    expect(paths.every((path) => path.startsWith('/repos/acme/infra/environments/eu%2Fprod/secrets/'))).toBe(
      true,
    );
  });

  it('deletes a secret; a second delete is a 404', async () => {
    const { client, fake } = await start();
    const target = { repository: 'acme/infra', environment: 'production' };
    await client.writeSecrets(target, keyPair());

    await client.deleteSecret(target, NAMES.keyId);

    await expect(client.getSecretMetadata(target, NAMES.keyId)).rejects.toBeInstanceOf(GitHubNotFoundError);
    await expect(client.deleteSecret(target, NAMES.keyId)).rejects.toBeInstanceOf(GitHubNotFoundError);
    expect(
      fake.requests.filter((r) => r.route === 'actions/delete-environment-secret').map((r) => r.status),
    ).toEqual([204, 404]);
  });

  it('an unknown environment is a 404 and nothing is written', async () => {
    const { client, fake } = await start();

    const error = await client
      .writeSecrets({ repository: 'acme/infra', environment: 'staging' }, keyPair())
      .catch((e) => e);

    expect(error).toBeInstanceOf(GitHubNotFoundError);
    expect(error).toMatchObject({
      status: 404,
      route: '/repos/{owner}/{repo}/environments/{environment_name}/secrets/public-key',
      code: 'upstream_failed',
    });
    expect(fake.secretsWritten()).toEqual([]);
  });

  it('a repository the app is not installed on is a 404 from the installation lookup', async () => {
    const { client, fake } = await start();
    fake.addRepository('acme/elsewhere', { installed: false });

    const error = await client.writeSecrets({ repository: 'acme/elsewhere' }, keyPair()).catch((e) => e);

    expect(error).toBeInstanceOf(GitHubNotFoundError);
    expect(error.route).toBe('/repos/{owner}/{repo}/installation');
    expect(routesOf(world!)).toEqual(['apps/get-repo-installation 404']);
  });

  it.each([
    ['a leading digit', '1PASSWORD'],
    ['the GITHUB_ prefix', 'github_token'],
    ['a hyphen', 'CLICKHOUSE-KEY'],
    ['a space', 'KEY SECRET'],
    ['an empty name', ''],
  ])('a bad secret name (%s) is refused before anything is sent', async (_, name) => {
    const { client, fake } = await start();

    const error = await client
      .writeSecrets({ repository: 'acme/infra' }, [{ name, value: new Secret('x') }])
      .catch((e) => e);

    expect(error).toMatchObject({ code: 'invalid_input' });
    expect(fake.requests).toEqual([]);
  });

  it('two names that differ only in case are refused (GitHub stores names upper-case)', async () => {
    const { client, fake } = await start();
    const error = await client
      .writeSecrets({ repository: 'acme/infra' }, [
        { name: 'Key', value: new Secret('a') },
        { name: 'KEY', value: new Secret('b') },
      ])
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'invalid_input' });
    expect(fake.requests).toEqual([]);
  });

  it('a value over 48 KB is refused without sending it', async () => {
    const { client, fake } = await start();
    const error = await client
      .writeSecrets({ repository: 'acme/infra' }, [
        { name: 'BIG', value: new Secret('x'.repeat(48 * 1024 + 1)) },
      ])
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'invalid_input' });
    expect(fake.requests).toEqual([]);
  });

  it('a key replaced between the fetch and the write (422): the key is fetched again and the value resealed', async () => {
    const { fake, newClient } = await start();
    // Replace the key the moment the first PUT leaves, as GitHub might between our GET and PUT.
    let rotated = false;
    const rotating = new Agent().compose(
      (dispatch: Dispatcher.Dispatch) =>
        (options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => {
          if (options.method === 'PUT' && !rotated) {
            rotated = true;
            fake.rotatePublicKey('acme/infra');
          }
          return dispatch(options, handler);
        },
    );
    const client = newClient({ dispatcher: rotating });

    const written = await client.writeSecrets({ repository: 'acme/infra' }, keyPair());

    const current = fake.publicKeyId('acme/infra');
    expect(written.map((secret) => secret.keyId)).toEqual([current, current]);
    expect(fake.secretsWritten().map((write) => [write.value, write.keyId])).toEqual([
      [KEY_ID, current],
      [KEY_SECRET, current],
    ]);
    expect(routesOf(world!).slice(2)).toEqual([
      'actions/get-repo-public-key 200',
      'actions/create-or-update-repo-secret 422',
      'actions/get-repo-public-key 200',
      'actions/create-or-update-repo-secret 201',
      'actions/create-or-update-repo-secret 201',
    ]);
    await rotating.close();
  });

  it('a 422 that a new key does not explain is thrown, not retried', async () => {
    const { client, fake } = await start();
    fake.failNext('actions/create-or-update-repo-secret', 1, { kind: 'status', status: 422 });

    const error = await client.writeSecrets({ repository: 'acme/infra' }, keyPair()).catch((e) => e);

    expect(error).toMatchObject({ name: 'GitHubValidationError', status: 422 });
    expect(routesOf(world!).slice(2)).toEqual([
      'actions/get-repo-public-key 200',
      'actions/create-or-update-repo-secret 422',
      'actions/get-repo-public-key 200',
    ]);
  });

  it('a token without the secrets permission gets a 403, which is not taken for a rate limit', async () => {
    const { client, fake } = await start({ fake: { permissions: { secrets: 'read', metadata: 'read' } } });

    const error = await client.writeSecrets({ repository: 'acme/infra' }, keyPair()).catch((e) => e);

    expect(error).toBeInstanceOf(GitHubPermissionError);
    expect(error.serverMessage).toBe('Resource not accessible by integration');
    expect(client.stats.rateLimited).toBe(0);
    expect(fake.requests.at(-1)?.responseHeaders['x-ratelimit-remaining']).not.toBe('0');
  });
});

describe('app authentication', () => {
  it('signs its JWT with iat 60 s in the past and exp within 10 minutes; remembers the installation and the token', async () => {
    const { client, fake, clock } = await start();
    const now = Math.floor(clock.now().getTime() / 1000);

    await client.writeSecrets({ repository: 'acme/infra' }, keyPair());
    await client.writeSecrets({ repository: 'ACME/Infra', environment: 'production' }, keyPair());
    await client.getSecretMetadata({ repository: 'acme/infra' }, NAMES.keyId);

    const jwtRequests = fake.requests.filter((request) => request.auth.kind === 'jwt');
    expect(jwtRequests.map((request) => request.route)).toEqual([
      'apps/get-repo-installation',
      'apps/create-installation-access-token',
    ]);
    for (const request of jwtRequests) {
      expect(request.auth).toEqual({
        kind: 'jwt',
        claims: { iat: now - 60, exp: now + 540, iss: String(fake.app.id) },
      });
    }
    expect(client.stats.tokensMinted).toBe(1);
  });

  it('takes the client ID as issuer and a PKCS#8 key as well as GitHub’s PKCS#1 one', async () => {
    const { createPrivateKey } = await import('node:crypto');
    const { fake, newClient } = await start();
    const pkcs8 = createPrivateKey(fake.app.privateKeyPem)
      .export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const client = newClient({ appId: fake.app.clientId, privateKey: new Secret(pkcs8) });

    await client.writeSecrets({ repository: 'acme/infra' }, keyPair());

    expect(fake.requests[0]?.auth).toMatchObject({ kind: 'jwt', claims: { iss: fake.app.clientId } });
  });

  it('renews the token before it expires: not at 54 minutes, but by 56 (a 5-minute margin), and never meets a 401', async () => {
    const { client, fake, clock } = await start();
    await client.writeSecrets({ repository: 'acme/infra' }, keyPair());
    const [first] = fake.tokensIssued();

    clock.advance(54 * 60_000);
    await client.getSecretMetadata({ repository: 'acme/infra' }, NAMES.keyId);
    expect(client.stats.tokensMinted).toBe(1);

    clock.advance(2 * 60_000);
    await client.getSecretMetadata({ repository: 'acme/infra' }, NAMES.keyId);
    expect(client.stats.tokensMinted).toBe(2);
    const [, second] = fake.tokensIssued();
    expect(second!.expiresAt).toBeGreaterThan(first!.expiresAt);
    expect(fake.requests.some((request) => request.status === 401)).toBe(false);
    // The fake's tokens vary in length (old 40-character form and the longer stateless one).
    expect(first!.token.length).not.toBe(second!.token.length);
  });

  it('concurrent calls share one installation lookup and one mint', async () => {
    const { client, fake } = await start();
    await Promise.all([
      client.writeSecrets({ repository: 'acme/infra' }, keyPair()),
      client.writeSecrets({ repository: 'acme/infra', environment: 'production' }, keyPair()),
      client.getAlert('acme/infra', 1).catch(() => null),
    ]);
    expect(fake.requests.filter((request) => request.auth.kind === 'jwt')).toHaveLength(2);
  });

  it('a token GitHub no longer takes (401) is dropped and one new token minted; the call then succeeds', async () => {
    const { client, fake } = await start();
    await client.writeSecrets({ repository: 'acme/infra' }, keyPair());
    fake.revokeTokens();

    await client.writeSecrets({ repository: 'acme/infra' }, keyPair());

    expect(client.stats.tokensMinted).toBe(2);
    expect(routesOf(world!).slice(5)).toEqual([
      'actions/get-repo-public-key 401',
      'apps/create-installation-access-token 201',
      'actions/get-repo-public-key 200',
      'actions/create-or-update-repo-secret 204',
      'actions/create-or-update-repo-secret 204',
    ]);
  });

  it('a second 401 in a row is thrown: the new token is minted once, not again and again', async () => {
    const { client, fake } = await start();
    fake.failNext('actions/get-repo-public-key', 2, { kind: 'status', status: 401 });

    const error = await client.writeSecrets({ repository: 'acme/infra' }, keyPair()).catch((e) => e);

    expect(error).toBeInstanceOf(GitHubAuthenticationError);
    expect(client.stats.tokensMinted).toBe(2);
    expect(fake.secretsWritten()).toEqual([]);
  });

  it('an expired JWT is refused by GitHub with 401 (the client’s clock is 11 minutes behind)', async () => {
    const { fake, newClient, clock } = await start();
    const behind = { now: () => new Date(clock.now().getTime() - 11 * 60_000) };
    const client = newClient({ clock: behind });

    const error = await client.installationId('acme/infra').catch((e) => e);

    expect(error).toBeInstanceOf(GitHubAuthenticationError);
    expect(error.serverMessage).toMatch(/'exp'/);
    expect(fake.requests.map((request) => request.status)).toEqual([401]);
  });

  it('a private key that is not an RSA PEM stops the client at construction, without quoting it', async () => {
    const { newClient } = await start();
    const bad = '-----BEGIN PRIVATE KEY-----\nnot-a-key-at-all-SECRETPART\n-----END PRIVATE KEY-----';
    let error: unknown;
    try {
      newClient({ privateKey: new Secret(bad) });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'config_invalid' });
    expect(String((error as Error).message)).not.toContain('SECRETPART');
  });
});

describe('one App for delivery and the leak alerts: a token per permission set', () => {
  const PERMISSIONS = {
    secrets: { secrets: 'write', environments: 'read' },
    alerts: { secret_scanning_alerts: 'write' },
  } as const;
  const minted = (w: GitHubWorld) =>
    w.fake.requests
      .filter((request) => request.route === 'apps/create-installation-access-token')
      .map((request) => (request.body as { permissions?: unknown } | undefined)?.permissions);

  it('secrets and alerts each get a token narrowed to their own permissions, each minted once and reused', async () => {
    const { fake, newClient } = await start();
    const client = newClient({ permissions: PERMISSIONS });
    fake.addAlert('acme/infra', { secret: KEY_SECRET });

    await client.writeSecrets({ repository: 'acme/infra' }, keyPair());
    await client.getAlert('acme/infra', 1);
    await client.writeSecrets({ repository: 'acme/infra', environment: 'production' }, keyPair());
    await client.listAlertLocations('acme/infra', 1);
    await client.resolveAlertAsRevoked('acme/infra', 1, 'revoked by Keyhouse');

    expect(minted(world!)).toEqual([PERMISSIONS.secrets, PERMISSIONS.alerts]);
    expect(fake.tokensIssued().map((issued) => issued.permissions)).toEqual([
      PERMISSIONS.secrets,
      PERMISSIONS.alerts,
    ]);
    expect(client.stats.tokensMinted).toBe(2);
    // One installation lookup serves both.
    expect(fake.requests.filter((request) => request.route === 'apps/get-repo-installation')).toHaveLength(1);
    // Every installation call went out with a token GitHub took, and the alert was resolved with the alerts' token.
    expect(fake.requests.filter((request) => request.status === 401 || request.status === 403)).toEqual([]);
  });

  it('each token is renewed before it expires, on its own schedule', async () => {
    const { fake, newClient, clock } = await start();
    const client = newClient({ permissions: PERMISSIONS });
    fake.addAlert('acme/infra', { secret: KEY_SECRET });
    await client.writeSecrets({ repository: 'acme/infra' }, keyPair());
    clock.advance(30 * 60_000);
    await client.getAlert('acme/infra', 1);
    expect(client.stats.tokensMinted).toBe(2);

    // 56 minutes after the secrets token: it is renewed; the alerts token (26 minutes old) is kept.
    clock.advance(26 * 60_000);
    await client.getSecretMetadata({ repository: 'acme/infra' }, NAMES.keyId);
    await client.getAlert('acme/infra', 1);
    expect(client.stats.tokensMinted).toBe(3);
    expect(minted(world!)).toEqual([PERMISSIONS.secrets, PERMISSIONS.alerts, PERMISSIONS.secrets]);

    // 56 minutes after the alerts token: now it is renewed.
    clock.advance(30 * 60_000);
    await client.getAlert('acme/infra', 1);
    expect(minted(world!)).toEqual([
      PERMISSIONS.secrets,
      PERMISSIONS.alerts,
      PERMISSIONS.secrets,
      PERMISSIONS.alerts,
    ]);
    expect(fake.requests.some((request) => request.status === 401)).toBe(false);
  });

  it('concurrent calls of both kinds share one lookup, and mint one token per permission set', async () => {
    const { fake, newClient } = await start();
    const client = newClient({ permissions: PERMISSIONS });
    fake.addAlert('acme/infra', { secret: KEY_SECRET });

    await Promise.all([
      client.writeSecrets({ repository: 'acme/infra' }, keyPair()),
      client.getAlert('acme/infra', 1),
      client.getSecretMetadata({ repository: 'acme/infra' }, NAMES.keyId).catch(() => null),
      client.listAlertLocations('acme/infra', 1),
    ]);

    expect(fake.requests.filter((request) => request.route === 'apps/get-repo-installation')).toHaveLength(1);
    expect(minted(world!)).toHaveLength(2);
    expect(new Set(minted(world!).map((permissions) => JSON.stringify(permissions)))).toEqual(
      new Set([JSON.stringify(PERMISSIONS.secrets), JSON.stringify(PERMISSIONS.alerts)]),
    );
  });

  it('a 401 drops only the token it was sent with: the other permission set keeps its own', async () => {
    const { fake, newClient } = await start();
    const client = newClient({ permissions: PERMISSIONS });
    fake.addAlert('acme/infra', { secret: KEY_SECRET });
    await client.writeSecrets({ repository: 'acme/infra' }, keyPair());
    await client.getAlert('acme/infra', 1);
    fake.failNext('secret-scanning/get-alert', 1, { kind: 'status', status: 401 });

    await client.getAlert('acme/infra', 1);
    await client.writeSecrets({ repository: 'acme/infra' }, keyPair());

    expect(minted(world!)).toEqual([PERMISSIONS.secrets, PERMISSIONS.alerts, PERMISSIONS.alerts]);
  });

  it('a permission set the installation lacks is refused (422) for that kind only', async () => {
    const { fake, newClient } = await start({
      fake: { permissions: { secrets: 'write', environments: 'read', metadata: 'read' } },
    });
    const client = newClient({ permissions: PERMISSIONS });
    fake.addAlert('acme/infra', { secret: KEY_SECRET });

    const refused = await client.getAlert('acme/infra', 1).catch((error: unknown) => error);
    await client.writeSecrets({ repository: 'acme/infra' }, keyPair());

    expect(refused).toBeInstanceOf(GitHubApiError);
    expect((refused as GitHubApiError).status).toBe(422);
    expect(fake.secretsWritten().length).toBeGreaterThan(0);
  });
});

describe('retries and rate limits', () => {
  it('a 5xx is retried with backoff, and the write goes through once', async () => {
    const { client, fake, sleeps } = await start();
    fake.failNext('actions/create-or-update-repo-secret', 2, { kind: 'status', status: 502 });

    await client.writeSecrets({ repository: 'acme/infra' }, keyPair());

    expect(sleeps).toEqual([375, 750]);
    expect(fake.secretsWritten().map((write) => write.status)).toEqual([201, 201]);
    expect(client.stats.retries).toBe(2);
  });

  it('a 5xx on every attempt ends in GitHubServerError after maxAttempts', async () => {
    const { client, fake } = await start();
    fake.failNext('secret-scanning/get-alert', 4, { kind: 'status', status: 503 });
    fake.addAlert('acme/infra', { secret: KEY_SECRET });

    const error = await client.getAlert('acme/infra', 1).catch((e) => e);

    expect(error).toBeInstanceOf(GitHubServerError);
    expect(fake.requests.filter((request) => request.route === 'secret-scanning/get-alert')).toHaveLength(4);
  });

  it('a read that gets no answer times out and is retried', async () => {
    const { fake, newClient } = await start();
    const client = newClient({ timeoutMs: 300 });
    fake.failNext('actions/get-repo-public-key', 1, { kind: 'hang' });

    await client.writeSecrets({ repository: 'acme/infra' }, keyPair());

    expect(
      fake.requests.filter((r) => r.route === 'actions/get-repo-public-key').map((r) => r.status),
    ).toEqual([0, 200]);
  });

  it('a read that never answers ends in GitHubTimeoutError', async () => {
    const { fake, newClient } = await start();
    const client = newClient({ timeoutMs: 200, retry: { maxAttempts: 2 } });
    fake.failNext('actions/get-repo-public-key', 2, { kind: 'hang' });
    await expect(client.writeSecrets({ repository: 'acme/infra' }, keyPair())).rejects.toBeInstanceOf(
      GitHubTimeoutError,
    );
  });

  it('a slow answer within the timeout is simply waited for', async () => {
    const { client, fake } = await start();
    fake.failNext('actions/get-repo-public-key', 1, { kind: 'slow', ms: 50 });
    await client.writeSecrets({ repository: 'acme/infra' }, keyPair());
    expect(fake.secretsWritten()).toHaveLength(2);
  });

  it.each([403, 429] as const)(
    'primary rate limit (%i, remaining 0): waits until the reset, then goes on',
    async (status) => {
      const { client, fake, sleeps } = await start();
      fake.failNext('actions/create-or-update-repo-secret', 1, {
        kind: 'primary-rate-limit',
        status,
        resetInSeconds: 30,
      });

      await client.writeSecrets({ repository: 'acme/infra' }, keyPair());

      expect(sleeps).toEqual([31_000]); // until the reset, and a second's margin
      expect(client.stats.rateLimited).toBe(1);
      expect(fake.secretsWritten()).toHaveLength(2);
    },
  );

  it('secondary rate limit with retry-after: waits that long', async () => {
    const { client, fake, sleeps } = await start();
    fake.failNext('secret-scanning/get-alert', 1, {
      kind: 'secondary-rate-limit',
      status: 429,
      retryAfterSeconds: 7,
    });
    fake.addAlert('acme/infra', { secret: KEY_SECRET });

    await client.getAlert('acme/infra', 1);

    expect(sleeps).toEqual([7_000]);
  });

  it('secondary rate limit without retry-after: at least a minute, then doubling, bounded by maxRateLimitWaitMs', async () => {
    const { fake, newClient, sleeps } = await start();
    const client = newClient({ retry: { maxRateLimitWaitMs: 150_000, maxAttempts: 5 } });
    fake.failNext('secret-scanning/get-alert', 3, { kind: 'secondary-rate-limit', status: 403 });
    fake.addAlert('acme/infra', { secret: KEY_SECRET });

    const error = await client.getAlert('acme/infra', 1).catch((e) => e);

    // 60 s, then 120 s would pass the 150 s allowed: it fails instead of waiting.
    expect(sleeps).toEqual([60_000]);
    expect(error).toBeInstanceOf(GitHubRateLimitError);
    expect(error).toMatchObject({ status: 403, retryAfterMs: 120_000 });
  });

  it('a reset further away than the call may wait fails at once with GitHubRateLimitError, and holds other calls too', async () => {
    const { client, fake, sleeps } = await start();
    fake.failNext('actions/get-repo-public-key', 1, {
      kind: 'primary-rate-limit',
      status: 403,
      resetInSeconds: 3_600,
    });

    const first = await client.writeSecrets({ repository: 'acme/infra' }, keyPair()).catch((e) => e);
    const second = await client.writeSecrets({ repository: 'acme/infra' }, keyPair()).catch((e) => e);

    expect(first).toBeInstanceOf(GitHubRateLimitError);
    expect(first.retryAfterMs).toBeGreaterThan(3_600_000);
    expect(second).toBeInstanceOf(GitHubRateLimitError); // not sent: the installation is still limited
    expect(sleeps).toEqual([]);
    expect(fake.requests.filter((request) => request.route === 'actions/get-repo-public-key')).toHaveLength(
      1,
    );
  });

  it('while one call waits out a rate limit, another on the same installation waits too instead of sending', async () => {
    const { fake, newClient, clock } = await start();
    // Waits that end when the test says: the second call must start while the first is still waiting.
    const waits: { ms: number; end: () => void }[] = [];
    let waitStarted: () => void = () => undefined;
    const client = newClient({
      sleep: (ms) =>
        new Promise<void>((end) => {
          waits.push({ ms, end });
          waitStarted();
        }),
    });
    const nextWait = () => new Promise<void>((resolve) => (waitStarted = resolve));
    await client.installationId('acme/infra');
    fake.failNext('actions/get-repo-public-key', 1, {
      kind: 'primary-rate-limit',
      status: 429,
      resetInSeconds: 10,
    });

    let waiting = nextWait();
    const first = client.writeSecrets({ repository: 'acme/infra' }, keyPair());
    await waiting;
    const sentBefore = fake.requests.length;
    waiting = nextWait();
    const second = client.writeSecrets({ repository: 'acme/infra', environment: 'production' }, keyPair());
    await waiting;

    expect(fake.requests.length).toBe(sentBefore); // the second call did not send while the limit held
    expect(waits.map((wait) => wait.ms)).toEqual([11_000, 11_000]);
    clock.advance(11_000);
    for (const wait of waits) wait.end();
    await first;
    expect(await second).toHaveLength(2);
    expect(fake.requests.filter((request) => request.status === 429)).toHaveLength(1);
  });
});

describe('secret scanning', () => {
  it('reads an alert with its secret, held in a Secret, asking for it with hide_secret=false', async () => {
    const { client, fake } = await start();
    fake.addAlert('acme/infra', { secret: KEY_SECRET });

    const alert = await client.getAlert('acme/infra', 1);

    expect(alert).toMatchObject({
      number: 1,
      state: 'open',
      resolution: null,
      secretType: 'clickhouse_cloud_key',
    });
    expect(alert.secret).toBeInstanceOf(Secret);
    expect(alert.secret?.reveal()).toBe(KEY_SECRET);
    expect(JSON.stringify(alert)).not.toContain(KEY_SECRET);
    expect(fake.requests.at(-1)?.query).toBe('hide_secret=false');
  });

  it('lists every location, following the Link header across pages', async () => {
    const { client, fake } = await start();
    const locations = Array.from({ length: 150 }, (_, i) => ({
      type: 'commit' as const,
      path: `ci/file-${i}.yml`,
      commitSha: `${String(i).padStart(4, '0')}${'a'.repeat(36)}`,
      startLine: i + 1,
    }));
    fake.addAlert('acme/infra', {
      secret: KEY_SECRET,
      locations: [...locations, { type: 'issue_body', issueNumber: 7 }],
    });

    const found = await client.listAlertLocations('acme/infra', 1);

    expect(found).toHaveLength(151);
    expect(found[0]).toEqual({
      type: 'commit',
      path: 'ci/file-0.yml',
      commitSha: `0000${'a'.repeat(36)}`,
      startLine: 1,
      url: expect.stringContaining('/acme/infra/blob/0000'),
    });
    expect(found[150]).toMatchObject({
      type: 'issue_body',
      path: null,
      url: expect.stringContaining('/issues/7'),
    });
    const pages = fake.requests.filter(
      (request) => request.route === 'secret-scanning/list-locations-for-alert',
    );
    expect(pages.map((page) => page.query)).toEqual(['per_page=100', 'per_page=100&page=2']);
  });

  it('resolves an alert as revoked with a comment', async () => {
    const { client, fake } = await start();
    const handle = fake.addAlert('acme/infra', { secret: KEY_SECRET });

    const { alert, alreadyResolved } = await client.resolveAlertAsRevoked(
      'acme/infra',
      1,
      'Key …uV revoked by Keyhouse',
    );

    expect(alreadyResolved).toBe(false);
    expect(alert).toMatchObject({
      state: 'resolved',
      resolution: 'revoked',
      resolutionComment: 'Key …uV revoked by Keyhouse',
    });
    expect(fake.alert(handle)).toEqual({
      state: 'resolved',
      resolution: 'revoked',
      resolutionComment: 'Key …uV revoked by Keyhouse',
    });
  });

  it('resolving an alert already revoked: GitHub says 400 "not changed", a re-read shows it revoked, and that counts as done', async () => {
    const { client, fake } = await start();
    fake.addAlert('acme/infra', { secret: KEY_SECRET });
    await client.resolveAlertAsRevoked('acme/infra', 1, 'first');

    const again = await client.resolveAlertAsRevoked('acme/infra', 1, 'second');

    expect(again.alreadyResolved).toBe(true);
    expect(again.alert).toMatchObject({
      state: 'resolved',
      resolution: 'revoked',
      resolutionComment: 'first',
    });
    expect(routesOf(world!).slice(-3)).toEqual([
      'secret-scanning/update-alert 200',
      'secret-scanning/update-alert 400',
      'secret-scanning/get-alert 200',
    ]);
  });

  it('a 400 on an alert that is not revoked is thrown', async () => {
    const { client, fake } = await start();
    fake.addAlert('acme/infra', { secret: KEY_SECRET });
    fake.failNext('secret-scanning/update-alert', 1, { kind: 'status', status: 400 });

    const error = await client.resolveAlertAsRevoked('acme/infra', 1, 'x').catch((e) => e);

    expect(error).toBeInstanceOf(GitHubBadRequestError);
    expect(fake.alert({ repository: 'acme/infra', number: 1 }).state).toBe('open');
  });

  it('an alert resolved otherwise (a false positive) is changed to revoked', async () => {
    const { client, fake } = await start();
    const handle = fake.addAlert('acme/infra', {
      secret: KEY_SECRET,
      resolved: { resolution: 'false_positive' },
    });

    const { alreadyResolved } = await client.resolveAlertAsRevoked('acme/infra', 1, 'it was real');

    expect(alreadyResolved).toBe(false);
    expect(fake.alert(handle)).toMatchObject({ state: 'resolved', resolution: 'revoked' });
  });

  it('secret scanning off, or an unknown alert: 404', async () => {
    const { client, fake } = await start();
    fake.addRepository('acme/quiet', { secretScanning: false });
    await expect(client.getAlert('acme/quiet', 1)).rejects.toBeInstanceOf(GitHubNotFoundError);
    await expect(client.getAlert('acme/infra', 99)).rejects.toBeInstanceOf(GitHubNotFoundError);
    await expect(client.listAlertLocations('acme/infra', 99)).rejects.toBeInstanceOf(GitHubNotFoundError);
  });
});

checkDescriptionsAtEnd(seen);
