/**
 * GitHub's half-written pair (issue 22): an Actions secret pair is two writes, the key id and then
 * the secret, and GitHub can refuse the second after taking the first (a 5xx, a token gone). The
 * key made for it is then deleted, so the id just written names a dead key: it is taken back, and
 * the destination is left naming no key rather than one ClickHouse no longer has. At the last
 * approval the request returns to approved with Try again; on the schedule the old key is kept and
 * the next tick writes a whole pair.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/views/ids.js';
import { scheduledRequestId } from '../../src/workflow/schedule.js';
import { ManualClock } from '../support/clock.js';
import { USERS } from '../support/keyhouse.js';
import {
  clickhouseAccepts,
  type DeliveryWorld,
  ENVIRONMENT,
  REPOSITORY,
  startDeliveryWorld,
} from './support.js';

const ID = 'CLICKHOUSE_KEY_ID';
const SECRET = 'CLICKHOUSE_KEY_SECRET';
const HOUR = 3_600_000;
const EVERY = 30 * 24 * HOUR;

let world: DeliveryWorld | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

/** The pair the environment holds now, opened by the fake. */
function pair(w: DeliveryWorld) {
  return {
    keyId: w.github.secretValue(REPOSITORY, ID, ENVIRONMENT),
    secret: w.github.secretValue(REPOSITORY, SECRET, ENVIRONMENT),
  };
}

/** The secret's write fails twice (the client's retry of a 5xx too); the id's write before it lands. */
function failSecretWrites(w: DeliveryWorld) {
  w.github.failNextWrite(SECRET, 2, { kind: 'status', status: 502 });
}

async function requestFor(w: DeliveryWorld, keyName: string) {
  await w.h.submitRequest(USERS.alice, {
    keyName,
    roleId: 'terraform',
    expiry: 'never',
    reason: 'terraform for the production warehouse',
    destinationId: 'infra-ci',
  });
  const request = await w.h.latestRequest(USERS.alice);
  await w.h.approvalMessage(request.id);
  return request;
}

describe('a GitHub pair half-written', () => {
  it('at the last approval: the key deleted, its id taken back, the request approved with Try again', async () => {
    world = await startDeliveryWorld();
    const { h, github } = world;
    const request = await requestFor(world, 'tf-half');
    failSecretWrites(world);
    await h.approve(USERS.bob, request.id);
    // The requester is told (after the key was deleted): the attempt is over.
    const dm = await h.slack.waitFor(
      () => h.slack.messages(USERS.alice).find((m) => JSON.stringify(m).includes('could not be written')),
      { message: 'the failure DM' },
    );
    expect(JSON.stringify(dm)).toContain(ACTION.createKey);

    const back = await h.untilState(request.id, 'approved');
    expect(back.keyId).toBeNull();
    // The id was written, then the secret refused: both are on the record, the id first.
    const writes = github.secretsWritten().map((w) => w.name);
    expect(writes).toEqual([ID]);
    await h.until(() => !h.clickhouse.keys().some((k) => k.name === 'tf-half'), 'the unwritten key deleted');
    // Nothing points at the dead key: the id written for it was taken back.
    expect(pair(world)).toEqual({ keyId: null, secret: null });

    await h.createKey(USERS.alice, request.id);
    const delivered = await h.untilState(request.id, 'delivered');
    const now = pair(world);
    expect(h.clickhouse.keys().find((k) => k.id === delivered.keyId)).toBeDefined();
    expect(await clickhouseAccepts(h, now.keyId ?? '', now.secret ?? '')).toBe(true);
  });

  it('on the schedule: the successor deleted, its id taken back, the old key kept; the next tick writes a whole pair', async () => {
    const clock = new ManualClock(new Date());
    world = await startDeliveryWorld({ clock, role: { rotateEvery: '30d' } });
    const { h } = world;
    const request = await requestFor(world, 'tf-half-sched');
    await h.approve(USERS.bob, request.id);
    const delivered = await h.untilState(request.id, 'delivered');
    const owner = await h.store.getKeyOwner(delivered.keyId ?? '');
    const first = pair(world);
    expect(await clickhouseAccepts(h, first.keyId ?? '', first.secret ?? '')).toBe(true);

    failSecretWrites(world);
    clock.set((owner?.createdAt.getTime() ?? 0) + EVERY - HOUR);
    await h.keyhouse.tick();
    const rotation = await h.untilState(scheduledRequestId(delivered.keyId ?? ''), 'approved');
    expect(rotation.keyId).toBeNull();
    // One key of the name is left, the old one, still working; the successor is gone.
    const named = h.clickhouse.keys().filter((k) => k.name === 'tf-half-sched');
    expect(named.map((k) => k.id)).toEqual([delivered.keyId]);
    expect(named[0]?.state).toBe('enabled');
    // The id written for the successor was taken back: it names no dead key (nor the old key's
    // UUID, which is no Key ID). The old key's id cannot be put back: Keyhouse never keeps it.
    const after = pair(world);
    expect(after.keyId).toBeNull();
    expect(after.secret).toBe(first.secret);

    clock.advance(60_000);
    await h.keyhouse.tick();
    const successor = await h.untilState(scheduledRequestId(delivered.keyId ?? ''), 'delivered');
    const now = pair(world);
    expect(now.keyId).not.toBe(first.keyId);
    expect(await clickhouseAccepts(h, now.keyId ?? '', now.secret ?? '')).toBe(true);
    expect(h.clickhouse.keys().some((k) => k.id === successor.keyId)).toBe(true);
    await h.quiet();
    for (const secret of [first.secret, now.secret]) {
      expect(h.slack.allTraffic()).not.toContain(secret);
      expect(h.logs).not.toContain(secret);
      expect(h.databaseBytes()).not.toContain(secret);
    }
  });
});

describe('a write that landed though it was answered with an error', () => {
  it('keeps the key the destination holds and finishes the delivery, rather than deleting it under the destination', async () => {
    world = await startDeliveryWorld();
    const { h, vault } = world;
    await h.submitRequest(USERS.alice, {
      keyName: 'tf-landed',
      roleId: 'terraform',
      expiry: 'never',
      reason: 'terraform for the production warehouse',
      destinationId: 'vault-prod',
    });
    const request = await h.latestRequest(USERS.alice);
    await h.approvalMessage(request.id);
    // Vault writes, then answers 500; the client's retry writes again and meets the same.
    vault.processThenFail('kv-v2-write', 2, 500);
    await h.approve(USERS.bob, request.id);
    const delivered = await h.untilState(request.id, 'delivered');
    const data = vault.read('secret', 'clickhouse/tf-landed');
    expect(h.clickhouse.keys().find((k) => k.id === delivered.keyId)).toBeDefined();
    expect(await clickhouseAccepts(h, String(data?.keyId), String(data?.keySecret))).toBe(true);
  });
});
