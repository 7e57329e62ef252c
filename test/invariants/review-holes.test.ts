/**
 * The review's holes at the joints between paths (issue 19), each as the scenario that opened it,
 * on one store shared by replicas: a SQLite file, and PostgreSQL where TEST_DATABASE_URL is set.
 * Every one of them failed on the code before the one gate (src/workflow/gate.ts) closed it.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../../src/core/duration.js';
import { KEEP } from '../../src/core/ports.js';
import type { LeakReport, WatchNotifier } from '../../src/core/watch-ports.js';
import { Tripwire } from '../../src/watch/tripwire.js';
import { testPolicy } from '../support/keyhouse.js';
import { World, worldBackends } from '../support/world.js';

const backends = worldBackends();

const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
const ADMIN = 'U0ADMIN';

/** The notices a tripwire sent, kept for the test to read. */
class RecordingWatchNotifier implements WatchNotifier {
  readonly reports: LeakReport[] = [];
  async leakThread(report: LeakReport) {
    this.reports.push(report);
  }
  async leakOwner() {}
  async leakSecurity() {}
  async driftSecurity() {}
  async driftOwner() {}
  async outsideLeakSecurity() {}
  async outsideLeakOwner() {}
}

describe.each(backends)('the review holes on a $name', ({ postgres: url }) => {
  let world: World;
  afterEach(async () => {
    await world?.close();
  });

  const wf = (instance = 0) => world.instance(instance).workflow;
  const stateOf = (keyId: string) => world.emulator.keys().find((k) => k.id === keyId)?.state ?? 'gone';
  const expireAtOf = (keyId: string) => world.emulator.keys().find((k) => k.id === keyId)?.expireAt ?? null;
  const click = (requestId: string, userId = ALICE) =>
    wf().claim(requestId, { userId, responseUrl: null, channelId: 'D0DM' });

  async function deliveredKey(keyName: string, expiry = '30d', requester = ALICE): Promise<string> {
    const submitted = await wf().submit(requester, {
      keyName,
      roleId: 'developer',
      expiry,
      reason: 'Reads the events table nightly',
      ipAccessList: '',
    });
    if (!submitted.ok) throw new Error(JSON.stringify(submitted));
    await wf().approve(submitted.request.id, requester === BOB ? 'U0CAROL' : BOB);
    await click(submitted.request.id, requester);
    const keyId = (await world.store.getRequest(submitted.request.id))?.keyId;
    if (!keyId) throw new Error('the key was not delivered');
    return keyId;
  }

  async function rotate(keyId: string, expiry: string, overlapMs = HOUR_MS, by = ALICE) {
    return wf().rotate(by, keyId, { overlap: String(overlapMs), expiry, reason: 'Rotating the CI secret' });
  }

  const tick = () => world.instance(0).scheduler.tick();

  it('hole 2: offboarding acts on the current owner only, not on a key an admin gave away meanwhile', async () => {
    world = await World.start({ postgres: url });
    const given = await deliveredKey('alice-etl');
    const kept = await deliveredKey('alice-bi');
    world.deactivated.add(ALICE);
    await world.instance(0).lifecycle.offboard(ALICE, 'event');
    await wf().reassign(ADMIN, given, BOB);
    await tick();
    await tick();
    expect(stateOf(kept)).toBe('disabled');
    expect(stateOf(given)).toBe('enabled');
  });

  it('hole 3: a rotation never lengthens what was approved, however often it is repeated', async () => {
    world = await World.start({ postgres: url });
    const first = await deliveredKey('alice-etl', '1d');
    const approvedEnd = expireAtOf(first);

    // A 90-day successor of a 1-day key is an Extend: it needs an approver.
    const longer = await rotate(first, '90d');
    if (!longer.ok) throw new Error(JSON.stringify(longer));
    expect(longer.request.state).toBe('pending');
    expect(longer.request.approvalsRequired).toBe(1);
    await world.store.transition({
      id: longer.request.id,
      from: 'pending',
      to: 'denied',
      at: world.clock.now(),
    });

    // Within what was approved it needs none, and a chain of rotations ends where the approval did.
    let current = first;
    for (let i = 0; i < 3; i++) {
      world.clock.advance(2 * HOUR_MS);
      const rotated = await rotate(current, KEEP);
      if (!rotated.ok) throw new Error(JSON.stringify(rotated));
      expect(rotated.request.state).toBe('approved');
      await click(rotated.request.id);
      const successor = (await world.store.getRequest(rotated.request.id))?.keyId;
      if (!successor) throw new Error('no successor');
      expect(expireAtOf(successor)).toBe(approvedEnd);
      // The old key's overlap passes before the next rotation (a successor in its overlap is not rotated).
      world.clock.advance(HOUR_MS + 60_000);
      await tick();
      current = successor;
    }
  });

  it('hole 4: a rotation counts against keysPerUser, and a successor in its overlap is not rotated again', async () => {
    world = await World.start({ postgres: url, policy: testPolicy({ limits: { keysPerUser: 2 } }) });
    const first = await deliveredKey('alice-etl');
    await deliveredKey('alice-bi');
    const refused = await rotate(first, '7d', 7 * DAY_MS);
    expect(refused.ok).toBe(false);
    expect(await world.store.listRequests({ requesterId: ALICE, states: ['approved', 'pending'] })).toEqual(
      [],
    );

    world = await restartWith(testPolicy());
    const old = await deliveredKey('bob-etl', '30d', BOB);
    const rotated = await rotate(old, '7d', 7 * DAY_MS, BOB);
    if (!rotated.ok) throw new Error(JSON.stringify(rotated));
    await click(rotated.request.id, BOB);
    const successor = (await world.store.getRequest(rotated.request.id))?.keyId;
    if (!successor) throw new Error('no successor');
    await expect(rotate(successor, '7d', 7 * DAY_MS, BOB)).rejects.toThrow();
    const open = await world.store.listRequests({ requesterId: BOB, states: ['approved', 'pending'] });
    expect(open).toEqual([]);
  });

  async function restartWith(policy: ReturnType<typeof testPolicy>): Promise<World> {
    await world.close();
    return World.start({ postgres: url, policy });
  }

  it('hole 5: a key disabled for a leak is not enabled again, and costs one write however often it is pasted', async () => {
    world = await World.start({ postgres: url });
    const keyId = await deliveredKey('alice-etl');
    const secret = world.secrets.get(keyId);
    if (!secret) throw new Error('no secret recorded');
    const context = wf().context;
    const tripwire = new Tripwire({
      store: context.store,
      keys: context.keys,
      notifier: new RecordingWatchNotifier(),
      audit: context.audit,
      clock: world.clock,
      logger: pino({ level: 'silent' }),
      leakAction: 'disable',
      securityChannel: 'C0SECURITY',
      gate: context.gate,
    });
    for (let i = 0; i < 4; i++) {
      await tripwire.inspect(`here it is ${secret}`, {
        channel: 'C0GENERAL',
        ts: `1700000000.00000${i}`,
        threadTs: null,
        userId: BOB,
      });
    }
    expect(stateOf(keyId)).toBe('disabled');
    const writes = world.emulator.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(keyId));
    expect(writes).toHaveLength(1);

    await expect(wf().setKeyState(ALICE, keyId, 'enabled')).rejects.toThrow();
    await expect(wf().setKeyState(ADMIN, keyId, 'enabled')).rejects.toThrow();
    expect(stateOf(keyId)).toBe('disabled');

    await wf().liftLeak(ADMIN, keyId, 'Rotated everywhere; the paste was in a private DM');
    await wf().setKeyState(ALICE, keyId, 'enabled');
    expect(stateOf(keyId)).toBe('enabled');
    const lifted = (await world.store.listAudit({ keyId })).filter((e) => e.action === 'key.leak.lift');
    expect(lifted.map((e) => [e.actorId, e.outcome])).toEqual([
      [ADMIN, 'attempt'],
      [ADMIN, 'ok'],
    ]);
  });
});
