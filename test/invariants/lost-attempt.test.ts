/**
 * A Create key attempt whose lease lapses while its create is in flight (a stalled process, a slow
 * ClickHouse) loses its request to another replica's sweep, which gives the request back to the
 * requester. The key that create then makes belongs to nobody and its secret is never shown, so it
 * must not live, even when ClickHouse refuses to delete it at first. (The invariant suite found
 * this: seed 1526593525, path 2, on a SQLite file.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { World, worldBackends } from '../support/world.js';

const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
const LEASE_MS = 30_000;

describe.each(worldBackends())(
  'a key made by an attempt that lost its request, on a $name',
  ({ postgres: url }) => {
    let world: World;
    afterEach(async () => {
      await world?.close();
    });

    it('is noted, deleted by the sweep once ClickHouse lets it, and the request can be clicked again', async () => {
      world = await World.start({ postgres: url, instances: 2, attemptLeaseMs: LEASE_MS });
      const a = world.instance(0).workflow;
      const submitted = await a.submit(ALICE, {
        keyName: 'alice-slow',
        roleId: 'developer',
        expiry: '30d',
        reason: 'Reads the events table nightly',
        ipAccessList: '',
      });
      if (!submitted.ok) throw new Error(JSON.stringify(submitted));
      const requestId = submitted.request.id;
      await a.approve(requestId, BOB);

      // Instance 0's create is held until the test lets it go.
      const keys = world.instance(0).workflow.context.keys;
      const create = keys.createKey.bind(keys);
      let sent!: () => void;
      const asked = new Promise<void>((resolve) => {
        sent = resolve;
      });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      Object.assign(keys, {
        createKey: async (...args: Parameters<typeof create>) => {
          sent();
          await gate;
          return create(...args);
        },
      });
      const click = a.claim(requestId, { userId: ALICE, responseUrl: null, channelId: 'D0DM' }).then(
        () => null,
        (error: unknown) => error,
      );
      await asked;
      expect((await world.store.getRequest(requestId))?.state).toBe('creating');

      // Its lease lapses; instance 1's sweep takes the request over and gives it back.
      world.clock.advance(LEASE_MS + 1_000);
      await world.instance(1).workflow.sweep();
      expect((await world.store.getRequest(requestId))?.state).toBe('approved');

      // The create lands after all; ClickHouse refuses the first delete (each of the client's 4 tries).
      world.emulator.failNext('deleteKey', 4, 500);
      release();
      expect(await click).toMatchObject({ code: 'conflict' });
      const made = world.emulator.keys().filter((k) => k.name === 'alice-slow');
      expect(made).toHaveLength(1);
      const [mark] = await world.store.listTimerMarks({ subjects: [made[0]?.id ?? ''] });
      expect(mark).toMatchObject({ rule: 'orphan.lost-key', state: 'failed', attempts: 1 });

      // The next sweep deletes it, and only it.
      await world.instance(1).workflow.sweep();
      expect(world.emulator.keys().filter((k) => k.name === 'alice-slow')).toEqual([]);
      const [settled] = await world.store.listTimerMarks({ subjects: [made[0]?.id ?? ''] });
      expect(settled?.state).toBe('done');
      await world.instance(0).workflow.sweep();
      expect(world.emulator.keys().some((k) => k.name.startsWith('Keyhouse admin'))).toBe(true);

      // The requester clicks again and gets a key.
      const request = await world.store.getRequest(requestId);
      expect({ state: request?.state, keyId: request?.keyId }).toEqual({ state: 'approved', keyId: null });
      await world
        .instance(1)
        .workflow.claim(requestId, { userId: ALICE, responseUrl: null, channelId: 'D0DM' });
      expect((await world.store.getRequest(requestId))?.state).toBe('delivered');
      expect(world.emulator.keys().filter((k) => k.name === 'alice-slow')).toHaveLength(1);
    });
  },
);
