/**
 * Scheduled rotation of a key in a destination (product.md §12, `rotateEvery`): the successor is
 * written before the old key is that old, never early, the old key retired after the overlap; a
 * failed write deletes the successor, keeps the old key, tells the security channel once and is
 * retried at the next tick; a restart in the middle still makes one successor.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { scheduledRequestId } from '../../src/workflow/schedule.js';
import { ManualClock } from '../support/clock.js';
import { APPROVAL_CHANNEL, USERS } from '../support/keyhouse.js';
import { clickhouseAccepts, type DeliveryWorld, startDeliveryWorld } from './support.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const EVERY = 30 * DAY;
const LEAD = HOUR;
const OVERLAP = DAY;
const PATH = 'clickhouse/tf-sched';

let world: DeliveryWorld | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

async function deliveredMachineKey(w: DeliveryWorld, expiry = 'never') {
  const { h } = w;
  await h.submitRequest(USERS.alice, {
    keyName: 'tf-sched',
    roleId: 'terraform',
    expiry,
    reason: 'terraform for the production warehouse',
    destinationId: 'vault-prod',
  });
  const request = await h.latestRequest(USERS.alice);
  await h.approvalMessage(request.id);
  await h.approve(USERS.bob, request.id);
  const delivered = await h.untilState(request.id, 'delivered');
  const owner = await h.store.getKeyOwner(delivered.keyId ?? '');
  if (!owner) throw new Error('no owner record');
  return { request: delivered, owner };
}

function written(w: DeliveryWorld) {
  const data = w.vault.read('secret', PATH);
  return { keyId: String(data?.keyId), keySecret: String(data?.keySecret), expireAt: data?.expireAt };
}

describe('scheduled rotation of a key in a destination', () => {
  it('writes the successor before the key is rotateEvery old, never early, and retires the old key after the overlap', async () => {
    const clock = new ManualClock(new Date());
    world = await startDeliveryWorld({ clock, role: { rotateEvery: '30d' } });
    const { h, vault } = world;
    const { request, owner } = await deliveredMachineKey(world);
    const first = h.clickhouse.keys().find((k) => k.id === request.keyId);
    // Its own expiry is one period and the overlap, though the approval never ends.
    expect(first?.expireAt).toBe(new Date(owner.createdAt.getTime() + EVERY + OVERLAP).toISOString());
    expect(owner.approvedUntil).toBe('never');
    const firstWritten = written(world);

    clock.set(owner.createdAt.getTime() + EVERY - LEAD - 60_000);
    await h.keyhouse.tick();
    expect(vault.versions('secret', PATH)?.current).toBe(1);

    clock.set(owner.createdAt.getTime() + EVERY - LEAD);
    await h.keyhouse.tick();
    const successor = await h.untilState(scheduledRequestId(request.keyId ?? ''), 'delivered');
    expect(vault.versions('secret', PATH)?.current).toBe(2);
    const now = written(world);
    expect(now.keyId).not.toBe(firstWritten.keyId);
    expect(await clickhouseAccepts(h, now.keyId, now.keySecret)).toBe(true);
    // No gap: the old key still works through the overlap.
    expect(await clickhouseAccepts(h, firstWritten.keyId, firstWritten.keySecret)).toBe(true);
    const next = h.clickhouse.keys().find((k) => k.id === successor.keyId);
    expect(next?.expireAt).toBe(new Date(clock.now().getTime() + EVERY + OVERLAP).toISOString());
    expect((await h.store.getKeyOwner(successor.keyId ?? ''))?.approvedUntil).toBe('never');
    expect(await h.store.getRetirement(request.keyId ?? '')).toMatchObject({
      successorKeyId: successor.keyId,
      stage: 'retiring',
    });

    // A second tick makes no second successor.
    await h.keyhouse.tick();
    expect(vault.versions('secret', PATH)?.current).toBe(2);
    expect(h.clickhouse.keys().filter((k) => k.name === 'tf-sched')).toHaveLength(2);

    clock.advance(OVERLAP);
    await h.keyhouse.tick();
    await h.until(
      () => h.clickhouse.keys().find((k) => k.id === request.keyId)?.state === 'disabled',
      'the old key to be disabled after the overlap',
    );
    expect(await clickhouseAccepts(h, now.keyId, now.keySecret)).toBe(true);
    await h.quiet();
    for (const secret of [firstWritten.keySecret, now.keySecret]) {
      expect(h.slack.allTraffic()).not.toContain(secret);
      expect(h.logs).not.toContain(secret);
      expect(h.databaseBytes()).not.toContain(secret);
    }
  });

  it('a failed write deletes the successor, keeps the old key, tells the security channel once, and is retried at the next tick', async () => {
    const clock = new ManualClock(new Date());
    world = await startDeliveryWorld({ clock, role: { rotateEvery: '30d' } });
    const { h, vault } = world;
    const { request, owner } = await deliveredMachineKey(world);
    const firstWritten = written(world);
    vault.failNext('kv-v2-write', 4, 503, { messages: ['Vault is sealed'] });
    clock.set(owner.createdAt.getTime() + EVERY - LEAD);

    for (let tick = 0; tick < 2; tick++) {
      await h.keyhouse.tick();
      await h.untilState(scheduledRequestId(request.keyId ?? ''), 'approved');
      clock.advance(60_000);
    }
    expect(vault.versions('secret', PATH)?.current).toBe(1);
    expect(written(world).keyId).toBe(firstWritten.keyId);
    expect(h.clickhouse.keys().filter((k) => k.name === 'tf-sched')).toHaveLength(1);
    expect(await clickhouseAccepts(h, firstWritten.keyId, firstWritten.keySecret)).toBe(true);
    const notices = h.slack
      .messages(APPROVAL_CHANNEL)
      .filter((m) => JSON.stringify(m).includes('scheduled rotation of'));
    expect(notices).toHaveLength(1);
    expect(JSON.stringify(notices[0])).toContain('Vault is sealed');

    await h.keyhouse.tick();
    const successor = await h.untilState(scheduledRequestId(request.keyId ?? ''), 'delivered');
    expect(written(world).keyId).not.toBe(firstWritten.keyId);
    expect(h.clickhouse.keys().some((k) => k.id === successor.keyId)).toBe(true);
  });

  // Found by the invariant suite (seed -658675841, path 6): a rotation from the menu, still open,
  // made the gate refuse the schedule's at every tick, each refusal spending the tick's writes and
  // deferring every other rule's work behind it.
  it('waits while a rotation asked from the menu is open, spending no tick on a refusal', async () => {
    const clock = new ManualClock(new Date());
    world = await startDeliveryWorld({ clock, role: { rotateEvery: '30d' } });
    const { h } = world;
    const { request, owner } = await deliveredMachineKey(world);
    // An admin's rotation of someone else's key waits for an approval: it stays open.
    const asked = await h.keyhouse.workflow.rotate(USERS.admin, request.keyId ?? '', {
      overlap: String(HOUR),
      expiry: 'keep',
      reason: 'rotating the warehouse key by hand',
    });
    expect(asked.ok && asked.request.state).toBe('pending');
    clock.set(owner.createdAt.getTime() + EVERY - LEAD);
    const tick = await h.keyhouse.tick();
    expect(tick).toMatchObject({ ran: true, failed: 0, deferred: 0 });
    expect(await h.store.getRequest(scheduledRequestId(request.keyId ?? ''))).toBeNull();
    expect(world.vault.versions('secret', PATH)?.current).toBe(1);
  });

  // Found by the invariant suite (seed -1095412898, path 6): a successor still in its predecessor's
  // overlap was refused by the gate at every tick, each refusal spending the tick's writes ahead of
  // the very retirement it waited for, so neither ever ran.
  it('waits while the key’s predecessor is still retiring, spending no tick on a refusal', async () => {
    const clock = new ManualClock(new Date());
    world = await startDeliveryWorld({ clock, role: { rotateEvery: '1d' } });
    const { h } = world;
    const { request } = await deliveredMachineKey(world);
    // Its owner rotates it from the menu with a week's overlap: the successor is due in a day.
    const asked = await h.keyhouse.workflow.rotate(USERS.alice, request.keyId ?? '', {
      overlap: String(7 * DAY),
      expiry: 'keep',
      reason: '',
    });
    if (!asked.ok) throw new Error(JSON.stringify(asked.errors));
    await h.keyhouse.workflow.announce(asked.request.id);
    const successor = await h.untilState(asked.request.id, 'delivered');
    clock.advance(DAY);
    const tick = await h.keyhouse.tick();
    expect(tick).toMatchObject({ ran: true, failed: 0, deferred: 0 });
    expect(await h.store.getRequest(scheduledRequestId(successor.keyId ?? ''))).toBeNull();
  });

  it('never outlives the approval: a key that already lives to the approval’s end gets no successor', async () => {
    const clock = new ManualClock(new Date());
    world = await startDeliveryWorld({ clock, role: { rotateEvery: '30d', maxExpiry: '90d' } });
    const { h } = world;
    const { request, owner } = await deliveredMachineKey(world, '30d');
    const end = owner.approvedUntil as Date;
    expect(end).toBeInstanceOf(Date);
    // The first key ends with the approval (30 days), before one period and the overlap.
    expect(h.clickhouse.keys().find((k) => k.id === request.keyId)?.expireAt).toBe(end.toISOString());
    clock.set(owner.createdAt.getTime() + EVERY - LEAD);
    await h.keyhouse.tick();
    expect(await h.store.getRequest(scheduledRequestId(request.keyId ?? ''))).toBeNull();
  });
});
