/**
 * product.md §3 for GitHub: the key secret being written, the installation tokens, the app's JWTs and
 * its private key never reach a log line or an error, on success and on every failure path. Every
 * credential that crossed the wire is captured on the way out, and every log line and every rendering
 * of every error is searched for it.
 */
import { generateKeyPairSync } from 'node:crypto';
import pino from 'pino';
import { Agent, type Dispatcher, MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '../../src/core/secret.js';
import {
  GitHubAppClient,
  GitHubInvalidResponseError,
  GitHubPermissionError,
} from '../../src/github/index.js';
import {
  checkDescriptionsAtEnd,
  type GitHubWorld,
  seenInFile,
  startGitHubWorld,
  stopGitHubWorld,
} from '../support/github.js';
import { renderings } from '../support/renderings.js';

const KEY_SECRET = '4b1dTopSecretValue0123456789abcdefghijklmn';
const LEAKED = '4b1dLeakedInARepo0123456789abcdefghijklmno';

/** A dispatcher that forwards everything and keeps each Authorization header's credential. */
function capturingCredentials(): { dispatcher: Dispatcher; credentials: Set<string> } {
  const credentials = new Set<string>();
  const dispatcher = new Agent().compose(
    (dispatch: Dispatcher.Dispatch) =>
      (options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => {
        const headers = options.headers as Record<string, string>;
        const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
        if (bearer !== undefined) credentials.add(bearer);
        return dispatch(options, handler);
      },
  );
  return { dispatcher, credentials };
}

/** The PEM's key material, line by line (each base64 line is long enough to be telling). */
function pemLines(pem: string): string[] {
  return pem.split('\n').filter((line) => line.length > 20 && !line.startsWith('-----'));
}

const seen = seenInFile();

describe('with the fake GitHub', () => {
  let world: GitHubWorld | undefined;
  afterEach(async () => {
    await stopGitHubWorld(world);
    world = undefined;
  });

  it('no log line and no error holds the secret written, a token, a JWT or the private key', async () => {
    world = await startGitHubWorld(seen);
    const { fake, newClient, logLines } = world;
    fake.addRepository('acme/infra', { environments: ['production'] });
    fake.addAlert('acme/infra', { secret: LEAKED });
    const { dispatcher, credentials } = capturingCredentials();
    const client = newClient({ dispatcher, retry: { maxAttempts: 2, maxRateLimitWaitMs: 1_000 } });
    const target = { repository: 'acme/infra' };
    const secret = () => [{ name: 'CLICKHOUSE_KEY_SECRET', value: new Secret(KEY_SECRET) }];
    const errors: unknown[] = [];
    const fail = (promise: Promise<unknown>) =>
      promise.then(
        () => expect.unreachable(),
        (e) => errors.push(e),
      );

    await client.writeSecrets(target, secret());
    const alert = await client.getAlert('acme/infra', 1);
    await client.resolveAlertAsRevoked('acme/infra', 1, 'revoked');
    fake.failNext('actions/create-or-update-repo-secret', 1, { kind: 'status', status: 422 });
    await fail(client.writeSecrets(target, secret()));
    fake.failNext('actions/create-or-update-repo-secret', 2, { kind: 'status', status: 401 });
    await fail(client.writeSecrets(target, secret()));
    fake.failNext('actions/create-or-update-repo-secret', 2, { kind: 'status', status: 500 });
    await fail(client.writeSecrets(target, secret()));
    fake.failNext('actions/create-or-update-repo-secret', 1, {
      kind: 'primary-rate-limit',
      status: 403,
      resetInSeconds: 600,
    });
    await fail(client.writeSecrets(target, secret()));
    world.clock.advance(601_000);
    fake.failNext('actions/create-or-update-environment-secret', 2, { kind: 'hang' });
    await fail(
      newClient({ dispatcher, timeoutMs: 200, retry: { maxAttempts: 1 } }).writeSecrets(
        { ...target, environment: 'production' },
        secret(),
      ),
    );
    await fail(client.writeSecrets({ repository: 'acme/nowhere' }, secret()));
    // What a careless caller might do with what it got back.
    const logger = pino({ level: 'trace' }, { write: (line: string) => logLines.push(line) });
    logger.info({ alert, errors }, 'careless');

    expect(fake.secretsWritten().map((write) => write.value)).toContain(KEY_SECRET);
    expect(errors.map((error) => (error as Error).name)).toEqual([
      'GitHubValidationError',
      'GitHubAuthenticationError',
      'GitHubServerError',
      'GitHubRateLimitError',
      'GitHubTimeoutError',
      'GitHubNotFoundError',
    ]);
    const tokens = fake.tokensIssued().map((issued) => issued.token);
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    const jwts = [...credentials].filter((credential) => credential.split('.').length === 3);
    expect(jwts.length).toBeGreaterThanOrEqual(2);
    const forbidden = [KEY_SECRET, LEAKED, ...tokens, ...jwts, ...pemLines(fake.app.privateKeyPem)];
    const texts = [...logLines, ...errors.flatMap(renderings)];
    expect(logLines.length).toBeGreaterThan(20);
    for (const text of texts) for (const value of forbidden) expect(text).not.toContain(value);
    await dispatcher.close();
  });
});

describe('with a server that misbehaves', () => {
  const ORIGIN = 'https://github.example';
  const privateKeyPem = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();
  const TOKEN = 'ghs_EchoedBackByAProxy0123456789abcdefgh';
  let agent: MockAgent | undefined;
  afterEach(async () => {
    agent?.assertNoPendingInterceptors();
    await agent?.close();
    agent = undefined;
  });

  function mockGitHub() {
    agent = new MockAgent();
    agent.disableNetConnect();
    const pool = agent.get(ORIGIN);
    pool.intercept({ path: '/repos/acme/infra/installation', method: 'GET' }).reply(200, { id: 7 });
    pool
      .intercept({ path: '/app/installations/7/access_tokens', method: 'POST' })
      .reply(201, { token: TOKEN, expires_at: '2099-01-01T00:00:00Z' });
    const lines: string[] = [];
    const client = new GitHubAppClient({
      apiUrl: ORIGIN,
      appId: 1,
      privateKey: new Secret(privateKeyPem),
      dispatcher: agent,
      logger: pino({ level: 'trace' }, { write: (line: string) => lines.push(line) }),
      retry: { maxAttempts: 1 },
    });
    return { pool, client, lines };
  }

  it('a message that quotes the token back is scrubbed before it reaches the error', async () => {
    const { pool, client, lines } = mockGitHub();
    pool
      .intercept({ path: '/repos/acme/infra/actions/secrets/public-key', method: 'GET' })
      .reply(403, { message: `token ${TOKEN} lacks secrets:write` });

    const error = await client
      .writeSecrets({ repository: 'acme/infra' }, [{ name: 'A', value: new Secret(KEY_SECRET) }])
      .catch((e) => e);

    expect(error).toBeInstanceOf(GitHubPermissionError);
    expect(error.serverMessage).toBe('token [redacted] lacks secrets:write');
    for (const text of [...renderings(error), ...lines]) expect(text).not.toContain(TOKEN);
  });

  it('an alert whose body does not fit is reported by path and code, never by value', async () => {
    const { pool, client, lines } = mockGitHub();
    pool
      .intercept({ path: '/repos/acme/infra/secret-scanning/alerts/1?hide_secret=false', method: 'GET' })
      .reply(200, { number: 'one', secret: LEAKED, state: LEAKED });

    const error = await client.getAlert('acme/infra', 1).catch((e) => e);

    expect(error).toBeInstanceOf(GitHubInvalidResponseError);
    expect(error.message).toMatch(/body\.number: invalid_type/);
    for (const text of [...renderings(error), ...lines]) expect(text).not.toContain(LEAKED);
  });

  it('a public key GitHub garbles is an invalid response, and the secret is not sent', async () => {
    const { pool, client } = mockGitHub();
    pool
      .intercept({ path: '/repos/acme/infra/actions/secrets/public-key', method: 'GET' })
      .reply(200, { key_id: '1', key: 'c2hvcnQ=' });

    const error = await client
      .writeSecrets({ repository: 'acme/infra' }, [{ name: 'A', value: new Secret(KEY_SECRET) }])
      .catch((e) => e);

    expect(error).toBeInstanceOf(GitHubInvalidResponseError);
    expect(error.message).toContain('the public key is 5 bytes, not 32');
  });

  it('a Link header pointing away from the API is not followed (the token would go with it)', async () => {
    const { pool, client } = mockGitHub();
    pool
      .intercept({ path: '/repos/acme/infra/secret-scanning/alerts/1/locations?per_page=100', method: 'GET' })
      .reply(200, [], { headers: { link: '<https://evil.example/steal?page=2>; rel="next"' } });

    const error = await client.listAlertLocations('acme/infra', 1).catch((e) => e);

    expect(error).toBeInstanceOf(GitHubInvalidResponseError);
    expect(error.message).toContain('a Link header points outside the API');
  });
});

checkDescriptionsAtEnd(seen);
