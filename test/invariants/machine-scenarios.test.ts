/**
 * Machine keys' failures found by the invariant suite (issue 22), replayed as they were found.
 *
 * Seed -2121824769, path 3, on a SQLite file: a key delivered to Vault, then at once rotated from its
 * menu by its owner, the replica dying just before writing the successor. The sweep asked Vault
 * whether it held the successor; Vault says only when its current version was written, and the
 * first key's version, written the same second, passed for the successor's. The successor was
 * recorded delivered, the old key retired, and Vault named a disabled key.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { KEEP } from '../../src/core/ports.js';
import { testPolicy } from '../support/keyhouse.js';
import { testPolicyFields } from '../support/policy-fixture.js';
import { FAKE_PLACES, World, worldBackends } from '../support/world.js';

const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
const LEASE_MS = 30_000;

function machinePolicy() {
  const base = testPolicyFields();
  return testPolicy({
    destinations: [{ id: 'vault', type: 'vault-kv', mount: FAKE_PLACES.mount, path: FAKE_PLACES.path }],
    lifecycle: { rotationOverlap: '1h' },
    roles: [
      ...(base.roles as unknown[]),
      {
        id: 'machine',
        label: 'Machine',
        grant: { roles: ['developer'] },
        maxExpiry: '7d',
        approvals: 1,
        destinations: ['vault'],
        rotateEvery: '1d',
      },
    ],
  });
}

describe.each(worldBackends())(
  'a machine key rotated the second it was delivered, on a $name',
  ({ postgres }) => {
    let world: World;
    afterEach(async () => {
      await world?.close();
    });

    it('is not taken for written by the sweep when its replica died before writing it', async () => {
      world = await World.start({
        ...(postgres ? { postgres } : {}),
        instances: 2,
        attemptLeaseMs: LEASE_MS,
        policy: machinePolicy(),
        fakes: true,
      });
      const a = world.instance(0);
      const submitted = await a.workflow.submit(ALICE, {
        keyName: 'tf-fast',
        roleId: 'machine',
        expiry: '7d',
        reason: 'terraform for the warehouse',
        ipAccessList: '',
        destinationId: 'vault',
      });
      if (!submitted.ok) throw new Error(JSON.stringify(submitted.errors));
      await a.workflow.announce(submitted.request.id);
      await a.workflow.approve(submitted.request.id, BOB);
      const first = await world.store.getRequest(submitted.request.id);
      expect(first?.state).toBe('delivered');

      // The same second: its owner rotates it, and the replica dies before the successor is written.
      world.destinations!.crashOnWrite = 'before';
      const rotated = await a.workflow.rotate(ALICE, first?.keyId ?? '', {
        overlap: String(3_600_000),
        expiry: KEEP,
        reason: '',
      });
      if (!rotated.ok) throw new Error(JSON.stringify(rotated.errors));
      await Promise.race([a.workflow.announce(rotated.request.id), a.alive.died]);
      expect(a.alive.killed).toBe(true);

      world.clock.advance(LEASE_MS + 1_000);
      await world.instance(1).workflow.sweep();
      const held = world.destinations!.vault.read(FAKE_PLACES.mount, 'clickhouse/tf-fast');
      const successor = await world.store.getRequest(rotated.request.id);
      const delivered = successor?.state === 'delivered' ? successor.keyId : first?.keyId;
      const named = world.emulator.keys().find((k) => k.id === delivered);
      // What Keyhouse records as the key in Vault is the one Vault holds, and ClickHouse takes it.
      expect(String(held?.keyId).endsWith(named?.keySuffix ?? 'none')).toBe(true);
      expect(world.emulator.accepts(String(held?.keyId), String(held?.keySecret))).toBe(true);
    });
  },
);
