/**
 * The holes of issue 9 that were reproduced by hand, each as the scenario that broke it, on one
 * store shared by replicas: a SQLite file, and PostgreSQL where TEST_DATABASE_URL is set.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { World, worldBackends } from '../support/world.js';

const backends = worldBackends();

const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
const draft = {
  keyName: 'alice-etl',
  roleId: 'developer',
  expiry: '30d',
  reason: 'Reads the events table nightly',
  ipAccessList: '',
};

describe.each(backends)('issue 9 scenarios on a $name', ({ postgres: url }) => {
  let world: World;
  afterEach(async () => {
    await world?.close();
  });

  async function approvedRequest(): Promise<string> {
    const a = world.instance(0).workflow;
    const submitted = await a.submit(ALICE, draft);
    if (!submitted.ok) throw new Error(JSON.stringify(submitted));
    await a.approve(submitted.request.id, BOB);
    expect((await world.store.getRequest(submitted.request.id))?.state).toBe('approved');
    return submitted.request.id;
  }

  const click = (instance: number, requestId: string) =>
    world
      .instance(instance)
      .workflow.claim(requestId, { userId: ALICE, responseUrl: null, channelId: 'D0DM' });

  /** Resolves once the emulator has a create request for it in flight (the key is being made). */
  const createArrived = (count: number) =>
    new Promise<void>((resolve) => {
      const check = () =>
        world.emulator.requests.filter((r) => r.method === 'POST').length >= count
          ? resolve()
          : setTimeout(check, 2);
      check();
    });

  it('a settler never settles the next live attempt on the same request (item 2: no second key)', async () => {
    world = await World.start({ postgres: url, instances: 2 });
    const requestId = await approvedRequest();

    // Attempt X on instance A: ClickHouse is slow to create, and A dies while it waits.
    world.emulator.setLatency(200);
    void click(0, requestId).catch(() => undefined);
    await createArrived(1);
    world.crash(0);
    // X's lease runs out; B's sweep settles X (its orphan key is deleted) and gives the request back.
    world.clock.advance(31_000);
    await world.instance(1).workflow.sweep();
    await new Promise((resolve) => setTimeout(resolve, 250));
    await world.instance(1).workflow.sweep();
    expect((await world.store.getRequest(requestId))?.state).toBe('approved');

    // Alice clicks again (on the restarted A) within B's settling lease; while that attempt is
    // creating the key, B sweeps again.
    const again = click(0, requestId);
    await createArrived(2);
    await world.instance(1).workflow.sweep();
    world.emulator.setLatency(0);
    await again;

    const request = await world.store.getRequest(requestId);
    expect(request?.state).toBe('delivered');
    const shown = world.reveals.filter((r) => r.requestId === requestId);
    expect(shown).toHaveLength(1);
    // The key shown is the one key left for the request, and it lives.
    const live = world.emulator.keys().filter((k) => k.name === draft.keyName);
    expect(live.map((k) => k.id)).toEqual([shown[0]?.keyId]);
  });

  it('a key made while the database fails is deleted at once, audited when the database is back (item 3)', async () => {
    world = await World.start({ postgres: url, instances: 1 });
    const requestId = await approvedRequest();
    // The database goes away the moment ClickHouse has created the key.
    world.emulator.setLatency(100);
    const clicked = click(0, requestId).catch((error: unknown) => error);
    await createArrived(1);
    world.flaky.down = true;
    const outcome = await clicked;
    expect(outcome).toMatchObject({ code: 'create_failed' });
    // No key whose secret nobody saw stays alive while the database is down.
    expect(world.emulator.keys().filter((k) => k.name === draft.keyName)).toEqual([]);
    expect(world.reveals).toEqual([]);
    expect(world.emulator.requests.filter((r) => r.method === 'DELETE' && r.status === 200)).toHaveLength(1);

    // Back up: the journaled audit events are written, in order, and once the dead attempt's
    // lease has run out the sweep gives the request back.
    world.flaky.down = false;
    world.emulator.setLatency(0);
    world.clock.advance(31_000);
    await world.instance(0).workflow.sweep();
    const audit = (await world.store.listAudit({ requestId })).map((e) => `${e.action}:${e.outcome}`);
    expect(audit).toEqual(expect.arrayContaining(['key.delete:attempt', 'key.deleted:ok']));
    expect(audit.indexOf('key.delete:attempt')).toBeLessThan(audit.indexOf('key.deleted:ok'));
    expect((await world.store.getRequest(requestId))?.state).toBe('approved');
  });

  it('an ambiguous create deletes the key ClickHouse revealed, and no key someone owns (item 3)', async () => {
    world = await World.start({ postgres: url, instances: 1 });
    // A key of the same name made in the console a moment ago: nobody in Keyhouse owns it, and
    // only ClickHouse's answer can tell it from the key the click made.
    const console = world.emulator.addKey({ name: draft.keyName }).key;
    // Someone else's key with the same name, made just now, that Keyhouse knows is theirs.
    const theirs = world.emulator.addKey({ name: draft.keyName }).key;
    await world.store.putKeyOwner({
      keyId: theirs.id,
      ownerId: 'U0CAROL',
      requestId: null,
      keyName: draft.keyName,
      keySuffix: theirs.keySuffix,
      createdAt: world.clock.now(),
      roleId: 'developer',
    });
    const requestId = await approvedRequest();
    // ClickHouse made the key but its answer has no secret: the key's id is known, the secret lost.
    world.emulator.createThenFail(1, 'no-secret');
    await expect(click(0, requestId)).rejects.toMatchObject({ code: 'create_failed' });
    const left = world.emulator.keys().filter((k) => k.name === draft.keyName);
    expect(left.map((k) => k.id).sort()).toEqual([theirs.id, console.id].sort());
    expect((await world.store.getRequest(requestId))?.state).toBe('approved');
  });
});
