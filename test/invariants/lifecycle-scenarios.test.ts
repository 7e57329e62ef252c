/**
 * The timed rules' holes the invariant suite showed (or that sit in the same window), each as the
 * scenario that breaks it, on one store shared by replicas: a SQLite file, and PostgreSQL where
 * TEST_DATABASE_URL is set. A replica "dies" as in a real crash: every call it makes from then on
 * hangs, and the marks and leases it held stay as it left them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { KEEP } from '../../src/core/ports.js';
import { HOUR_MS } from '../../src/policy/index.js';
import { ABANDONED_AFTER_MS } from '../../src/timers/scheduler.js';
import { World, worldBackends } from '../support/world.js';

const backends = worldBackends();

const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
const MINUTE = 60_000;

describe.each(backends)('timed rules when a replica dies on a $name', ({ postgres: url }) => {
  let world: World;
  afterEach(async () => {
    await world?.close();
  });

  async function approvedRequest(keyName: string, expiry = '30d'): Promise<string> {
    const a = world.instance(1).workflow;
    const submitted = await a.submit(ALICE, {
      keyName,
      roleId: 'developer',
      expiry,
      reason: 'Reads the events table nightly',
      ipAccessList: '',
    });
    if (!submitted.ok) throw new Error(JSON.stringify(submitted));
    await a.approve(submitted.request.id, BOB);
    return submitted.request.id;
  }

  const click = (instance: number, requestId: string) =>
    world
      .instance(instance)
      .workflow.claim(requestId, { userId: ALICE, responseUrl: null, channelId: 'D0DM' });

  async function deliveredKey(keyName: string, expiry?: string): Promise<string> {
    const requestId = await approvedRequest(keyName, expiry);
    await click(1, requestId);
    const keyId = (await world.store.getRequest(requestId))?.keyId;
    if (!keyId) throw new Error('the key was not delivered');
    return keyId;
  }

  const stateOf = (keyId: string) => world.emulator.keys().find((k) => k.id === keyId)?.state;

  /** Instance 0 dies the moment it asks ClickHouse to change a key (the PATCH never leaves). */
  function dieOnNextKeyChange(): Promise<void> {
    const dying = world.instance(0);
    return new Promise((died) => {
      Object.assign(dying.workflow.context.keys, {
        updateKey: () => {
          world.crash(0);
          died();
          return new Promise(() => undefined);
        },
      });
    });
  }

  it('a rotated key whose retirement died half-way is disabled by another replica once the claim is abandoned', async () => {
    world = await World.start({ postgres: url, instances: 2 });
    // Within the test policy's 7-day warning from the start.
    const oldKey = await deliveredKey('alice-etl', '7d');
    const rotated = await world
      .instance(1)
      .workflow.rotate(ALICE, oldKey, { overlap: String(HOUR_MS), expiry: KEEP, reason: '' });
    if (!rotated.ok) throw new Error(JSON.stringify(rotated));
    await click(1, rotated.request.id);
    expect((await world.store.getRetirement(oldKey))?.stage).toBe('retiring');

    // The overlap ends; instance 0 takes the retirement, moves its stage, and dies before the PATCH.
    world.clock.advance(HOUR_MS + MINUTE);
    const death = dieOnNextKeyChange();
    void world.instance(0).scheduler.tick();
    await death;
    expect((await world.store.getRetirement(oldKey))?.stage).toBe('disabled');
    expect(stateOf(oldKey)).toBe('enabled');

    // Past the dead replica's timers lease, but not yet abandoned: nobody takes the claim.
    world.clock.advance(ABANDONED_AFTER_MS / 2);
    expect((await world.instance(1).scheduler.tick()).ran).toBe(true);
    expect(stateOf(oldKey)).toBe('enabled');

    // Abandoned: instance 1 disables the old key, once.
    world.clock.advance(ABANDONED_AFTER_MS / 2);
    await world.instance(1).scheduler.tick();
    expect(stateOf(oldKey)).toBe('disabled');
    await world.instance(1).scheduler.tick();
    const patches = world.emulator.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(oldKey));
    expect(patches).toHaveLength(1);
    const marks = await world.store.listTimerMarks({ rules: ['rotation.retire'], subjects: [oldKey] });
    expect(marks.find((m) => m.threshold === 'disable')).toMatchObject({ state: 'done', attempts: 2 });
    const audit = await world.store.listAudit({ limit: 1_000 });
    const disables = audit.filter((e) => e.action === 'key.disable' && e.keyId === oldKey);
    expect(disables.map((e) => [e.outcome, e.detail?.resumed])).toEqual([
      ['attempt', false],
      ['attempt', true],
      ['ok', true],
    ]);
    // The owner may have been told by the replica that died: a resumed retirement does not tell twice.
    expect(world.timed.filter((m) => m.kind === 'retired')).toHaveLength(0);
    // A key being retired is not offered for Extend or Rotate by an expiry warning.
    expect(world.timed.filter((m) => m.kind === 'warning' && m.warning.key.keyId === oldKey)).toEqual([]);
  });

  it('a rotation delivered while its retirement could not be recorded still retires the old key', async () => {
    world = await World.start({ postgres: url, instances: 2 });
    const oldKey = await deliveredKey('alice-etl');
    const rotated = await world
      .instance(1)
      .workflow.rotate(ALICE, oldKey, { overlap: String(HOUR_MS), expiry: KEEP, reason: '' });
    if (!rotated.ok) throw new Error(JSON.stringify(rotated));
    // The database fails for the one write that records the retirement, right after the delivery.
    const store = world.store as { putRetirement: unknown };
    const putRetirement = world.store.putRetirement;
    store.putRetirement = async () => {
      store.putRetirement = putRetirement;
      throw new Error('store: the database is unreachable (injected)');
    };
    await click(1, rotated.request.id);
    const delivered = await world.store.getRequest(rotated.request.id);
    expect(delivered?.state).toBe('delivered');
    expect(await world.store.getRetirement(oldKey)).toBeNull();

    // The delivering process had its chance; a tick after that records it, from the delivery.
    world.clock.advance(ABANDONED_AFTER_MS);
    await world.instance(0).scheduler.tick();
    expect(await world.store.getRetirement(oldKey)).toMatchObject({
      stage: 'retiring',
      successorKeyId: delivered?.keyId,
      retireAt: new Date(delivered!.updatedAt.getTime() + HOUR_MS),
    });
    world.clock.advance(HOUR_MS - ABANDONED_AFTER_MS);
    await world.instance(0).scheduler.tick();
    expect(stateOf(oldKey)).toBe('disabled');
    expect(world.timed.filter((m) => m.kind === 'retired')).toHaveLength(1);
  });

  it('a deactivated user’s key whose disable died half-way is disabled by another replica', async () => {
    world = await World.start({ postgres: url, instances: 2 });
    const keyId = await deliveredKey('alice-etl');
    world.deactivated.add(ALICE);
    expect(await world.instance(0).lifecycle.offboard(ALICE, 'event')).toBe('started');

    const death = dieOnNextKeyChange();
    void world.instance(0).scheduler.tick();
    await death;
    expect(stateOf(keyId)).toBe('enabled');

    world.clock.advance(ABANDONED_AFTER_MS / 2);
    await world.instance(1).scheduler.tick();
    expect(stateOf(keyId)).toBe('enabled');
    world.clock.advance(ABANDONED_AFTER_MS / 2);
    await world.instance(1).scheduler.tick();
    expect(stateOf(keyId)).toBe('disabled');
    // The security channel hears of it once, when the key is settled.
    await world.instance(1).scheduler.tick();
    const reports = world.timed.filter((m) => m.kind === 'offboarding-report');
    expect(reports).toHaveLength(1);
    expect(reports[0]?.kind === 'offboarding-report' && reports[0].report.keys.map((k) => k.outcome)).toEqual(
      ['disabled'],
    );
  });

  it('a deactivated user’s keys are disabled even when cancelling their requests failed', async () => {
    world = await World.start({ postgres: url, instances: 2 });
    const keyId = await deliveredKey('alice-etl');
    await approvedRequest('alice-next');
    world.deactivated.add(ALICE);
    // The database fails for the read of Alice's open requests, after the offboarding was claimed.
    const store = world.store as { listRequests: unknown };
    const listRequests = world.store.listRequests;
    store.listRequests = async () => {
      store.listRequests = listRequests;
      throw new Error('store: the database is unreachable (injected)');
    };
    expect(await world.instance(0).lifecycle.offboard(ALICE, 'event')).toBe('failed');
    await world.instance(0).scheduler.tick();
    expect(stateOf(keyId)).toBe('disabled');
  });

  it('a key made by a Create key click in flight when its requester was offboarded is disabled too', async () => {
    world = await World.start({ postgres: url, instances: 2 });
    const requestId = await approvedRequest('alice-late');
    // ClickHouse is slow: the click is in `creating` when Slack reports Alice deactivated.
    world.emulator.setLatency(200);
    const clicked = click(1, requestId);
    await waitFor(() => world.emulator.requests.some((r) => r.method === 'POST'));
    world.deactivated.add(ALICE);
    expect(await world.instance(0).lifecycle.offboard(ALICE, 'event')).toBe('started');
    await clicked;
    world.emulator.setLatency(0);
    const keyId = (await world.store.getRequest(requestId))?.keyId;
    expect(keyId).toBeTruthy();
    // The offboarding noted no key; the key made since is hers all the same.
    const [userMark] = await world.store.listTimerMarks({ rules: ['offboarding.user'], subjects: [ALICE] });
    expect(userMark?.detail?.keys).toEqual([]);
    await world.instance(0).scheduler.tick();
    expect(stateOf(keyId!)).toBe('disabled');
  });
});

/** Polls a condition on the fakes' records (no wall-clock guess: the test's own timeout bounds it). */
async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
}
