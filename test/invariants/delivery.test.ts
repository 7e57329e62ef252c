/**
 * Machine keys as invariants (product.md §12; issue 22): a key in a destination, rotated on its
 * role's schedule by two replicas on one store, through random ticks, sweeps, time jumps, refused
 * writes and replicas dying just before or just after a write. After every step:
 *
 * 1. a machine key never has two successors (one scheduled rotation per old key, never two
 *    working keys beside the one being retired);
 * 2. the destination always holds a working key (alive and enabled in ClickHouse), whatever crashed;
 * 3. no key outlives its approval, through any chain of scheduled rotations.
 *
 * And at the end, once the faults are over and the sweeps and ticks have run, the destination
 * holds a key ClickHouse accepts with the secret written.
 *
 * The main suite (invariants.test.ts, 20–24) runs machine keys against the fake GitHub and Vault
 * among every other command; this one is kept for what it alone can ask: that the destination holds
 * a working key after EVERY step, between a crash and the tick that repairs it too. Its destination
 * is one write in memory and its faults are a few writes long, so a gap is always a defect; there,
 * a GitHub pair is two writes (half-written between them) and a destination's outage may outlast a
 * key, so the main suite asks it after each tick that ran clean and once settled.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ClickHouseCloudClient } from '../../src/api/index.js';
import { Secret } from '../../src/core/secret.js';
import { DAY_MS } from '../../src/policy/index.js';
import { testPolicy } from '../support/keyhouse.js';
import { testPolicyFields } from '../support/policy-fixture.js';
import { MemoryDestination, World, worldBackends } from '../support/world.js';

const RUNS = Number(process.env.KEYHOUSE_INVARIANT_RUNS ?? 6);
const OWNER = 'U0ALICE';
const KEY_NAME = 'tf-machine';
const MINUTE = 60_000;

type Op =
  | { op: 'advance'; minutes: number; instance: number }
  | { op: 'sweep'; instance: number }
  | { op: 'fail'; writes: number }
  | { op: 'crashOnWrite'; when: 'before' | 'after' }
  | { op: 'crash'; instance: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('advance' as const),
      minutes: fc.integer({ min: 1, max: 90 }),
      instance: fc.nat(1),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('sweep' as const), instance: fc.nat(1) }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('fail' as const), writes: fc.integer({ min: 1, max: 3 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('crashOnWrite' as const),
      when: fc.constantFrom('before' as const, 'after' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('crash' as const), instance: fc.nat(1) }) },
);

function machinePolicy() {
  const base = testPolicyFields();
  return testPolicy({
    destinations: [{ id: 'box', type: 'vault-kv', mount: 'secret', path: 'k/{keyName}' }],
    lifecycle: { rotationOverlap: '1h' },
    roles: [
      ...(base.roles as unknown[]),
      {
        id: 'terraform',
        label: 'Terraform',
        grant: { roles: ['admin'] },
        maxExpiry: '36h',
        approvals: 0,
        destinations: ['box'],
        rotateEvery: '1d',
      },
    ],
  });
}

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

/** Runs `work`, unless the destination kills the instance doing it (then its promise never settles). */
async function step(destination: MemoryDestination, work: () => Promise<unknown>): Promise<void> {
  let crashed: () => void = () => undefined;
  const died = new Promise<void>((resolve) => {
    crashed = resolve;
  });
  const previous = destination.onCrash;
  destination.onCrash = (instance) => {
    previous(instance);
    crashed();
  };
  try {
    await Promise.race([work().catch(() => undefined), died]);
  } finally {
    destination.onCrash = previous;
  }
}

async function check(w: World, destination: MemoryDestination, approvalEnd: Date): Promise<void> {
  const keys = w.emulator.keys().filter((k) => k.name === KEY_NAME);
  // 1. One successor per key: at most the old key in its overlap and its one successor work.
  expect(keys.filter((k) => k.state === 'enabled').length).toBeLessThanOrEqual(2);
  const rotations = (await w.store.listRequests({})).filter((r) => r.rotation);
  const successorsOf = new Map<string, number>();
  for (const r of rotations)
    successorsOf.set(r.rotation!.keyId, (successorsOf.get(r.rotation!.keyId) ?? 0) + 1);
  for (const count of successorsOf.values()) expect(count).toBe(1);
  // 2. The destination holds a working key.
  const held = heldKey(w, destination);
  expect(held, 'the destination names a key ClickHouse has').toBeDefined();
  expect(held?.state).toBe('enabled');
  const end = held?.expireAt;
  expect(end === null || end === undefined || new Date(end).getTime() > w.clock.now().getTime()).toBe(true);
  // 3. Nothing outlives the approval.
  for (const key of keys) {
    expect(key.expireAt).not.toBeNull();
    expect(new Date(key.expireAt ?? 0).getTime()).toBeLessThanOrEqual(approvalEnd.getTime());
  }
}

/** The emulated key the destination names: the Key ID written ends with the key's suffix. */
function heldKey(w: World, destination: MemoryDestination) {
  const written = destination.current?.keyId;
  return written ? w.emulator.keys().find((k) => written.endsWith(k.keySuffix)) : undefined;
}

describe('machine keys in a destination, rotated on schedule, through crashes and two replicas', () => {
  for (const backend of worldBackends()) {
    it(`keep one successor, a working key in the destination, and the approval's end (${backend.name})`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 30 }), async (ops) => {
          await world?.close();
          const destination = new MemoryDestination();
          world = await World.start({
            instances: 2,
            policy: machinePolicy(),
            destination,
            ...(backend.postgres ? { postgres: backend.postgres } : {}),
          });
          const w = world;
          destination.onCrash = (instance) => {
            w.crash(instance);
          };
          const first = w.instance(0).workflow;
          const submitted = await first.submit(OWNER, {
            keyName: KEY_NAME,
            roleId: 'terraform',
            expiry: '36h',
            reason: 'terraform for the warehouse',
            ipAccessList: '',
            destinationId: 'box',
          });
          if (!submitted.ok) throw new Error(JSON.stringify(submitted.errors));
          await first.announce(submitted.request.id);
          const delivered = await w.store.getRequest(submitted.request.id);
          expect(delivered?.state).toBe('delivered');
          const start = w.clock.now().getTime();
          const approvalEnd = new Date(start + 1.5 * DAY_MS);
          await check(w, destination, approvalEnd);

          for (const op of ops) {
            switch (op.op) {
              case 'advance': {
                w.clock.advance(op.minutes * MINUTE);
                const instance = w.instance(op.instance);
                await step(destination, () => instance.scheduler.tick());
                break;
              }
              case 'sweep': {
                const instance = w.instance(op.instance);
                await step(destination, () => instance.workflow.sweep());
                break;
              }
              case 'fail':
                destination.failWrites = op.writes;
                break;
              case 'crashOnWrite':
                destination.crashOnWrite = op.when;
                break;
              case 'crash':
                w.crash(op.instance);
                break;
            }
            await check(w, destination, approvalEnd);
          }

          // The faults end; time passes the leases; sweeps and ticks settle everything.
          destination.failWrites = 0;
          destination.crashOnWrite = null;
          for (let i = 0; i < 4; i++) {
            w.clock.advance(11 * MINUTE);
            await w.instance(0).workflow.sweep();
            await w.instance(0).scheduler.tick();
          }
          await check(w, destination, approvalEnd);
          // Past the first key's due time (a day less the hour's lead), its successor was written.
          if (w.clock.now().getTime() - start > DAY_MS - 60 * MINUTE + 30 * MINUTE) {
            expect(destination.writes.length).toBeGreaterThanOrEqual(2);
          }
          const { keyId, secret } = destination.current ?? { keyId: '', secret: '' };
          const client = new ClickHouseCloudClient({
            baseUrl: w.emulator.url,
            keyId,
            keySecret: new Secret(secret),
            retry: { maxAttempts: 1 },
          });
          await expect(client.listOrganizations()).resolves.toBeDefined();
        }),
        { numRuns: RUNS, endOnFailure: true },
      );
    }, 600_000);
  }
});
