/**
 * A request for a destination, from the modal to a secret readable in the fake GitHub and the fake
 * Vault (product.md §12): no Create key click, nothing of the secret in Slack, the logs or the store;
 * a failed write deletes the key and offers Try again with the destination's own words.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/views/ids.js';
import { ANNOUNCE_AFTER_MS, ANNOUNCE_RULE } from '../../src/workflow/announce-mark.js';
import { ManualClock } from '../support/clock.js';
import { USERS } from '../support/keyhouse.js';
import {
  clickhouseAccepts,
  type DeliveryWorld,
  ENVIRONMENT,
  REPOSITORY,
  startDeliveryWorld,
} from './support.js';

const REASON = 'terraform for the production warehouse';

let world: DeliveryWorld | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

async function requestFor(w: DeliveryWorld, destinationId: string, keyName: string) {
  const { h } = w;
  const answer = await h.submitRequest(USERS.alice, {
    keyName,
    roleId: 'terraform',
    expiry: '30d',
    reason: REASON,
    destinationId,
  });
  // The dialog says where the key will go, not that a Create key button will come.
  expect(JSON.stringify(answer.json)).toContain('At the last approval the key is written to');
  expect(JSON.stringify(answer.json)).not.toContain('Create key');
  const request = await h.latestRequest(USERS.alice);
  expect(request.destinationId).toBe(destinationId);
  const message = await h.approvalMessage(request.id);
  return { request, message };
}

describe('delivery to a destination at the last approval', () => {
  it('writes a GitHub environment secret, both names, sealed for the environment, with no Create key click and nothing in Slack', async () => {
    world = await startDeliveryWorld();
    const { h, github } = world;
    const { request, message } = await requestFor(world, 'infra-ci', 'tf-prod');
    expect(JSON.stringify(message)).toContain('Deliver to');
    expect(JSON.stringify(message)).toContain(REPOSITORY);

    await h.approve(USERS.bob, request.id);
    const delivered = await h.untilState(request.id, 'delivered');
    const written = github.secretsWritten();
    const id = written.find((w) => w.name === 'CLICKHOUSE_KEY_ID');
    const secret = written.find((w) => w.name === 'CLICKHOUSE_KEY_SECRET');
    expect(id).toMatchObject({ repository: REPOSITORY, environment: ENVIRONMENT });
    expect(secret).toMatchObject({ repository: REPOSITORY, environment: ENVIRONMENT });
    expect(secret?.keyId).toBe(github.publicKeyId(REPOSITORY, ENVIRONMENT));
    // The secret the fake opened is the one ClickHouse issued for this key.
    expect(await clickhouseAccepts(h, id?.value ?? '', secret?.value ?? '')).toBe(true);
    const key = h.clickhouse.keys().find((k) => k.id === delivered.keyId);
    expect(key?.name).toBe('tf-prod');

    // The requester is told where it went; no Create key button, no secret anywhere in Slack.
    const dm = await h.slack.waitFor(
      () => h.slack.messages(USERS.alice).find((m) => JSON.stringify(m).includes('was written to')),
      { message: 'the delivered DM' },
    );
    expect(JSON.stringify(dm)).toContain(REPOSITORY);
    expect(JSON.stringify(h.slack.messages(USERS.alice))).not.toContain(ACTION.createKey);
    expect(h.slack.ephemerals()).toEqual([]);
    // The key list says where the key lives.
    const listed = JSON.stringify(await h.answer(USERS.alice, 'list'));
    expect(listed).toContain('tf-prod');
    expect(listed).toContain(`in the GitHub Actions secrets`);
    expect(listed).toContain(ENVIRONMENT);
    await h.quiet();
    const secretValue = secret?.value ?? 'missing';
    expect(h.slack.allTraffic()).not.toContain(secretValue);
    expect(h.logs).not.toContain(secretValue);
    expect(h.databaseBytes()).not.toContain(secretValue);
  });

  it('writes one Vault KV version holding key id, secret, name, role and expiry', async () => {
    world = await startDeliveryWorld();
    const { h, vault } = world;
    const { request } = await requestFor(world, 'vault-prod', 'tf-vault');
    await h.approve(USERS.bob, request.id);
    const delivered = await h.untilState(request.id, 'delivered');
    const data = vault.read('secret', 'clickhouse/tf-vault');
    expect(data).toMatchObject({ name: 'tf-vault', role: 'terraform' });
    expect(vault.versions('secret', 'clickhouse/tf-vault')?.current).toBe(1);
    const key = h.clickhouse.keys().find((k) => k.id === delivered.keyId);
    expect(data?.expireAt).toBe(key?.expireAt);
    expect(await clickhouseAccepts(h, String(data?.keyId), String(data?.keySecret))).toBe(true);
    await h.quiet();
    expect(h.slack.allTraffic()).not.toContain(String(data?.keySecret));
    expect(h.logs).not.toContain(String(data?.keySecret));
    expect(h.databaseBytes()).not.toContain(String(data?.keySecret));
  });

  it('a refused write deletes the key, leaves the request approved with Try again and GitHub’s words; Try again delivers', async () => {
    world = await startDeliveryWorld();
    const { h, github } = world;
    const { request } = await requestFor(world, 'infra-ci', 'tf-retry');
    github.failNext('actions/create-or-update-environment-secret', 1, { kind: 'status', status: 404 });
    await h.approve(USERS.bob, request.id);
    const dm = await h.slack.waitFor(
      () => h.slack.messages(USERS.alice).find((m) => JSON.stringify(m).includes('could not be written')),
      { message: 'the failure DM' },
    );
    const said = JSON.stringify(dm);
    expect(said).toContain('The destination said: Not Found');
    // GitHub's words are quoted; Keyhouse's own English about the call is for the log (product.md §14).
    expect(said).not.toContain('GitHub API');
    expect(said).toContain(ACTION.createKey);
    const back = await h.untilState(request.id, 'approved');
    expect(back.keyId).toBeNull();
    // The key made for it is gone: nobody saw its secret, and the destination never held it.
    await h.until(
      () => !h.clickhouse.keys().some((k) => k.name === 'tf-retry'),
      'the unwritten key to be deleted',
    );
    for (const token of github.tokensIssued()) expect(h.slack.allTraffic()).not.toContain(token.token);

    await h.createKey(USERS.alice, request.id);
    const delivered = await h.untilState(request.id, 'delivered');
    const written = github.secretsWritten().filter((w) => w.name === 'CLICKHOUSE_KEY_SECRET');
    expect(written).toHaveLength(1);
    const id = github
      .secretsWritten()
      .filter((w) => w.name === 'CLICKHOUSE_KEY_ID')
      .at(-1);
    const key = h.clickhouse.keys().find((k) => k.id === delivered.keyId);
    expect(key).toBeDefined();
    expect(await clickhouseAccepts(h, id?.value ?? '', written[0]?.value ?? '')).toBe(true);
  });

  it('an approval a crash left undelivered is delivered by the tick a minute on, once; a failed write is left to Try again', async () => {
    const clock = new ManualClock(new Date('2026-12-01T09:00:00.000Z'));
    world = await startDeliveryWorld({ clock, emulator: { clock } });
    const { h, vault } = world;
    const { request } = await requestFor(world, 'vault-prod', 'tf-crash');
    // Bob's approval is recorded, and the process dies before the delivery.
    const approval = await h.store.recordApproval({
      requestId: request.id,
      userId: USERS.bob,
      at: clock.now(),
      approvedDeadline: new Date(clock.now().getTime() + 86_400_000),
    });
    expect(approval.outcome).toBe('approved');
    const start = clock.now().getTime();
    clock.set(start + ANNOUNCE_AFTER_MS - 1);
    await h.keyhouse.tick();
    expect(vault.read('secret', 'clickhouse/tf-crash')).toBeNull();
    clock.set(start + ANNOUNCE_AFTER_MS);
    await h.keyhouse.tick();
    const delivered = await h.untilState(request.id, 'delivered');
    const data = vault.read('secret', 'clickhouse/tf-crash');
    expect(h.clickhouse.keys().find((k) => k.id === delivered.keyId)?.name).toBe('tf-crash');
    expect(await clickhouseAccepts(h, String(data?.keyId), String(data?.keySecret))).toBe(true);
    clock.set(start + 30 * 60_000);
    await h.keyhouse.tick();
    expect(vault.versions('secret', 'clickhouse/tf-crash')?.current).toBe(1);

    // A write that failed was told to its requester with Try again: the tick does not try it again.
    const second = await requestFor(world, 'vault-prod', 'tf-refused');
    vault.failNext('kv-v2-write', 2, 503);
    await h.approve(USERS.bob, second.request.id);
    await h.slack.waitFor(
      () => h.slack.messages(USERS.alice).find((m) => JSON.stringify(m).includes('could not be written')),
      { message: 'the failure DM' },
    );
    await h.untilState(second.request.id, 'approved');
    // The delivery's mark is settled just after the DM: moved on before that, the clock would make the
    // live claim look abandoned (10 min), which a live process never lets happen.
    await h.until(async () => {
      const marks = await h.store.listTimerMarks({ rules: [ANNOUNCE_RULE], subjects: [second.request.id] });
      return marks.find((mark) => mark.threshold === 'deliver')?.state === 'done';
    }, 'the delivery to be settled');
    clock.set(start + 90 * 60_000);
    await h.keyhouse.tick();
    expect((await h.store.getRequest(second.request.id))?.state).toBe('approved');
    expect(vault.read('secret', 'clickhouse/tf-refused')).toBeNull();
  });

  it('one place holds one key: a second new key for the same GitHub secrets is refused while the first is open or live', async () => {
    world = await startDeliveryWorld();
    const { h } = world;
    const ask = (keyName: string) =>
      h.submitRequest(USERS.carol, {
        keyName,
        roleId: 'terraform',
        expiry: '30d',
        reason: REASON,
        destinationId: 'infra-ci',
      });
    const { request } = await requestFor(world, 'infra-ci', 'tf-first');
    // While the first request is open, the place is spoken for.
    const early = await ask('tf-second');
    expect(early.json).toMatchObject({ response_action: 'errors' });
    expect(JSON.stringify(early.json)).toContain('already writes the key of an open request to');
    await h.approve(USERS.bob, request.id);
    const delivered = await h.untilState(request.id, 'delivered');
    // Once delivered, the refusal names the key, and says to rotate it instead.
    const late = await ask('tf-third');
    const said = JSON.stringify(late.json);
    expect(said).toContain(`already writes the key tf-first (…${delivered.keySuffix}) to`);
    expect(said).toContain('Rotate that key');
    expect((await h.requests()).map((r) => r.keyName)).toEqual(['tf-first']);
    // A Vault path that holds the key's name is a place of its own for each key.
    await requestFor(world, 'vault-prod', 'tf-vault-a');
    await requestFor(world, 'vault-prod', 'tf-vault-b');
  });

  it('refuses, in the modal, a destination the role does not offer; nothing is stored', async () => {
    world = await startDeliveryWorld();
    const { h } = world;
    const answer = await h.submitRequest(USERS.alice, {
      keyName: 'dev-key',
      roleId: 'developer',
      expiry: '30d',
      reason: REASON,
      destinationId: 'infra-ci',
    });
    expect(JSON.stringify(answer)).toContain('Choose one of the places offered');
    expect(await h.requests()).toEqual([]);
  });
});
