import { inspect } from 'node:util';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import { type FakeVault, startFakeVault } from '../../dev/fake-vault/server.js';
import { Secret } from '../../src/core/secret.js';
import { VaultClient, type VaultClientOptions } from '../../src/vault/client.js';
import {
  VaultBadRequestError,
  VaultPermissionDeniedError,
  VaultWriteUnknownError,
} from '../../src/vault/errors.js';
import { ManualClock } from '../support/clock.js';

const SECRET = 'chc_hygiene_secret_ZYXWVUT9876543210';
const WRONG_SECRET_ID = 'wrong-secret-id-00000000-1111-2222';

let fake: FakeVault | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** Every way an error might be shown: message, JSON, inspect (with its cause chain), the stack. */
function renderings(error: unknown): string[] {
  const out = [String(error), JSON.stringify(error), inspect(error, { depth: 10 })];
  for (let e: unknown = error; e instanceof Error; e = e.cause) out.push(e.stack ?? '', e.message);
  return out;
}

it('no token, secret id or written secret reaches a log line or an error, through every operation and failure', async () => {
  const clock = new ManualClock('2026-05-01T00:00:00Z');
  const vault = await startFakeVault({ clock, namespace: 'admin' });
  fake = vault;
  const lines: string[] = [];
  const logger = pino({ level: 'trace' }, { write: (line: string) => lines.push(line) });
  const options = (overrides: Partial<VaultClientOptions> = {}): VaultClientOptions => ({
    addr: vault.url,
    namespace: 'admin',
    auth: { roleId: vault.roleId, secretId: new Secret(vault.secretId) },
    clock,
    logger,
    sleep: async () => {},
    ...overrides,
  });
  const client = new VaultClient(options());
  const data = { keyId: 'KEYID', keySecret: new Secret(SECRET), name: 'etl' };
  const errors: unknown[] = [];
  const failed = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.fail('should have failed'),
      (e: unknown) => errors.push(e),
    );

  await client.writeVersion('secret', 'keyhouse/etl', data);
  const [firstToken] = vault.issuedTokens();
  // Vault quoting back what it was sent is not something it is known to do; the client must cope anyway.
  vault.failNext('kv-v2-write', 1, 400, {
    messages: [`value ${SECRET} refused for token ${firstToken} and secret_id ${vault.secretId}`],
  });
  await failed(client.writeVersion('secret', 'keyhouse/etl', data));
  expect(errors[0]).toBeInstanceOf(VaultBadRequestError);
  expect(String(errors[0])).toContain(
    'value [redacted] refused for token [redacted] and secret_id [redacted]',
  );
  vault.processThenFail('kv-v2-write', 1, 500);
  await failed(client.writeVersion('secret', 'keyhouse/etl', data));
  expect(errors[1]).toBeInstanceOf(VaultWriteUnknownError);
  vault.processThenFail('kv-v2-write', 1, 'drop');
  await failed(client.writeVersion('secret', 'keyhouse/etl', data));
  vault.revokeTokens();
  logger.info({ tokenInfo: await client.ping() }, 'after a new login');
  clock.advance(801_000);
  await client.writeVersion('secret', 'keyhouse/etl', data);
  await failed(client.writeVersion('secret', 'elsewhere/etl', data));
  expect(errors[3]).toBeInstanceOf(VaultPermissionDeniedError);

  const wrong = new VaultClient(
    options({ auth: { roleId: vault.roleId, secretId: new Secret(WRONG_SECRET_ID) } }),
  );
  vault.failNext('app-role-login', 1, 400, { messages: [`no role with secret_id ${WRONG_SECRET_ID}`] });
  await failed(wrong.ping());
  await failed(wrong.ping());

  const staticToken = vault.issueToken({ policies: ['keyhouse'], ttlSeconds: 60 });
  const withToken = new VaultClient(options({ auth: { token: new Secret(staticToken) } }));
  vault.failNext('token-look-up-self', 1, 403, { messages: [`token ${staticToken} is not allowed`] });
  await failed(withToken.ping());

  vault.setPolicy('reader', [{ path: 'secret/data/keyhouse/*', capabilities: ['read'] }]);
  const readerPair = vault.addRole('reader', { policies: ['reader'] });
  const reader = new VaultClient(
    options({ auth: { roleId: readerPair.roleId, secretId: new Secret(readerPair.secretId) } }),
  );
  const read = await reader.readVersion('secret', 'keyhouse/etl');
  expect(read.data?.keySecret?.reveal()).toBe(SECRET);
  logger.info({ read }, 'what a careless caller might log');
  for (const error of errors) logger.error({ err: error }, 'vault call failed');

  expect(errors).toHaveLength(7);
  expect(lines.filter((line) => line.includes('"msg":"vault api call"')).length).toBeGreaterThan(15);
  const forbidden = [SECRET, vault.secretId, readerPair.secretId, WRONG_SECRET_ID, ...vault.issuedTokens()];
  expect(forbidden.length).toBeGreaterThan(8); // six logins and a static token, at least
  for (const text of [...errors.flatMap(renderings), ...lines]) {
    for (const value of forbidden) expect(text).not.toContain(value);
  }
  expect(vault.read('secret', 'keyhouse/etl')?.keySecret).toBe(SECRET);
});
