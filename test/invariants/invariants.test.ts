/**
 * Keyhouse's promises as invariants (issue 9; product.md §2–§3): random interleavings of submit,
 * approve, deny, Create key clicks (the requester's and others'), sweeps on any instance, crashes of
 * an instance at any point (its calls hang from then on, as in a dead process), the database
 * failing for a while, ClickHouse answering 429/500 or creating-then-failing, Slack refusing the
 * reveal, and time jumping past leases, run by two or three workflow instances on ONE store. After
 * every step, and at the end once the faults are over and the sweeps have run:
 *
 * 1. at most one key per request is usable: alive in ClickHouse with its secret shown to someone;
 * 2. every key Keyhouse created belongs to a delivered request whose secret reached its requester
 *    exactly once, or it is deleted by the sweep after the faults end;
 * 3. no key was created without the approvals its role needs, and never for someone else's click;
 * 4. every ClickHouse write (create, delete) has its audit event.
 *
 * `KEYHOUSE_INVARIANT_RUNS` raises the number of runs (the default keeps the suite near a minute).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { requirement } from '../support/requirements.js';
import { World } from '../support/world.js';

const postgres = requirement(process.env.TEST_DATABASE_URL, 'TEST_DATABASE_URL is not set');
const RUNS = Number(process.env.KEYHOUSE_INVARIANT_RUNS ?? 25);
const LEASE_MS = 30_000;

const REQUESTERS = ['U0ALICE', 'U0EVE'] as const;
const APPROVERS = ['U0BOB', 'U0CAROL', 'U0DAVE'] as const;
/** Policy roles of the test policy with their approvals: 1, 2 and 0. */
const ROLES = [
  { id: 'developer', approvals: 1 },
  { id: 'admin', approvals: 2 },
  { id: 'query-endpoints', approvals: 0 },
] as const;

interface Real {
  world: World;
  /** Requests submitted, in order, with the key name each asked for. */
  requests: { id: string; keyName: string; requester: string }[];
  /** Work started and not awaited (clicks), so later steps interleave with it. */
  inFlight: Promise<unknown>[];
  names: number;
}

type Model = Record<string, never>;

const pick = <T>(list: readonly T[], n: number): T | undefined =>
  list.length === 0 ? undefined : list[n % list.length];

/** Swallows what a step may legitimately throw (refusals, an unreachable store): only invariants matter. */
const quietly = (work: Promise<unknown>) => work.catch(() => undefined);

class Submit implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly instance: number,
    readonly requester: number,
    readonly role: number,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const workflow = r.world.instance(this.instance % r.world.instances.length).workflow;
    const keyName = `inv-${++r.names}`;
    const requester = pick(REQUESTERS, this.requester)!;
    const outcome = await workflow
      .submit(requester, {
        keyName,
        roleId: pick(ROLES, this.role)!.id,
        expiry: '1d',
        reason: 'Invariant suite request',
        ipAccessList: '',
      })
      .catch(() => null);
    if (outcome?.ok) r.requests.push({ id: outcome.request.id, keyName, requester });
    await checkInvariants(r);
  }
  toString = () =>
    `submit(i${this.instance}, ${pick(REQUESTERS, this.requester)}, ${pick(ROLES, this.role)?.id})`;
}

class Approve implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly instance: number,
    readonly approver: number,
    readonly request: number,
    readonly deny: boolean,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const target = pick(r.requests, this.request);
    if (target) {
      const workflow = r.world.instance(this.instance % r.world.instances.length).workflow;
      const user = pick(APPROVERS, this.approver)!;
      await quietly(this.deny ? workflow.deny(target.id, user, null) : workflow.approve(target.id, user));
    }
    await checkInvariants(r);
  }
  toString = () =>
    `${this.deny ? 'deny' : 'approve'}(i${this.instance}, ${pick(APPROVERS, this.approver)}, #${this.request})`;
}

class Click implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly instance: number,
    readonly request: number,
    readonly asSomeoneElse: boolean,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const target = pick(r.requests, this.request);
    if (target) {
      const workflow = r.world.instance(this.instance % r.world.instances.length).workflow;
      const userId = this.asSomeoneElse ? 'U0MALLORY' : target.requester;
      // Not awaited: the click runs on while the next steps happen.
      r.inFlight.push(quietly(workflow.claim(target.id, { userId, responseUrl: null, channelId: 'D0DM' })));
    }
    await checkInvariants(r);
  }
  toString = () => `click(i${this.instance}, #${this.request}${this.asSomeoneElse ? ', someone else' : ''})`;
}

class Sweep implements fc.AsyncCommand<Model, Real> {
  constructor(readonly instance: number) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    await quietly(r.world.instance(this.instance % r.world.instances.length).workflow.sweep());
    await checkInvariants(r);
  }
  toString = () => `sweep(i${this.instance})`;
}

class Crash implements fc.AsyncCommand<Model, Real> {
  constructor(readonly instance: number) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    r.world.crash(this.instance % r.world.instances.length);
    await checkInvariants(r);
  }
  toString = () => `crash(i${this.instance})`;
}

class Database implements fc.AsyncCommand<Model, Real> {
  constructor(readonly down: boolean) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    r.world.flaky.down = this.down;
    await checkInvariants(r);
  }
  toString = () => `database(${this.down ? 'down' : 'up'})`;
}

type FaultKind =
  | '429'
  | '500'
  | 'create-then-500'
  | 'create-then-drop'
  | 'create-no-secret'
  | 'delete-500'
  | 'reveal-fails';

class Fault implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly kind: FaultKind,
    readonly instance: number,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const ch = r.world.emulator;
    switch (this.kind) {
      case '429':
        ch.failNext('createKey', 1, 429);
        break;
      case '500':
        ch.failNext('createKey', 1, 500);
        break;
      case 'create-then-500':
        ch.createThenFail(1, 'status500');
        break;
      case 'create-then-drop':
        ch.createThenFail(1, 'drop');
        break;
      case 'create-no-secret':
        ch.createThenFail(1, 'no-secret');
        break;
      case 'delete-500':
        ch.failNext('deleteKey', 1, 500);
        break;
      case 'reveal-fails':
        r.world.instance(this.instance % r.world.instances.length).notifier.failReveals += 1;
        break;
    }
    await checkInvariants(r);
  }
  toString = () => `fault(${this.kind})`;
}

class Time implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly jumpMs: number,
    readonly waitMs: number,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    r.world.clock.advance(this.jumpMs);
    // Real time too, so work in flight moves on between steps.
    await new Promise((resolve) => setTimeout(resolve, this.waitMs));
    await checkInvariants(r);
  }
  toString = () => `time(+${this.jumpMs} ms, wait ${this.waitMs} ms)`;
}

const instanceArb = fc.nat(2);
const submit = fc.tuple(instanceArb, fc.nat(1), fc.nat(2)).map(([i, u, role]) => new Submit(i, u, role));
const approve = fc
  .tuple(instanceArb, fc.nat(2), fc.nat(5), fc.boolean())
  .map(([i, a, q, d]) => new Approve(i, a, q, d && a === 2));
const click = fc
  .tuple(instanceArb, fc.nat(5), fc.boolean())
  .map(([i, q, other]) => new Click(i, q, other && q % 4 === 0));
// fc.commands picks uniformly: the flow's own steps are listed more than once, so runs get far.
const commands = [
  submit,
  approve,
  approve,
  click,
  click,
  click,
  instanceArb.map((i) => new Sweep(i)),
  instanceArb.map((i) => new Sweep(i)),
  instanceArb.map((i) => new Crash(i)),
  fc.boolean().map((down) => new Database(down)),
  fc
    .tuple(
      fc.constantFrom<FaultKind>(
        '429',
        '500',
        'create-then-500',
        'create-then-drop',
        'create-no-secret',
        'delete-500',
        'reveal-fails',
      ),
      instanceArb,
    )
    .map(([kind, i]) => new Fault(kind, i)),
  fc
    .tuple(fc.constantFrom(0, 1_000, LEASE_MS + 1_000, 2 * LEASE_MS), fc.constantFrom(0, 2, 10, 30))
    .map(([jump, wait]) => new Time(jump, wait)),
];

/** Keys whose secret someone was shown, by request. */
function revealedByRequest(r: Real): Map<string, Set<string>> {
  const byRequest = new Map<string, Set<string>>();
  for (const reveal of r.world.reveals) {
    const keys = byRequest.get(reveal.requestId) ?? new Set<string>();
    keys.add(reveal.keyId);
    byRequest.set(reveal.requestId, keys);
  }
  return byRequest;
}

/** What must hold at every moment. */
async function checkInvariants(r: Real): Promise<void> {
  const alive = new Set(r.world.emulator.keys().map((k) => k.id));
  // 1. At most one usable key per request.
  for (const [requestId, keys] of revealedByRequest(r)) {
    const usable = [...keys].filter((id) => alive.has(id));
    expect(usable.length, `usable keys of request ${requestId}`).toBeLessThanOrEqual(1);
  }
  // A secret is shown once: no key is revealed twice.
  const shown = r.world.reveals.map((x) => x.keyId);
  expect(new Set(shown).size, 'a key revealed twice').toBe(shown.length);
  // 3. Only the requester sees a key, and only for a request approved as its role needs.
  for (const reveal of r.world.reveals) {
    const request = r.requests.find((q) => q.id === reveal.requestId);
    expect(reveal.userId).toBe(request?.requester);
    const stored = await r.world.store.getRequest(reveal.requestId);
    const needed = ROLES.find((role) => role.id === stored?.roleId)?.approvals ?? Number.POSITIVE_INFINITY;
    const approvals = (await r.world.store.listDecisions(reveal.requestId)).filter(
      (d) => d.decision === 'approve' && d.userId !== request?.requester,
    );
    expect(
      new Set(approvals.map((d) => d.userId)).size,
      'approvals behind a created key',
    ).toBeGreaterThanOrEqual(needed);
  }
}

/** Ends the faults, waits for work in flight, lets leases run out and sweeps everywhere, then checks. */
async function settleAndCheck(r: Real): Promise<void> {
  const { world } = r;
  world.flaky.down = false;
  world.emulator.setLatency(0);
  for (const instance of world.instances) instance.notifier.failReveals = 0;
  // Clicks in flight on live instances finish (a dead one's never do, as in a real crash).
  await Promise.race([Promise.all(r.inFlight), new Promise((resolve) => setTimeout(resolve, 5_000))]);
  world.clock.advance(2 * LEASE_MS);
  for (let round = 0; round < 2; round++) {
    for (const instance of world.instances) await quietly(instance.workflow.sweep());
  }
  await checkInvariants(r);

  const alive = world.emulator.keys().filter((k) => r.requests.some((q) => q.keyName === k.name));
  // 2. Every key left belongs to a delivered request and was shown exactly once, to its requester.
  for (const key of alive) {
    const request = r.requests.find((q) => q.keyName === key.name)!;
    const stored = await world.store.getRequest(request.id);
    expect(stored?.state, `request of live key ${key.name}`).toBe('delivered');
    expect(stored?.keyId).toBe(key.id);
    expect(world.reveals.filter((x) => x.keyId === key.id)).toHaveLength(1);
  }
  // ...and no request is stuck half-way once the faults are over.
  for (const request of r.requests) {
    const stored = await world.store.getRequest(request.id);
    expect(stored?.state, `request ${request.keyName}`).not.toBe('creating');
  }
  // 4. Every write ClickHouse carried out has its audit event, except where a replica died with
  // events it had journaled while the database was down (the journal is in memory: a compensating
  // delete must not wait for the database, and a process that dies takes its memory with it).
  if (world.journalLost) return;
  const audit = await world.store.listAudit({ limit: 100_000 });
  for (const write of world.emulator.requests) {
    if (write.method === 'POST' && write.status === 200) {
      const name = (write.body as { name?: string }).name;
      const request = r.requests.find((q) => q.keyName === name);
      expect(
        audit.some(
          (e) => e.action === 'key.create' && e.outcome === 'attempt' && e.requestId === request?.id,
        ),
        `audit of the create of ${name}`,
      ).toBe(true);
    }
    if (write.method === 'DELETE' && write.status === 200) {
      const keyId = write.path.split('/').at(-1);
      expect(
        audit.some((e) => e.action === 'key.delete' && e.outcome === 'attempt' && e.keyId === keyId),
        `audit of the delete of ${keyId}`,
      ).toBe(true);
    }
  }
}

const backends = [{ name: 'SQLite file', url: undefined as string | undefined, runs: RUNS }];
if (postgres) backends.push({ name: 'PostgreSQL', url: postgres, runs: Math.max(5, Math.round(RUNS / 3)) });

/** The property, so a counterexample can be replayed by its seed and path. */
function property(url: string | undefined, state: { world?: World }) {
  return fc.asyncProperty(
    fc.integer({ min: 2, max: 3 }),
    fc.array(submit, { minLength: 2, maxLength: 4 }),
    fc.commands(commands, { maxCommands: 40, size: '+1' }),
    async (n, opening, cmds) => {
      await state.world?.close();
      state.world = await World.start({ postgres: url, instances: n, attemptLeaseMs: LEASE_MS });
      const real: Real = { world: state.world, requests: [], inFlight: [], names: 0 };
      for (const step of opening) await step.run({}, real);
      await fc.asyncModelRun(() => ({ model: {}, real }), cmds);
      await settleAndCheck(real);
    },
  );
}

describe('the counterexample this suite found on the code before issue 9 was fixed', () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  // Found at commit 1d412eb (300 runs, seed -441551629, path 19), before attempts held leases of
  // their own and the compare-and-set that records a created key was checked: it ended with two
  // usable keys for one request. Kept as the sequence fast-check printed, replayed as it is.
  it('two usable keys for one approval, no longer', async () => {
    world = await World.start({ instances: 3, attemptLeaseMs: LEASE_MS });
    const real: Real = { world, requests: [], inFlight: [], names: 0 };
    const [alice, carol, bob, dave] = [0, 1, 0, 2];
    const steps: fc.AsyncCommand<Model, Real>[] = [
      new Submit(0, alice, 2),
      new Submit(2, alice, 2),
      new Submit(2, alice, 1),
      new Click(1, 4, false),
      new Approve(1, carol, 1, false),
      new Approve(2, carol, 4, false),
      new Time(60_000, 2),
      new Approve(1, bob, 0, false),
      new Database(true),
      new Click(1, 0, true),
      new Time(1_000, 0),
      new Database(false),
      new Sweep(0),
      new Approve(2, bob, 1, false),
      new Approve(1, dave, 5, true),
      new Sweep(0),
      new Crash(0),
      new Click(1, 0, false),
      new Click(1, 1, false),
      new Sweep(2),
    ];
    for (const step of steps) await step.run({}, real);
    await settleAndCheck(real);
  }, 120_000);
});

describe.each(backends)('invariants on a $name shared by replicas', ({ url, runs }) => {
  it('hold under random interleavings, crashes, a failing database and ClickHouse faults', async () => {
    const state: { world?: World } = {};
    try {
      await fc.assert(property(url, state), { numRuns: runs, endOnFailure: true });
    } finally {
      await state.world?.close();
    }
  }, 300_000);
});
