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
 * The timers of product.md §8 run in the same worlds (each instance ticks its own scheduler, with
 * every lifecycle rule and the rotation's retirement), beside rotations by owners and admins,
 * users deactivated in Slack, and time jumps of hours and days:
 *
 * 5. each timed message (expiry warning per threshold, expired notice, expired-key deletion, stale
 *    offer, approval reminder and escalation, retirement notice, offboarding report, the audit
 *    chain's daily head) is sent at most once, and never before it is due;
 * 6. a rotation's old key is disabled no earlier than the end of its overlap and deleted no earlier
 *    than seven days after; an owner's rotation within the role needs no approval, anyone else's
 *    does; an old key has at most one delivered successor;
 * 7. once the overlap is over and the timers have run, no old key is still enabled;
 * 8. once a deactivated user's offboarding has run, none of the keys they own is enabled (policy
 *    `disable`), whatever was in flight when it started, even if a replica died in the middle.
 *
 * The one gate (issue 19) adds chains of rotations (keeping the old end or asking for a later one),
 * extends, reassignments, reactivations, pasted secrets, enables and leak-mark lifts:
 *
 * 9.  no key lives past the expiry its approvals allowed, through any chain of rotations;
 * 10. no requester holds more than `keysPerUser` usable keys (retiring ones counted);
 * 11. a key marked leaked is never enabled, except after an admin's audited lift;
 * 12. offboarding never touches a key whose current owner is active (reactivated, or a reassignment);
 * 13. no one's urgent work (a Create key) waits more than one turn behind another user's;
 * 14. every message the tripwire answers gets at most one thread reply and one security notice.
 *
 * Leaks found outside Slack (issue 23) add floods of GitHub alerts and scanners' reports of pasted
 * secrets, each on its own budget owner (`github`, `leak-report`), to 11 and 13, and:
 *
 * 15. every alert or report (the same fingerprints, however often delivered) gets at most one
 *     security notice.
 *
 * Keys scoped to services (issue 25) add requests for a services role, and:
 *
 * 16. no custom role is deleted while a key holds it;
 * 17. a day past the faults, every custom role Keyhouse made is held by a key (none left behind).
 *
 * On call and break glass (issue 24, product.md §15) add on-call submissions while the rota
 * changes, break glass and its reviews (Keep or Revoke, by any approver or the requester):
 *
 * 18. a key made without an approver was on call (the requester in the on-call group when they
 *     submitted) or broke glass, and lives no longer than that path's `maxExpiry`;
 * 19. a break-glass key is reviewed or deleted: a revoked one is never usable, one nobody kept is
 *     never usable past its review deadline; and nobody has two break glasses awaiting review.
 *
 * Keys no person sees (issue 22, product.md §12) add machine keys: requests for a role with
 * `destinations` and `rotateEvery`, delivered at the last approval into the fake GitHub (which opens
 * every sealed box) and the fake Vault on loopback through the real writer and clients; Try again;
 * Rotate from the menu; time passing through the schedule's ticks; the destinations' own failures
 * (5xx, 401/403, slow answers, a GitHub pair half-written, a Vault write that landed behind a 500);
 * and a replica dying just before or just after its write:
 *
 * 20. no key has more than one delivered successor (from the menu or the schedule);
 * 21. after a tick that ran and left nothing failed or deferred (and once settled), every machine
 *     key's place whose approval runs holds a pair ClickHouse takes: the key alive and enabled,
 *     the secret the one it issued;
 * 22. the key a place names, while ClickHouse has it, is one Keyhouse recorded for a request to
 *     that destination; once settled, no place names a key ClickHouse no longer has;
 * 23. no key of a machine chain ends past its approval's end (the first key's end);
 * 24. no machine secret went towards Slack (any notifier's arguments), into a log line or into the
 *     store, and none was shown to a person.
 *
 * `KEYHOUSE_INVARIANT_RUNS` raises the number of runs (the default keeps the suite near a minute).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ACCESS_RULE } from '../../src/core/access.js';
import { runAs } from '../../src/core/budget.js';
import { fingerprint } from '../../src/core/fingerprint.js';
import { KEEP } from '../../src/core/ports.js';
import type { OutsideSite } from '../../src/core/watch-ports.js';
import { DAY_MS, HOUR_MS, type PolicyDocument } from '../../src/policy/index.js';
import { SCHEDULED_ROTATION_RULE } from '../../src/timers/scheduled-rotation.js';
import { ABANDONED_AFTER_MS } from '../../src/timers/scheduler.js';
import { RETIRED_KEEP_MS } from '../../src/workflow/rotate.js';
import { scheduledRequestId } from '../../src/workflow/schedule.js';
import { testPolicy } from '../support/keyhouse.js';
import { FAKE_PLACES, type Instance, type TimedMessage, World, worldBackends } from '../support/world.js';

const RUNS = Number(process.env.KEYHOUSE_INVARIANT_RUNS ?? 25);
const LEASE_MS = 30_000;
/** `KEYHOUSE_INVARIANT_REPLAY=<seed>:<path>` replays a counterexample fast-check printed. */
const replay = (() => {
  const [seed, path] = (process.env.KEYHOUSE_INVARIANT_REPLAY ?? '').split(':');
  return seed && path ? { seed: Number(seed), path } : {};
})();

const REQUESTERS = ['U0ALICE', 'U0EVE'] as const;
const ADMIN = 'U0ADMIN';
const APPROVERS = ['U0BOB', 'U0CAROL', 'U0DAVE'] as const;
/** Policy roles of the test policy with their approvals: 1, 2 and 0. */
const ROLES = [
  { id: 'developer', approvals: 1 },
  { id: 'admin', approvals: 2 },
  { id: 'query-endpoints', approvals: 0 },
  // Scoped to services (issue 25): a custom role found or made per set, cleaned up a day unused.
  { id: 'services', approvals: 1 },
] as const;
/** The services the `services` role offers, seeded in each world; requests pick one or both. */
const SERVICE_NAMES = ['inv-a', 'inv-b'] as const;

/** Timers on a scale the time jumps reach: hours and days (product.md §8). */
const LIFECYCLE = {
  expiryWarnings: ['12h', '1h'],
  deleteExpiredAfter: '2d',
  staleAfter: '3d',
  rotationOverlap: '1h',
  offboarding: 'disable',
} as const;
const WARNINGS_MS = [12 * HOUR_MS, HOUR_MS];
const DELETE_EXPIRED_AFTER_MS = 2 * DAY_MS;
const STALE_AFTER_MS = 3 * DAY_MS;
const OVERLAP_MS = HOUR_MS;
const REMIND_AFTER_MS = 4 * HOUR_MS;
const ESCALATE_AFTER_MS = 12 * HOUR_MS;
/** Small enough that runs reach it: a requester's keys, retiring ones counted. */
const KEYS_PER_USER = 3;

/** 18–19. The developer role approves its on-call group at once; the admin role may break glass. */
const ON_CALL = 'S0ONCALL';
const ON_CALL_MAX_MS = 12 * HOUR_MS;
const BREAK_GLASS_MAX_MS = 4 * HOUR_MS;

/**
 * 20–24. Machine keys (issue 22, product.md §12): a role whose keys go to the fake GitHub (one
 * environment: one place, so one machine request per run goes there, as a team would set it up) or
 * to the fake Vault (a path per key name), rotated every day with the suite's one-hour overlap.
 */
const MACHINE_ROLE = 'machine';
const MACHINE_DESTINATIONS = [
  {
    id: 'ci',
    type: 'github-actions',
    repository: FAKE_PLACES.repository,
    environment: FAKE_PLACES.environment,
    names: { keyId: 'CLICKHOUSE_KEY_ID', keySecret: 'CLICKHOUSE_KEY_SECRET' },
  },
  { id: 'vault', type: 'vault-kv', mount: FAKE_PLACES.mount, path: FAKE_PLACES.path },
] as const;
const MACHINE_EXPIRIES = ['3d', '7d'] as const;

function invariantPolicy(): PolicyDocument {
  return testPolicy({
    roles: [
      {
        id: 'developer',
        label: 'Developer (read-only)',
        grant: { roles: ['developer'] },
        maxExpiry: '90d',
        approvals: 1,
        autoApprove: { whenIn: [ON_CALL], maxExpiry: '12h' },
      },
      {
        id: 'admin',
        label: 'Admin',
        grant: { roles: ['admin'] },
        maxExpiry: '7d',
        approvals: 2,
        breakGlass: { maxExpiry: '4h', reviewWithin: '1d' },
      },
      {
        id: 'query-endpoints',
        label: 'Query endpoints',
        grant: { roles: ['query_endpoints'] },
        maxExpiry: '365d',
        approvals: 0,
      },
      {
        id: 'services',
        label: 'Some services',
        grant: { services: ['inv-*'], access: 'read' },
        maxExpiry: '90d',
        approvals: 1,
      },
      {
        id: MACHINE_ROLE,
        label: 'Machine',
        grant: { roles: ['developer'] },
        maxExpiry: '7d',
        approvals: 1,
        destinations: MACHINE_DESTINATIONS.map((d) => d.id),
        rotateEvery: '1d',
      },
    ],
    destinations: MACHINE_DESTINATIONS,
    lifecycle: LIFECYCLE,
    approvalReminders: { remindAfter: '4h', escalateAfter: '12h' },
    limits: { pendingPerUser: 4, keysPerUser: KEYS_PER_USER },
  });
}

interface Requested {
  id: string;
  keyName: string;
  requester: string;
  /** A rotation: the old key, and whether its owner asked (no approval needed within the role). */
  rotation?: { keyId: string; byOwner: boolean };
  /** An Extend of the key: a change request, approved like a new key. */
  extend?: { keyId: string };
  /** 16. Submitted while the requester was in the on-call group (as the suite set the rota). */
  onCall?: boolean;
  /** 17. Submitted as a break glass. */
  breakGlass?: boolean;
}

interface Real {
  world: World;
  /** Requests submitted (and rotations), in order, with the key name each asked for. */
  requests: Requested[];
  /** Work started and not awaited (clicks), so later steps interleave with it. */
  inFlight: { instance: Instance; work: Promise<unknown> }[];
  names: number;
  /** Post each request's approval message after submitting it (off only to replay the counterexample as found). */
  announce: boolean;
  /** 9. The end each key's approvals allow (ms; null: never), computed by the suite, not read from Keyhouse. */
  bounds?: Map<string, number | null>;
  /** Messages pasted so far (their ts must differ). */
  pastes?: number;
  /** 5. Times each user was offboarded while active: a reactivation ends one, a later deletion starts another. */
  offboardings?: Map<string, number>;
  /** 20–24. Machine requests (for a destination) and the rotations asked from the menu of their keys. */
  machines?: MachineRequest[];
  /** 24. Every machine secret seen in a destination so far (test memory only). */
  machineSecrets?: Set<string>;
}

interface MachineRequest {
  id: string;
  /** The chain's name: every successor keeps it (and a Vault path holds it). */
  keyName: string;
  requester: string;
  destinationId: (typeof MACHINE_DESTINATIONS)[number]['id'];
  expiry: (typeof MACHINE_EXPIRIES)[number];
  /** A rotation from the key menu: the key it replaces. */
  rotation?: { keyId: string };
  /** 23. The approval's end (ms), from the first key delivered for it, worked out by the suite. */
  end?: number;
}

type Model = Record<string, never>;

const pick = <T>(list: readonly T[], n: number): T | undefined =>
  list.length === 0 ? undefined : list[n % list.length];

/** Swallows what a step may legitimately throw (refusals, an unreachable store): only invariants matter. */
const quietly = (work: Promise<unknown>) => work.catch(() => undefined);

/**
 * Awaits work on a replica that may die in it (a crash armed for its next destination write):
 * a dead replica's call never returns, so the step ends when it does or when the replica dies.
 */
const unlessItDies = (instance: Instance, work: () => Promise<unknown>) =>
  Promise.race([quietly(work()), instance.alive.died]);

/** The replica a command's instance number picks (commands are generated before the world's size is known). */
const replica = (r: Real, n: number) => r.world.instance(n % r.world.instances.length);

/** A Create key click by `userId` in their DM. */
const clickBy = (userId: string) => ({ userId, responseUrl: null, channelId: 'D0DM' });

/** How Submit and Deliver name the request they make. */
const describeRequest = (instance: number, requester: number, role: number, longLived: boolean) =>
  `i${instance}, ${pick(REQUESTERS, requester)}, ${pick(ROLES, role)?.id}${longLived ? ', 7d' : ''}`;

class Submit implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly instance: number,
    readonly requester: number,
    readonly role: number,
    /** A 7-day key (stale before it expires) rather than a 1-day one. */
    readonly longLived = false,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const workflow = replica(r, this.instance).workflow;
    const keyName = `inv-${++r.names}`;
    const requester = pick(REQUESTERS, this.requester)!;
    // A deactivated user can no longer open Slack.
    if (r.world.deactivated.has(requester)) return checkInvariants(r);
    const roleId = pick(ROLES, this.role)!.id;
    const outcome = await workflow
      .submit(requester, {
        keyName,
        roleId,
        expiry: this.longLived ? '7d' : '1d',
        reason: 'Invariant suite request',
        ipAccessList: '',
        // One service or both, so sets repeat (one role made, then found) and differ.
        ...(roleId === 'services' ? { serviceIds: serviceIdsFor(r, this.longLived) } : {}),
      })
      .catch(() => null);
    if (outcome?.ok) {
      r.requests.push({ id: outcome.request.id, keyName, requester });
      // As the Slack side does next: the approval message (what reminders reply under).
      if (r.announce) await quietly(workflow.announce(outcome.request.id));
    }
    await checkInvariants(r);
  }
  toString = () => `submit(${describeRequest(this.instance, this.requester, this.role, this.longLived)})`;
}

/** The ids of the seeded services a `services` request picks: both, or the first. */
function serviceIdsFor(r: Real, both: boolean): string[] {
  const ids = r.world.emulator
    .services()
    .filter((service) => (SERVICE_NAMES as readonly string[]).includes(service.name))
    .map((service) => service.id);
  return both ? ids : ids.slice(0, 1);
}

/** Seeds the services the `services` role offers. */
function seedServices(world: World): void {
  for (const name of SERVICE_NAMES) world.emulator.addService({ name });
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
      const workflow = replica(r, this.instance).workflow;
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
      const instance = replica(r, this.instance);
      const userId = this.asSomeoneElse ? 'U0MALLORY' : target.requester;
      if (r.world.deactivated.has(userId)) return checkInvariants(r);
      // Not awaited: the click runs on while the next steps happen.
      // As Slack's side does: the click's ClickHouse calls count to the person who clicked.
      const work = quietly(runAs(userId, () => instance.workflow.claim(target.id, clickBy(userId))));
      r.inFlight.push({ instance, work });
    }
    await checkInvariants(r);
  }
  toString = () => `click(i${this.instance}, #${this.request}${this.asSomeoneElse ? ', someone else' : ''})`;
}

class Sweep implements fc.AsyncCommand<Model, Real> {
  constructor(readonly instance: number) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    // A sweep delivers a settled machine request again: its replica may die writing.
    const instance = replica(r, this.instance);
    await unlessItDies(instance, () => instance.workflow.sweep());
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
        replica(r, this.instance).notifier.failReveals += 1;
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

/** A request made, approved by as many approvers as its role needs and its key delivered: an opening step. */
class Deliver implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly instance: number,
    readonly requester: number,
    readonly role: number,
    readonly longLived: boolean,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const before = r.requests.length;
    await new Submit(this.instance, this.requester, this.role, this.longLived).run(_m, r);
    const made = r.requests[before];
    if (made) {
      const workflow = replica(r, this.instance).workflow;
      for (const approver of APPROVERS.slice(0, pick(ROLES, this.role)!.approvals)) {
        await quietly(workflow.approve(made.id, approver));
      }
      await quietly(runAs(made.requester, () => workflow.claim(made.id, clickBy(made.requester))));
    }
    await checkInvariants(r);
  }
  toString = () => `deliver(${describeRequest(this.instance, this.requester, this.role, this.longLived)})`;
}

/** The requester of a delivered key rotates it (or an admin does), with a one-hour overlap. */
class Rotate implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly instance: number,
    readonly request: number,
    readonly byAdmin: boolean,
    /** The rotator clicks Create key at once (awaited), as an owner usually does. */
    readonly click: boolean,
    /** Keep the old key's end (no approval for its owner) rather than ask for a day from now. */
    readonly keep = true,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const delivered = [];
    for (const request of r.requests) {
      const stored = await r.world.store.getRequest(request.id);
      if (stored?.state === 'delivered') delivered.push(stored);
    }
    const stored = pick(delivered, this.request);
    const owner = stored?.keyId ? await r.world.store.getKeyOwner(stored.keyId).catch(() => null) : null;
    const rotator = this.byAdmin ? ADMIN : owner?.ownerId;
    if (stored?.keyId && rotator && !r.world.deactivated.has(rotator)) {
      const workflow = replica(r, this.instance).workflow;
      const outcome = await workflow
        .rotate(rotator, stored.keyId, {
          overlap: String(OVERLAP_MS),
          expiry: this.keep ? KEEP : '1d',
          reason: 'Invariant suite rotation',
        })
        .catch(() => null);
      if (outcome?.ok) {
        r.requests.push({
          id: outcome.request.id,
          keyName: outcome.request.keyName,
          requester: rotator,
          rotation: { keyId: stored.keyId, byOwner: rotator === owner?.ownerId },
        });
        await quietly(workflow.announce(outcome.request.id));
        if (this.click) {
          await quietly(runAs(rotator, () => workflow.claim(outcome.request.id, clickBy(rotator))));
        }
      }
    }
    await checkInvariants(r);
  }
  toString = () =>
    `rotate(i${this.instance}, #${this.request}${this.byAdmin ? ', by an admin' : ''}${this.keep ? ', same end' : ', 1d'}${this.click ? ', then Create key' : ''})`;
}

/** A delivered key of the run, as the store has it now (rotations' successors included), by position. */
async function deliveredKey(r: Real, n: number): Promise<{ keyId: string; ownerId: string | null } | null> {
  const keys: { keyId: string; ownerId: string | null }[] = [];
  for (const request of r.requests) {
    const stored = await r.world.store.getRequest(request.id);
    if (stored?.state !== 'delivered' || stored.kind !== 'create' || !stored.keyId) continue;
    const owner = await r.world.store.getKeyOwner(stored.keyId);
    keys.push({ keyId: stored.keyId, ownerId: owner?.ownerId ?? null });
  }
  return pick(keys, n) ?? null;
}

/** The owner extends a delivered key (Edit's longer expiry): a change request, approved like a new key. */
class Extend implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly instance: number,
    readonly key: number,
    readonly week: boolean,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const target = await deliveredKey(r, this.key);
    const owner = target?.ownerId;
    if (target && owner && !r.world.deactivated.has(owner)) {
      const workflow = replica(r, this.instance).workflow;
      const outcome = await workflow
        .extend(owner, target.keyId, { expiry: this.week ? '7d' : '1d', reason: 'Invariant suite extend' })
        .catch(() => null);
      if (outcome?.ok && outcome.changeRequest) {
        const request = outcome.changeRequest;
        r.requests.push({
          id: request.id,
          keyName: request.keyName,
          requester: owner,
          extend: { keyId: target.keyId },
        });
        await quietly(workflow.announce(request.id));
      }
    }
    await checkInvariants(r);
  }
  toString = () => `extend(i${this.instance}, key #${this.key}, ${this.week ? '7d' : '1d'})`;
}

/** An admin gives a delivered key to one of the requesters. */
class Reassign implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly instance: number,
    readonly key: number,
    readonly to: number,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const target = await deliveredKey(r, this.key);
    if (target) {
      const to = pick(REQUESTERS, this.to)!;
      await quietly(replica(r, this.instance).workflow.reassign(ADMIN, target.keyId, to));
    }
    await checkInvariants(r);
  }
  toString = () => `reassign(i${this.instance}, key #${this.key} to ${pick(REQUESTERS, this.to)})`;
}

/** Slack reactivates a user; the `user_change` event reaches one instance, or is lost (the daily check). */
class Reactivate implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly instance: number,
    readonly user: number,
    readonly eventLost: boolean,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const userId = pick(REQUESTERS, this.user)!;
    if (r.world.deactivated.delete(userId) && !this.eventLost) {
      const instance = replica(r, this.instance);
      r.inFlight.push({ instance, work: quietly(instance.lifecycle.reactivate(userId, 'event')) });
    }
    await checkInvariants(r);
  }
  toString = () =>
    `reactivate(i${this.instance}, ${pick(REQUESTERS, this.user)}${this.eventLost ? ', event lost' : ''})`;
}

/** Someone pastes a delivered key's secret in a channel (not awaited): the tripwire acts on it. */
class Paste implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly instance: number,
    readonly key: number,
    readonly twice: boolean,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const target = await deliveredKey(r, this.key);
    const secret = target ? r.world.secrets.get(target.keyId) : undefined;
    if (secret) {
      const instance = replica(r, this.instance);
      const poster = 'U0MALLORY';
      r.pastes = (r.pastes ?? 0) + 1;
      const ts = `1700000000.${String(r.pastes).padStart(6, '0')}`;
      const text = this.twice ? `first ${secret} and again ${secret}` : `here: ${secret}`;
      const site = { channel: 'C0GENERAL', ts, threadTs: null, userId: poster };
      r.inFlight.push({
        instance,
        work: quietly(runAs(poster, () => instance.tripwire.inspect(text, site))),
      });
    }
    await checkInvariants(r);
  }
  toString = () => `paste(i${this.instance}, key #${this.key}${this.twice ? ', twice in one message' : ''})`;
}

/**
 * A flood of leaks found outside Slack (not awaited): `count` deliveries at once of one GitHub alert or
 * one scanner's report naming a delivered key's secret and a secret Keyhouse did not issue, as the
 * doors hand them on after their answer, on their own budget owner.
 */
class OutsideFlood implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly instance: number,
    readonly key: number,
    readonly github: boolean,
    readonly place: number,
    readonly count: number,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const target = await deliveredKey(r, this.key);
    const secret = target ? r.world.secrets.get(target.keyId) : undefined;
    if (secret) {
      const instance = replica(r, this.instance);
      const prints = [fingerprint(secret), fingerprint(`not issued ${this.place} ${this.key}`)];
      // One alert holds one secret, one report the same findings: a place is per key.
      const alertNumber = this.place * 100 + this.key + 1;
      const url = `https://ci.example/${this.place}/${this.key}`;
      const site: OutsideSite = this.github
        ? { kind: 'github', repository: 'acme/infra', alertNumber, alertUrl: null, places: [] }
        : { kind: 'report', source: 'gitleaks', url };
      const owner = this.github ? 'github' : 'leak-report';
      const place = this.github ? `github:acme/infra:${alertNumber}` : `report:gitleaks\n${url}`;
      for (let i = 0; i < this.count; i++) {
        r.inFlight.push({
          instance,
          work: quietly(runAs(owner, () => instance.outside.handle(prints, site, place))),
        });
      }
    }
    await checkInvariants(r);
  }
  toString = () =>
    `outside(i${this.instance}, key #${this.key}, ${this.github ? 'github' : 'report'} ${this.place} ×${this.count})`;
}

/** The key's owner (or an admin) clicks Enable. */
class Enable implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly instance: number,
    readonly key: number,
    readonly byAdmin: boolean,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const target = await deliveredKey(r, this.key);
    const actor = this.byAdmin ? ADMIN : target?.ownerId;
    if (target && actor && !r.world.deactivated.has(actor)) {
      await quietly(replica(r, this.instance).workflow.setKeyState(actor, target.keyId, 'enabled'));
    }
    await checkInvariants(r);
  }
  toString = () => `enable(i${this.instance}, key #${this.key}${this.byAdmin ? ', by an admin' : ''})`;
}

/** An admin lifts a key's leak mark, saying why. */
class Lift implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly instance: number,
    readonly key: number,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const target = await deliveredKey(r, this.key);
    if (target) {
      await quietly(
        replica(r, this.instance).workflow.liftLeak(
          ADMIN,
          target.keyId,
          'Invariant suite: the paste was private',
        ),
      );
    }
    await checkInvariants(r);
  }
  toString = () => `lift(i${this.instance}, key #${this.key})`;
}

/** One tick of an instance's timers, not awaited: it runs on while the next steps happen. */
class Tick implements fc.AsyncCommand<Model, Real> {
  constructor(readonly instance: number) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const instance = replica(r, this.instance);
    r.inFlight.push({ instance, work: quietly(instance.scheduler.tick()) });
    await checkInvariants(r);
  }
  toString = () => `tick(i${this.instance})`;
}

/** Slack deactivates a requester; the `user_change` event reaches one instance (not awaited). */
class Offboard implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly instance: number,
    readonly user: number,
    readonly eventLost: boolean,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const userId = pick(REQUESTERS, this.user)!;
    if (!r.world.deactivated.has(userId)) {
      r.offboardings ??= new Map();
      r.offboardings.set(userId, (r.offboardings.get(userId) ?? 0) + 1);
    }
    r.world.deactivated.add(userId);
    // A lost event leaves it to the daily users.info check.
    if (!this.eventLost) {
      const instance = replica(r, this.instance);
      r.inFlight.push({ instance, work: quietly(instance.lifecycle.offboard(userId, 'event')) });
    }
    await checkInvariants(r);
  }
  toString = () =>
    `offboard(i${this.instance}, ${pick(REQUESTERS, this.user)}${this.eventLost ? ', event lost' : ''})`;
}

/** 16. The on-call tool changes the rota; the policy sees it within its 60 s cache, so a minute passes. */
class Rota implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly user: number,
    readonly on: boolean,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const members = r.world.usergroups.get(ON_CALL) ?? new Set<string>();
    const userId = pick(REQUESTERS, this.user)!;
    if (this.on) members.add(userId);
    else members.delete(userId);
    r.world.usergroups.set(ON_CALL, members);
    r.world.clock.advance(61_000);
    await checkInvariants(r);
  }
  toString = () => `rota(${pick(REQUESTERS, this.user)} ${this.on ? 'on' : 'off'} call)`;
}

/** 16–17. A developer key for 12 h (approved at once when on call), or a break glass for admin, then Create key. */
class AtOnce implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly instance: number,
    readonly requester: number,
    readonly breakGlass: boolean,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const workflow = replica(r, this.instance).workflow;
    const requester = pick(REQUESTERS, this.requester)!;
    if (r.world.deactivated.has(requester)) return checkInvariants(r);
    const keyName = `inv-${++r.names}`;
    const onCall = r.world.usergroups.get(ON_CALL)?.has(requester) === true;
    const outcome = await workflow
      .submit(requester, {
        keyName,
        roleId: this.breakGlass ? 'admin' : 'developer',
        expiry: this.breakGlass ? '4h' : '12h',
        reason: 'Invariant suite incident',
        ipAccessList: '',
        breakGlass: this.breakGlass,
      })
      .catch(() => null);
    if (outcome?.ok) {
      r.requests.push({ id: outcome.request.id, keyName, requester, onCall, breakGlass: this.breakGlass });
      if (r.announce) await quietly(workflow.announce(outcome.request.id));
      await quietly(runAs(requester, () => workflow.claim(outcome.request.id, clickBy(requester))));
    }
    await checkInvariants(r);
  }
  toString = () =>
    `${this.breakGlass ? 'breakGlass' : 'onCall'}(i${this.instance}, ${pick(REQUESTERS, this.requester)})`;
}

/** 17. Keep or Revoke on a request (most are no break glass: refused), by an approver or by a requester. */
class Review implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly instance: number,
    readonly request: number,
    readonly byRequester: boolean,
    readonly revoke: boolean,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const target = pick(
      r.requests.filter((q) => q.breakGlass),
      this.request,
    );
    if (target) {
      const instance = replica(r, this.instance);
      const user = this.byRequester ? target.requester : pick(APPROVERS, this.request)!;
      // Not awaited: a revoke runs on beside the next steps (a Create key click, a sweep).
      r.inFlight.push({
        instance,
        work: quietly(instance.workflow.reviewBreakGlass(user, target.id, this.revoke ? 'revoke' : 'keep')),
      });
    }
    await checkInvariants(r);
  }
  toString = () =>
    `${this.revoke ? 'revoke' : 'keep'}(i${this.instance}, #${this.request}${this.byRequester ? ', by its requester' : ''})`;
}

/** 20–24. A requester asks for a machine key delivered to GitHub (once per run) or to Vault. */
class MachineSubmit implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly instance: number,
    readonly requester: number,
    readonly vault: boolean,
    readonly expiry: number,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    await submitMachine(r, this.instance, this.requester, this.vault, this.expiry);
    await checkInvariants(r);
  }
  toString = () =>
    `machine(i${this.instance}, ${pick(REQUESTERS, this.requester)}, ${this.vault ? 'vault' : 'github'}, ${pick(MACHINE_EXPIRIES, this.expiry)})`;
}

async function submitMachine(
  r: Real,
  instance: number,
  requesterIndex: number,
  vault: boolean,
  expiryIndex: number,
): Promise<MachineRequest | null> {
  const requester = pick(REQUESTERS, requesterIndex)!;
  r.machines ??= [];
  const machines = r.machines;
  const destinationId = vault ? 'vault' : 'ci';
  // One GitHub environment is one place: a second chain there would overwrite the first's key.
  if (r.world.deactivated.has(requester)) return null;
  if (!vault && machines.some((m) => m.destinationId === 'ci')) return null;
  const { workflow } = replica(r, instance);
  const keyName = `inv-${++r.names}`;
  const expiry = pick(MACHINE_EXPIRIES, expiryIndex)!;
  const outcome = await workflow
    .submit(requester, {
      keyName,
      roleId: MACHINE_ROLE,
      expiry,
      reason: 'Invariant suite machine key',
      ipAccessList: '',
      destinationId,
    })
    .catch(() => null);
  if (!outcome?.ok) return null;
  const made: MachineRequest = { id: outcome.request.id, keyName, requester, destinationId, expiry };
  machines.push(made);
  await unlessItDies(replica(r, instance), () => workflow.announce(made.id));
  return made;
}

/** An approver approves a machine request (or a rotation of a machine key): the last approval delivers. */
class MachineApprove implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly instance: number,
    readonly approver: number,
    readonly request: number,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const target = pick(r.machines ?? [], this.request);
    if (target) {
      const user = pick(APPROVERS, this.approver)!;
      const instance = replica(r, this.instance);
      await unlessItDies(instance, () => instance.workflow.approve(target.id, user));
    }
    await checkInvariants(r);
  }
  toString = () => `machineApprove(i${this.instance}, ${pick(APPROVERS, this.approver)}, #${this.request})`;
}

/** A machine request, approved and delivered: an opening step. */
class MachineDeliver implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly instance: number,
    readonly requester: number,
    readonly vault: boolean,
    readonly expiry: number,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const made = await submitMachine(r, this.instance, this.requester, this.vault, this.expiry);
    const instance = replica(r, this.instance);
    if (made) await unlessItDies(instance, () => instance.workflow.approve(made.id, APPROVERS[0]));
    await checkInvariants(r);
  }
  toString = () =>
    `machineDeliver(i${this.instance}, ${pick(REQUESTERS, this.requester)}, ${this.vault ? 'vault' : 'github'}, ${pick(MACHINE_EXPIRIES, this.expiry)})`;
}

/** The requester clicks Try again on a machine request a failed write gave back. */
class MachineRetry implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly instance: number,
    readonly request: number,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const target = pick(r.machines ?? [], this.request);
    if (target && !r.world.deactivated.has(target.requester)) {
      const instance = replica(r, this.instance);
      await unlessItDies(instance, () =>
        runAs(target.requester, () => instance.workflow.claim(target.id, clickBy(target.requester))),
      );
    }
    await checkInvariants(r);
  }
  toString = () => `tryAgain(i${this.instance}, machine #${this.request})`;
}

/** Rotate from the menu of a machine key (its owner, or an admin), keeping its end: the successor goes to the same place. */
class MachineRotate implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly instance: number,
    readonly chain: number,
    readonly byAdmin: boolean,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const chains = (r.machines ?? []).filter((m) => !m.rotation);
    const chain = pick(chains, this.chain);
    const key = chain ? await currentMachineKey(r, chain) : null;
    const owner = key ? await r.world.store.getKeyOwner(key.id).catch(() => null) : null;
    const rotator = this.byAdmin ? ADMIN : owner?.ownerId;
    if (chain && key && rotator && !r.world.deactivated.has(rotator)) {
      const instance = replica(r, this.instance);
      const { workflow } = instance;
      const outcome = await workflow
        .rotate(rotator, key.id, {
          overlap: String(OVERLAP_MS),
          expiry: KEEP,
          reason: 'Invariant suite rotation of a machine key',
        })
        .catch(() => null);
      if (outcome?.ok) {
        r.machines?.push({
          id: outcome.request.id,
          keyName: chain.keyName,
          requester: rotator,
          destinationId: chain.destinationId,
          expiry: chain.expiry,
          rotation: { keyId: key.id },
        });
        // Approved at once for its owner: announcing it delivers, and its replica may die writing.
        await unlessItDies(instance, () => workflow.announce(outcome.request.id));
      }
    }
    await checkInvariants(r);
  }
  toString = () =>
    `machineRotate(i${this.instance}, chain #${this.chain}${this.byAdmin ? ', by an admin' : ''})`;
}

/** The newest key of a machine chain that Keyhouse delivered (the store's view), if ClickHouse still has it. */
async function currentMachineKey(r: Real, chain: MachineRequest) {
  const delivered = (await r.world.store.listRequests({ kind: 'create', states: ['delivered'] }))
    .filter((q) => q.keyName === chain.keyName && q.destinationId && q.keyId)
    .sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime());
  const keys = new Map(r.world.emulator.keys().map((k) => [k.id, k]));
  for (const request of delivered.reverse()) {
    const key = keys.get(request.keyId!);
    if (key) return key;
  }
  return null;
}

type DestinationFaultKind =
  | 'github-502'
  | 'github-401'
  | 'github-slow'
  | 'github-half'
  | 'vault-503'
  | 'vault-403'
  | 'vault-slow'
  | 'vault-written-500';

/** A destination misbehaves for its next writes, as the real services do (the fakes' own faults). */
class DestinationFault implements fc.AsyncCommand<Model, Real> {
  constructor(readonly kind: DestinationFaultKind) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const { github, vault } = r.world.destinations!;
    const put = 'actions/create-or-update-environment-secret' as const;
    switch (this.kind) {
      // Twice: the client's one retry of a 5xx meets it too.
      case 'github-502':
        github.failNext(put, 2, { kind: 'status', status: 502 });
        break;
      case 'github-401':
        github.failNext(put, 2, { kind: 'status', status: 401 });
        break;
      case 'github-slow':
        github.failNext(put, 1, { kind: 'slow', ms: 20 });
        break;
      // The key id is written, then the secret's write fails: the pair half-written.
      case 'github-half':
        github.failNextWrite('CLICKHOUSE_KEY_SECRET', 2, { kind: 'status', status: 500 });
        break;
      case 'vault-503':
        vault.failNext('kv-v2-write', 2, 503);
        break;
      case 'vault-403':
        vault.failNext('kv-v2-write', 1, 403, { messages: ['permission denied'] });
        break;
      case 'vault-slow':
        vault.slowNext('kv-v2-write', 1, 20);
        break;
      // Written, then answered 500 (twice, the client's retry too): Vault holds what Keyhouse thinks failed.
      case 'vault-written-500':
        vault.processThenFail('kv-v2-write', 2, 500);
        break;
    }
    await checkInvariants(r);
  }
  toString = () => `destination(${this.kind})`;
}

/** The replica making the next destination write dies: before it is sent, or once it has landed. */
class CrashOnWrite implements fc.AsyncCommand<Model, Real> {
  constructor(readonly when: 'before' | 'after') {}
  check = () => true;
  async run(_m: Model, r: Real) {
    r.world.destinations!.crashOnWrite = this.when;
    await checkInvariants(r);
  }
  toString = () => `crashOnWrite(${this.when})`;
}

/**
 * Time passes to the scheduled rotations: the clock moves, then one replica's sweep and tick run to
 * their end (work in flight on live replicas first finishes, so they are the only writers). 21: after a
 * tick that ran and left nothing failed or deferred, every machine key's place holds a working key.
 * While a crash on write is armed, the tick runs on in flight instead (its replica may die in it).
 */
class Schedule implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly instance: number,
    readonly jumpMs: number,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const { world } = r;
    world.clock.advance(this.jumpMs);
    const instance = replica(r, this.instance);
    if (world.destinations?.crashOnWrite) {
      r.inFlight.push({ instance, work: quietly(instance.scheduler.tick()) });
      return checkInvariants(r);
    }
    await Promise.all(r.inFlight.filter((f) => !f.instance.alive.killed).map((f) => f.work));
    // Time passing is the periodic sweep's too: it settles an attempt a crash cut short (a machine
    // key written but not recorded as delivered) before the tick looks for what is due.
    await quietly(instance.workflow.sweep());
    const tick = await instance.scheduler.tick().catch(() => null);
    await checkInvariants(r);
    if (tick?.ran && tick.failed === 0 && tick.deferred === 0 && !instance.alive.killed) {
      await checkMachinePlacesWork(r);
    }
  }
  toString = () => `schedule(i${this.instance}, +${this.jumpMs / 60_000} min)`;
}

const instanceArb = fc.nat(2);
const rota = fc.tuple(fc.nat(1), fc.boolean()).map(([u, on]) => new Rota(u, on));
const atOnce = fc.tuple(instanceArb, fc.nat(1), fc.boolean()).map(([i, u, glass]) => new AtOnce(i, u, glass));
const review = fc
  .tuple(instanceArb, fc.nat(3), fc.nat(3), fc.boolean())
  .map(([i, q, by, revoke]) => new Review(i, q, by === 0, revoke));
const submit = fc
  .tuple(instanceArb, fc.nat(1), fc.nat(3), fc.boolean())
  .map(([i, u, role, long]) => new Submit(i, u, role, long));
const deliver = fc
  .tuple(instanceArb, fc.nat(1), fc.nat(3), fc.boolean())
  .map(([i, u, role, long]) => new Deliver(i, u, role, long));
const approve = fc
  .tuple(instanceArb, fc.nat(2), fc.nat(5), fc.boolean())
  .map(([i, a, q, d]) => new Approve(i, a, q, d && a === 2));
const click = fc
  .tuple(instanceArb, fc.nat(5), fc.boolean())
  .map(([i, q, other]) => new Click(i, q, other && q % 4 === 0));
const rotate = fc
  .tuple(instanceArb, fc.nat(5), fc.boolean(), fc.boolean(), fc.nat(3))
  .map(([i, q, admin, click, end]) => new Rotate(i, q, admin && q % 2 === 0, click, end > 0));
const keyArb = fc.nat(7);
const extend = fc.tuple(instanceArb, keyArb, fc.boolean()).map(([i, k, week]) => new Extend(i, k, week));
const reassign = fc.tuple(instanceArb, keyArb, fc.nat(1)).map(([i, k, to]) => new Reassign(i, k, to));
const reactivate = fc
  .tuple(instanceArb, fc.nat(1), fc.nat(2))
  .map(([i, u, lost]) => new Reactivate(i, u, lost === 0));
const paste = fc.tuple(instanceArb, keyArb, fc.nat(3)).map(([i, k, twice]) => new Paste(i, k, twice === 0));
const enable = fc.tuple(instanceArb, keyArb, fc.boolean()).map(([i, k, admin]) => new Enable(i, k, admin));
const outside = fc
  .tuple(instanceArb, keyArb, fc.boolean(), fc.nat(2), fc.constantFrom(1, 5, 20))
  .map(([i, k, github, place, count]) => new OutsideFlood(i, k, github, place, count));
const lift = fc.tuple(instanceArb, keyArb).map(([i, k]) => new Lift(i, k));
const tick = instanceArb.map((i) => new Tick(i));
const longTime = fc
  .tuple(fc.constantFrom(HOUR_MS + 1_000, 13 * HOUR_MS, DAY_MS, 8 * DAY_MS), fc.constantFrom(0, 10))
  .map(([jump, wait]) => new Time(jump, wait));
const offboard = fc
  .tuple(instanceArb, fc.nat(1), fc.nat(3))
  .map(([i, u, lost]) => new Offboard(i, u, lost === 0));
const machineSubmit = fc
  .tuple(instanceArb, fc.nat(1), fc.nat(3), fc.nat(1))
  .map(([i, u, where, expiry]) => new MachineSubmit(i, u, where > 0, expiry));
const machineDeliver = fc
  .tuple(instanceArb, fc.nat(1), fc.nat(3), fc.nat(1))
  .map(([i, u, where, expiry]) => new MachineDeliver(i, u, where > 0, expiry));
const machineApprove = fc
  .tuple(instanceArb, fc.nat(2), fc.nat(5))
  .map(([i, a, q]) => new MachineApprove(i, a, q));
const machineRetry = fc.tuple(instanceArb, fc.nat(5)).map(([i, q]) => new MachineRetry(i, q));
const machineRotate = fc
  .tuple(instanceArb, fc.nat(3), fc.nat(2))
  .map(([i, c, admin]) => new MachineRotate(i, c, admin === 0));
const destinationFault = fc
  .constantFrom<DestinationFaultKind>(
    'github-502',
    'github-401',
    'github-slow',
    'github-half',
    'vault-503',
    'vault-403',
    'vault-slow',
    'vault-written-500',
  )
  .map((kind) => new DestinationFault(kind));
const crashOnWrite = fc
  .constantFrom('before' as const, 'after' as const)
  .map((when) => new CrashOnWrite(when));
/** Time to and past the schedule: rotations are due 23 h after delivery (a day, less the hour's lead). */
const schedule = fc
  .tuple(instanceArb, fc.constantFrom(20 * 60_000, 2 * HOUR_MS, 6 * HOUR_MS, 12 * HOUR_MS))
  .map(([i, jump]) => new Schedule(i, jump));
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
  rotate,
  rotate,
  tick,
  // The gate's paths (issue 19): each a joint where one path could forget another's rule.
  fc.oneof(extend, reassign, paste, enable, fc.oneof(lift, reactivate)),
  // Leaks found outside Slack (issue 23): floods of alerts and reports on their own budget owners.
  outside,
  // On call and break glass (issue 24): requests approved at once (twice: a second break glass
  // must meet the first one's open review), the rota, reviews.
  atOnce,
  atOnce,
  fc.oneof(rota, review),
  // Rarer, or they would end most runs early: long time jumps (past an overlap, to a warning, past
  // an expiry, past a retired key's week) and deactivations.
  fc.oneof(
    { weight: 1, arbitrary: longTime },
    { weight: 1, arbitrary: offboard },
    { weight: 2, arbitrary: tick },
  ),
  // Machine keys (issue 22): requests for a destination, their approvals (the last one delivers),
  // Try again, Rotate from the menu, the schedule's time and ticks, and the destinations' faults.
  fc.oneof(machineSubmit, machineRetry),
  machineApprove,
  machineRotate,
  schedule,
  schedule,
  fc.oneof({ weight: 2, arbitrary: destinationFault }, { weight: 1, arbitrary: crashOnWrite }),
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
    const roleNeeds = ROLES.find((role) => role.id === stored?.roleId)?.approvals ?? Number.POSITIVE_INFINITY;
    // 6. The owner rotating their own key within its role needs nobody; anyone else is approved as for a new key.
    const needed = request?.rotation?.byOwner || (await grantedAtOnce(r, reveal.requestId)) ? 0 : roleNeeds;
    const approvals = (await r.world.store.listDecisions(reveal.requestId)).filter(
      (d) => d.decision === 'approve' && d.userId !== request?.requester,
    );
    expect(
      new Set(approvals.map((d) => d.userId)).size,
      'approvals behind a created key',
    ).toBeGreaterThanOrEqual(needed);
  }
  checkTimed(r.world.timed, r.offboardings ?? new Map());
  await checkRotations(r);
  await checkEnvelopes(r);
  await checkLimits(r);
  await checkLeaks(r);
  await checkOffboarding(r);
  checkUrgentTurns(r);
  checkLeakMessages(r);
  checkOutsideNotices(r);
  checkServiceRolesHeld(r);
  await checkBreakGlass(r);
  await checkMachines(r);
}

/** A machine chain's place: the key id and secret its destination holds now (null where nothing is). */
function machinePlace(r: Real, chain: MachineRequest): { keyId: string | null; secret: string | null } {
  const { github, vault } = r.world.destinations!;
  if (chain.destinationId === 'ci') {
    const { repository, environment } = FAKE_PLACES;
    return {
      keyId: github.secretValue(repository, 'CLICKHOUSE_KEY_ID', environment),
      secret: github.secretValue(repository, 'CLICKHOUSE_KEY_SECRET', environment),
    };
  }
  const data = vault.read(FAKE_PLACES.mount, `clickhouse/${chain.keyName}`);
  return {
    keyId: typeof data?.keyId === 'string' ? data.keyId : null,
    secret: typeof data?.keySecret === 'string' ? data.keySecret : null,
  };
}

/** Every secret a destination ever held (GitHub's opened writes, every Vault version kept): 24 searches for them. */
function collectMachineSecrets(r: Real, chains: readonly MachineRequest[]): void {
  r.machineSecrets ??= new Set();
  const seen = r.machineSecrets;
  const { github, vault } = r.world.destinations!;
  for (const write of github.secretsWritten())
    if (write.name === 'CLICKHOUSE_KEY_SECRET') seen.add(write.value);
  const paths = new Set(chains.map((chain) => `clickhouse/${chain.keyName}`));
  for (const held of vault.contents()) {
    if (held.mount !== FAKE_PLACES.mount || !paths.has(held.path)) continue;
    for (const { data } of held.versions) if (typeof data.keySecret === 'string') seen.add(data.keySecret);
  }
}

/** The chains: machine requests as asked, not the rotations asked from their keys' menus. */
const chainsOf = (r: Real) => (r.machines ?? []).filter((m) => !m.rotation);

/**
 * 20, 22, 23 after every step: one delivered successor per key (from the menu or the schedule);
 * the key a place names, while ClickHouse has it, is one Keyhouse recorded for a request to that
 * destination; no key of a chain ends past its approval's end.
 */
async function checkMachines(r: Real): Promise<void> {
  const { world } = r;
  if (!world.destinations) return;
  const requests = await world.store.listRequests({});
  const successors = new Map<string, number>();
  for (const q of requests) {
    if (!q.rotation || q.state !== 'delivered') continue;
    const count = (successors.get(q.rotation.keyId) ?? 0) + 1;
    successors.set(q.rotation.keyId, count);
    expect(count, `20. delivered successors of ${q.keyName}'s key ${q.rotation.keyId}`).toBeLessThanOrEqual(
      1,
    );
  }
  const chains = chainsOf(r);
  if (chains.length === 0) return;
  const keys = world.emulator.keys();
  for (const chain of chains) {
    if (chain.end === undefined) {
      const stored = requests.find((q) => q.id === chain.id);
      const first = stored?.state === 'delivered' ? keys.find((k) => k.id === stored.keyId) : undefined;
      if (first?.createdAt) chain.end = Date.parse(first.createdAt) + durationMs(chain.expiry)!;
    }
    const place = machinePlace(r, chain);
    const held = place.keyId
      ? keys.find((k) => k.name === chain.keyName && place.keyId!.endsWith(k.keySuffix))
      : undefined;
    if (held) {
      expect(
        requests.some((q) => q.keyId === held.id && q.destinationId === chain.destinationId),
        `22. the request of ${chain.keyName}'s key …${held.keySuffix} in ${chain.destinationId}`,
      ).toBe(true);
    }
    if (chain.end === undefined) continue;
    for (const key of keys.filter((k) => k.name === chain.keyName)) {
      expect(key.expireAt, `23. ${key.name} …${key.keySuffix} expires`).not.toBeNull();
      expect(
        Date.parse(key.expireAt!),
        `23. ${key.name} …${key.keySuffix} outlives its approval`,
      ).toBeLessThanOrEqual(chain.end);
    }
  }
  collectMachineSecrets(r, chains);
}

/**
 * 21. Every chain whose approval runs on holds a working key in its place: ClickHouse takes the
 * pair the destination holds (the key alive, enabled, the secret the one it issued). Not for an
 * owner offboarded (their keys are disabled), nor for a chain whose scheduled work is unsettled
 * (claimed by a replica, or failed and waiting for the next tick), nor for a chain with a request
 * open: a rotation from the menu waiting for its approval or for Try again holds the schedule back
 * (one successor at a time), and a GitHub pair half-written was taken back until then.
 */
async function checkMachinePlacesWork(r: Real): Promise<void> {
  const { world } = r;
  const now = world.clock.now().getTime();
  const requests = await world.store.listRequests({});
  const marks = await world.store.listTimerMarks({ rules: [SCHEDULED_ROTATION_RULE] });
  const keys = world.emulator.keys();
  const keyNames = new Map(keys.map((k) => [k.id, k.name]));
  for (const chain of chainsOf(r)) {
    if (chain.end === undefined || now >= chain.end || r.offboardings?.has(chain.requester)) continue;
    const unsettled = marks.some((m) => m.state !== 'done' && keyNames.get(m.subject) === chain.keyName);
    const open = requests.some(
      (q) => q.keyName === chain.keyName && ['pending', 'approved', 'creating'].includes(q.state),
    );
    if (unsettled || open) continue;
    const place = machinePlace(r, chain);
    // A crash settled after a database outage longer than the key's life: the key the place was
    // found to hold was recorded delivered already expired, and the schedule replaces it once its
    // predecessor's overlap is over. The faults, not Keyhouse, outlasted it.
    const held = keys.find((k) => k.name === chain.keyName && place.keyId?.endsWith(k.keySuffix));
    const heldBy = held ? requests.find((q) => q.keyId === held.id && q.state === 'delivered') : undefined;
    if (held?.expireAt && heldBy && heldBy.updatedAt.getTime() >= Date.parse(held.expireAt)) continue;
    expect(place.keyId, `21. ${chain.keyName}'s place holds a key id`).not.toBeNull();
    expect(
      world.emulator.accepts(place.keyId ?? '', place.secret ?? ''),
      `21. ClickHouse takes the pair in ${chain.keyName}'s place`,
    ).toBe(true);
  }
}

/**
 * 22. Once settled, no place names a key ClickHouse no longer has: not after a write that failed
 * (half a GitHub pair, a Vault write that landed behind an error), delivered or given back for Try
 * again alike; unless the approval is over or the owner was offboarded (their keys disabled, then
 * expired and deleted in place).
 */
function checkNoDeadKeyInPlaces(r: Real): void {
  const now = r.world.clock.now().getTime();
  const keys = r.world.emulator.keys();
  for (const chain of chainsOf(r)) {
    if ((chain.end !== undefined && now >= chain.end) || r.offboardings?.has(chain.requester)) continue;
    const { keyId } = machinePlace(r, chain);
    if (keyId === null) continue;
    expect(
      keys.some((k) => k.name === chain.keyName && keyId.endsWith(k.keySuffix)),
      `22. ${chain.keyName}'s place names a key ClickHouse has`,
    ).toBe(true);
  }
}

/** 24. No machine secret in anything that went towards Slack, in a log line, or in the store. */
async function checkMachineSecrets(r: Real): Promise<void> {
  const { world } = r;
  if (!world.destinations) return;
  collectMachineSecrets(r, chainsOf(r));
  const secrets = [...(r.machineSecrets ?? [])];
  if (secrets.length === 0) return;
  const said = world.said.join('\n');
  const logs = world.logLines.join('');
  const stored = await world.storeText();
  const shown = new Set(world.reveals.map((x) => x.keyId));

  for (const secret of secrets) {
    expect(said.includes(secret), '24. a machine secret went towards Slack').toBe(false);
    expect(logs.includes(secret), '24. a machine secret in a log line').toBe(false);
    expect(stored.includes(secret), '24. a machine secret in the store').toBe(false);
  }
  for (const key of world.emulator.keys()) {
    if (chainsOf(r).some((c) => c.keyName === key.name))
      expect(shown.has(key.id), `24. machine key ${key.name} shown to a person`).toBe(false);
  }
}

/** 16. No custom role is deleted while a key uses it: every role a key holds still exists. */
function checkServiceRolesHeld(r: Real): void {
  const roles = new Set(r.world.emulator.roles().map((role) => role.id));
  for (const key of r.world.emulator.keys()) {
    for (const held of key.assignedRoles) {
      expect(roles.has(held.roleId), `role ${held.roleName} of key ${key.name}`).toBe(true);
    }
  }
}

/**
 * 17. No custom role Keyhouse made is left behind for ever: once the timers have run a day and more
 * past the faults, every `keyhouse:` role is held by a key (a crash between making a role and
 * recording it, or an ambiguous create, included).
 */
function checkNoRoleLeftBehind(r: Real): void {
  const held = new Set(r.world.emulator.keys().flatMap((key) => key.assignedRoles.map((a) => a.roleId)));
  for (const role of r.world.emulator.roles()) {
    if (role.type !== 'custom' || !role.name.startsWith('keyhouse:')) continue;
    expect(held.has(role.id), `custom role ${role.name} held by no key a day after`).toBe(true);
  }
}

/**
 * 18–19. Keys made at once live no longer than their path allows; a break glass is reviewed or
 * deleted: revoked, its key is never usable; unkept, never usable past its review deadline; and
 * no requester has two break glasses awaiting review.
 */
async function checkBreakGlass(r: Real): Promise<void> {
  const now = r.world.clock.now().getTime();
  const keys = new Map(r.world.emulator.keys().map((k) => [k.id, k]));
  const marks = await r.world.store.listTimerMarks({ rules: [ACCESS_RULE.grant, ACCESS_RULE.review] });
  const awaiting = new Map<string, number>();
  for (const grant of marks.filter((m) => m.rule === ACCESS_RULE.grant)) {
    const stored = await r.world.store.getRequest(grant.subject);
    if (!stored) continue;
    const key = stored.keyId ? keys.get(stored.keyId) : undefined;
    if (key && stored.state === 'delivered' && key.createdAt) {
      const cap = grant.threshold === 'on-call' ? ON_CALL_MAX_MS : BREAK_GLASS_MAX_MS;
      expect(key.expireAt, `${key.name} made at once expires`).not.toBeNull();
      expect(
        Date.parse(key.expireAt!) - Date.parse(key.createdAt),
        `${key.name} outlives its path`,
      ).toBeLessThanOrEqual(cap);
    }
    if (grant.threshold !== 'break-glass') continue;
    const review = marks.find(
      (m) => m.rule === ACCESS_RULE.review && m.subject === grant.subject && m.state === 'done',
    );
    const usable =
      key && key.state === 'enabled' && (key.expireAt === null || Date.parse(key.expireAt) > now);
    if (review?.detail?.decision === 'revoke') {
      expect(usable, `${key?.name} revoked yet usable`).toBeFalsy();
      expect(['expired', 'delivered', 'denied']).toContain(stored.state);
    }
    const reviewBy = Date.parse(String(grant.detail?.reviewBy));
    if (!review && now > reviewBy) expect(usable, `${key?.name} unreviewed past its deadline`).toBeFalsy();
    if (!review && ['approved', 'creating', 'delivered'].includes(stored.state)) {
      awaiting.set(stored.requesterId, (awaiting.get(stored.requesterId) ?? 0) + 1);
    }
  }
  for (const [requester, open] of awaiting) {
    expect(open, `break glasses of ${requester} awaiting review`).toBeLessThanOrEqual(1);
  }
}

/** A policy duration in ms (`1d`, `7d`, `12h`); null for never. */
function durationMs(expiry: string): number | null {
  if (expiry === 'never') return null;
  const n = Number(expiry.slice(0, -1));
  return expiry.endsWith('d') ? n * DAY_MS : n * HOUR_MS;
}

/**
 * 16. Whether a request was rightly approved at once by on call or break glass: the mark says so,
 * and the suite agrees (the requester was on call when they submitted, or broke glass), within
 * that path's `maxExpiry`.
 */
async function grantedAtOnce(r: Real, requestId: string): Promise<boolean> {
  const [mark] = await r.world.store.listTimerMarks({ rules: [ACCESS_RULE.grant], subjects: [requestId] });
  if (!mark) return false;
  const request = r.requests.find((q) => q.id === requestId);
  const stored = await r.world.store.getRequest(requestId);
  const ms = durationMs(stored?.expiry ?? 'never');
  if (mark.threshold === 'on-call') {
    expect(request?.onCall, `on call approved ${request?.keyName} for someone off call`).toBe(true);
    expect(ms, 'an on-call expiry').not.toBeNull();
    expect(ms!, 'an on-call expiry').toBeLessThanOrEqual(ON_CALL_MAX_MS);
    return true;
  }
  expect(request?.breakGlass, `${request?.keyName} broke glass unasked`).toBe(true);
  expect(ms, 'a break-glass expiry').not.toBeNull();
  expect(ms!, 'a break-glass expiry').toBeLessThanOrEqual(BREAK_GLASS_MAX_MS);
  return true;
}

/** Whether the approvals the request's role needs were given (by people other than its requester). */
async function approvedAsRoleNeeds(r: Real, requestId: string, requester: string, roleId: string) {
  if (await grantedAtOnce(r, requestId)) return true;
  const needs = ROLES.find((role) => role.id === roleId)?.approvals ?? Number.POSITIVE_INFINITY;
  if (needs === 0) return true;
  const approvers = (await r.world.store.listDecisions(requestId)).filter(
    (d) => d.decision === 'approve' && d.userId !== requester,
  );
  return new Set(approvers.map((d) => d.userId)).size >= needs;
}

/**
 * 9. Every Keyhouse key ends no later than its approvals allow. The suite works the end out itself:
 * a key approved as its role needs may live its expiry from creation (or keep the old key's end);
 * a rotation that needed nobody inherits the old key's end; an approved extend moves it.
 */
async function checkEnvelopes(r: Real): Promise<void> {
  r.bounds ??= new Map();
  const bounds = r.bounds;
  const created = new Map(r.world.emulator.keys().map((k) => [k.id, k]));
  for (const request of r.requests) {
    const stored = await r.world.store.getRequest(request.id);
    if (stored?.state !== 'delivered' || !stored.keyId) continue;
    if (request.extend) {
      if (bounds.has(`extend:${request.id}`)) continue;
      bounds.set(`extend:${request.id}`, null);
      if (!(await approvedAsRoleNeeds(r, request.id, request.requester, stored.roleId))) continue;
      const ms = durationMs(stored.change?.to.expiry ?? 'never');
      const moved = ms === null ? null : stored.updatedAt.getTime() + ms;
      const before = bounds.get(stored.keyId);
      bounds.set(stored.keyId, before === null || moved === null ? null : Math.max(before ?? 0, moved));
      continue;
    }
    if (bounds.has(stored.keyId)) continue;
    const key = created.get(stored.keyId);
    if (!key?.createdAt) continue;
    const approved = await approvedAsRoleNeeds(r, request.id, request.requester, stored.roleId);
    const old = request.rotation ? bounds.get(request.rotation.keyId) : undefined;
    let bound: number | null;
    if (approved && stored.expiry !== KEEP) {
      const ms = durationMs(stored.expiry);
      bound = ms === null ? null : Date.parse(key.createdAt) + ms;
    } else {
      // Kept the old end, or needed nobody: never past what the old key was allowed.
      expect(old, `the end allowed to the key ${request.keyName} replaced`).not.toBeUndefined();
      bound = old ?? null;
    }
    bounds.set(stored.keyId, bound);
  }
  for (const [keyId, bound] of bounds) {
    const key = created.get(keyId);
    if (!key || keyId.startsWith('extend:')) continue;
    if (bound === null) continue;
    expect(key.expireAt, `${key.name} (${keyId}) expires`).not.toBeNull();
    expect(Date.parse(key.expireAt!), `${key.name} outlives its approval`).toBeLessThanOrEqual(bound);
  }
}

/**
 * 10. No requester holds more than `keysPerUser` usable keys: enabled, unexpired, retiring ones
 * counted, except a machine key the schedule replaced, while its overlap runs (gate.delivery: the
 * schedule's rotation replaces a key the limits count; refusing it would only let it expire).
 */
async function checkLimits(r: Real): Promise<void> {
  const now = r.world.clock.now().getTime();
  const usable = new Set(
    r.world.emulator
      .keys()
      .filter((k) => k.state === 'enabled' && (k.expireAt === null || Date.parse(k.expireAt) > now))
      .map((k) => k.id),
  );
  const replaced = new Set(
    (await r.world.store.listRetirements({ stages: ['retiring'] }))
      .filter((t) => t.requestId === scheduledRequestId(t.keyId))
      .map((t) => t.keyId),
  );
  for (const user of REQUESTERS) {
    const held = (await r.world.store.listKeyOwners(user)).filter(
      (o) => usable.has(o.keyId) && !replaced.has(o.keyId),
    );
    expect(held.length, `usable keys of ${user}`).toBeLessThanOrEqual(KEYS_PER_USER);
  }
}

/**
 * 11. No enable of a key is decided while it is marked leaked. The audit's order is the judge: the
 * tripwire audits a leak after marking the key, and an enable reads the mark after its attempt is
 * audited; so an enable that went through (`key.enable` ok) has its attempt before every leak of the
 * key, or after an admin's lift (`key.leak.lift` ok) that follows the last of them.
 */
async function checkLeaks(r: Real): Promise<void> {
  const audit = await r.world.store.listAudit({ limit: 100_000 });
  const attempts = new Map<string, number>();
  for (const event of audit) {
    if (!event.keyId) continue;
    if (event.action === 'key.enable' && event.outcome === 'attempt') attempts.set(event.keyId, event.seq);
    if (event.action !== 'key.enable' || event.outcome !== 'ok') continue;
    const attempt = attempts.get(event.keyId) ?? event.seq;
    const leaks = audit.filter(
      (e) => e.keyId === event.keyId && e.action === 'leak.detected' && e.seq < attempt,
    );
    const lastLeak = leaks.at(-1)?.seq;
    if (lastLeak === undefined) continue;
    const lifted = audit.some(
      (e) =>
        e.keyId === event.keyId &&
        e.action === 'key.leak.lift' &&
        e.outcome === 'ok' &&
        e.seq > lastLeak &&
        e.seq < attempt,
    );
    expect(lifted, `key ${event.keyId} enabled while marked leaked (audit #${event.seq})`).toBe(true);
  }
}

/**
 * 12. Offboarding never touches a key whose current owner is active. In the audit's order: the
 * offboarding step of a key (`timer.offboarding.key` attempt, after which the gate reads the owner)
 * comes after no reassignment of the key away from the user and no reactivation of the user that
 * followed their deactivation.
 */
async function checkOffboarding(r: Real): Promise<void> {
  const audit = await r.world.store.listAudit({ limit: 100_000 });
  for (const write of audit) {
    const why = write.detail?.why;
    if (write.outcome !== 'ok' || why !== 'owner deactivated') continue;
    if (write.action !== 'key.disable' && write.action !== 'key.delete') continue;
    const owner = String(write.detail?.owner);
    const step = audit
      .filter(
        (e) =>
          e.action === 'timer.offboarding.key' &&
          e.outcome === 'attempt' &&
          e.keyId === write.keyId &&
          e.seq < write.seq,
      )
      .at(-1);
    expect(step, `the offboarding step behind audit #${write.seq}`).toBeDefined();
    const movedAway = audit.some(
      (e) =>
        e.action === 'key.reassign' &&
        e.outcome === 'ok' &&
        e.keyId === write.keyId &&
        e.detail?.to !== owner &&
        e.seq < step!.seq &&
        !audit.some(
          (back) =>
            back.action === 'key.reassign' &&
            back.outcome === 'ok' &&
            back.keyId === write.keyId &&
            back.detail?.to === owner &&
            back.seq > e.seq &&
            back.seq < step!.seq,
        ),
    );
    expect(
      movedAway,
      `offboarding touched ${write.keyName} after it changed hands (audit #${write.seq})`,
    ).toBe(false);
    const deactivated = audit
      .filter(
        (e) =>
          e.action === 'timer.offboarding.user' &&
          e.outcome === 'attempt' &&
          e.detail?.subject === owner &&
          e.seq < step!.seq,
      )
      .at(-1);
    const back = audit.some(
      (e) =>
        e.action === 'timer.offboarding.reactivated' &&
        e.outcome === 'attempt' &&
        e.detail?.subject === owner &&
        e.seq > (deactivated?.seq ?? 0) &&
        e.seq < step!.seq,
    );
    expect(back, `offboarding touched ${write.keyName} of ${owner}, active again (audit #${write.seq})`).toBe(
      false,
    );
  }
}

/** 13. The budget's own account: no urgent send waited on more than one send of any other owner. */
function checkUrgentTurns(r: Real): void {
  for (const instance of r.world.everyInstance) {
    expect(
      instance.client.stats.urgent.mostAheadByOneOwner,
      `urgent turns on i${instance.index}`,
    ).toBeLessThanOrEqual(1);
  }
}

/** 14. One reply and one notice per message, whatever it held and however often it was delivered. */
function checkLeakMessages(r: Real): void {
  for (const message of r.world.leakMessages) {
    expect(message.replies, `thread replies to ${message.ts}`).toBeLessThanOrEqual(1);
    expect(message.notices, `security notices about ${message.ts}`).toBeLessThanOrEqual(1);
  }
}

/** 15. One security notice per alert or report, however often it was delivered. */
function checkOutsideNotices(r: Real): void {
  for (const [place, { notices }] of r.world.outsideNotices) {
    expect(notices, `security notices about ${place}`).toBeLessThanOrEqual(1);
  }
}

/** 5. Each timed message at most once, and never before it is due. */
function checkTimed(timed: readonly TimedMessage[], offboardings: ReadonlyMap<string, number>): void {
  const seen = new Set<string>();
  const reports = new Map<string, number>();
  const once = (id: string) => {
    expect(seen.has(id), `timed message sent twice: ${id}`).toBe(false);
    seen.add(id);
  };
  const notEarly = (at: Date, due: number, what: string) =>
    expect(at.getTime(), `${what} sent early`).toBeGreaterThanOrEqual(due);
  for (const m of timed) {
    switch (m.kind) {
      case 'warning': {
        const { key, expireAt, beforeMs } = m.warning;
        expect(WARNINGS_MS).toContain(beforeMs);
        once(`warning ${key.keyId} ${expireAt.toISOString()} ${beforeMs}`);
        notEarly(m.at, expireAt.getTime() - beforeMs, `warning of ${key.keyName}`);
        break;
      }
      case 'expired':
        once(`expired ${m.notice.key.keyId} ${m.notice.expireAt.toISOString()}`);
        notEarly(m.at, m.notice.expireAt.getTime(), `expired notice of ${m.notice.key.keyName}`);
        break;
      case 'expired-deleted':
        once(`expired-deleted ${m.notice.key.keyId}`);
        notEarly(
          m.at,
          m.notice.expireAt.getTime() + DELETE_EXPIRED_AFTER_MS,
          `deletion of ${m.notice.key.keyName}`,
        );
        break;
      case 'stale':
        once(`stale ${m.offer.key.keyId} ${m.offer.since.toISOString()}`);
        notEarly(m.at, m.offer.since.getTime() + STALE_AFTER_MS, `stale offer of ${m.offer.key.keyName}`);
        break;
      case 'nudge': {
        const { kind, request } = m.nudge;
        once(`nudge ${kind} ${request.id}`);
        const after = kind === 'remind' ? REMIND_AFTER_MS : ESCALATE_AFTER_MS;
        notEarly(m.at, request.createdAt.getTime() + after, `${kind} of ${request.keyName}`);
        break;
      }
      case 'offboarding-report': {
        // One report per offboarding: a user reactivated and deleted again is offboarded again.
        const { userId } = m.report;
        reports.set(userId, (reports.get(userId) ?? 0) + 1);
        expect(reports.get(userId), `offboarding reports of ${userId}`).toBeLessThanOrEqual(
          offboardings.get(userId) ?? 0,
        );
        break;
      }
      case 'retired':
        once(`retired ${m.keyName} …${m.keySuffix} to ${m.userId}`);
        break;
      case 'audit-head':
        once(`audit head ${m.notice.day}`);
        notEarly(m.at, Date.parse(`${m.notice.day}T00:00:00.000Z`), `audit head of ${m.notice.day}`);
        break;
    }
  }
}

/** 6. Retirement steps never early, and one delivered successor per old key. */
async function checkRotations(r: Real): Promise<void> {
  const retirements = await r.world.store.listRetirements({});
  for (const retirement of retirements) {
    const { keyName, retireAt, stage, updatedAt } = retirement;
    if (stage === 'disabled') {
      expect(updatedAt.getTime(), `${keyName} retired early`).toBeGreaterThanOrEqual(retireAt.getTime());
    }
    if (stage === 'deleted') {
      expect(updatedAt.getTime(), `${keyName} deleted early`).toBeGreaterThanOrEqual(
        retireAt.getTime() + RETIRED_KEEP_MS,
      );
    }
    for (const told of r.world.timed) {
      if (told.kind === 'retired' && told.keySuffix === retirement.keySuffix && told.keyName === keyName) {
        expect(told.at.getTime(), `${keyName}'s owner told early`).toBeGreaterThanOrEqual(retireAt.getTime());
      }
    }
  }
  const successors = new Map<string, number>();
  for (const request of r.requests) {
    if (!request.rotation) continue;
    const stored = await r.world.store.getRequest(request.id);
    if (stored?.state !== 'delivered') continue;
    const count = (successors.get(request.rotation.keyId) ?? 0) + 1;
    successors.set(request.rotation.keyId, count);
    expect(count, `delivered successors of ${request.rotation.keyId}`).toBeLessThanOrEqual(1);
  }
}

/** Ends the faults, waits for work in flight, lets leases run out and sweeps everywhere, then checks. */
async function settleAndCheck(r: Real): Promise<void> {
  const { world } = r;
  world.flaky.down = false;
  world.emulator.setLatency(0);
  for (const instance of world.instances) instance.notifier.failReveals = 0;
  world.destinations?.clearFaults();
  // Work in flight on live instances finishes (a dead one's never does, as in a real crash).
  await Promise.all(r.inFlight.filter((f) => !f.instance.alive.killed).map((f) => f.work));
  world.clock.advance(2 * LEASE_MS);
  for (let round = 0; round < 2; round++) {
    for (const instance of world.instances) await quietly(instance.workflow.sweep());
  }
  await checkInvariants(r);

  // Keyhouse's keys by id: a rotation's successor has its old key's name.
  const requestOfKey = new Map<string, Requested>();
  for (const request of r.requests) {
    // An extend names the key it changes; the key belongs to the request that made it.
    if (request.extend) continue;
    const stored = await world.store.getRequest(request.id);
    if (stored?.keyId) requestOfKey.set(stored.keyId, request);
  }
  const ours = world.emulator.keys().filter((k) => r.requests.some((q) => q.keyName === k.name));
  // 2. Every key left belongs to a delivered request and was shown exactly once, to its requester.
  for (const key of ours) {
    const request = requestOfKey.get(key.id);
    if (!request) {
      // What a counterexample needs to be understood: the key, the requests of its name, and its story.
      const named: Array<Awaited<ReturnType<typeof world.store.getRequest>>> = [];
      for (const q of r.requests.filter((q) => q.keyName === key.name))
        named.push(await world.store.getRequest(q.id));
      const story = (await world.store.listAudit({ limit: 100_000 })).filter(
        (e) => e.keyId === key.id || named.some((q) => q?.id === e.requestId),
      );
      expect.fail(
        `the request of live key ${key.name} (${key.id}, created ${key.createdAt}): ${JSON.stringify({
          requests: named,
          owner: await world.store.getKeyOwner(key.id),
          audit: story.map((e) => [
            e.seq,
            e.at.toISOString(),
            e.actorId,
            e.action,
            e.outcome,
            e.requestId,
            e.keyId,
            e.detail,
          ]),
          writes: world.emulator.requests
            .filter((w) => w.method !== 'GET')
            .map((w) => [w.method, w.path, w.status]),
        })}`,
      );
    }
    const stored = await world.store.getRequest(request!.id);
    expect(stored?.state, `request of live key ${key.name}`).toBe('delivered');
    expect(world.reveals.filter((x) => x.keyId === key.id)).toHaveLength(1);
  }
  // ...and no request is stuck half-way once the faults are over.
  for (const request of [...r.requests, ...(r.machines ?? [])]) {
    const stored = await world.store.getRequest(request.id);
    expect(stored?.state, `request ${request.keyName}`).not.toBe('creating');
  }
  await checkAudit(r);
  // 21–22. The faults over, the schedule's work done: every place whose approval runs holds a
  // working key, and none names a key ClickHouse no longer has.
  if (world.destinations) {
    // Past a dead replica's timer lease and the marks of work it abandoned.
    world.clock.advance(ABANDONED_AFTER_MS + 60_000);
    await runTimersToQuiet(world);
    await checkInvariants(r);
    await checkMachinePlacesWork(r);
    checkNoDeadKeyInPlaces(r);
  }

  // 7–8. The timers' turn, in stages: past every overlap, to each warning threshold of the 1-day
  // keys just made, into the next UTC day (the daily users.info check), and past `staleAfter` of
  // the 7-day keys; at each stage every live instance ticks until a round finds nothing left to do.
  // 21. Through days of the schedule (a 3-day jump outlives every machine key), each place still
  // holds a working key once the timers have run: the schedule made and wrote the successors.
  for (const jump of [OVERLAP_MS + 60_000, 11 * HOUR_MS, 11 * HOUR_MS, 3 * HOUR_MS, STALE_AFTER_MS]) {
    world.clock.advance(jump);
    await runTimersToQuiet(world);
    await checkInvariants(r);
    if (world.destinations) await checkMachinePlacesWork(r);
  }
  const keys = new Map(world.emulator.keys().map((k) => [k.id, k]));
  for (const request of r.requests) {
    if (!request.rotation) continue;
    const stored = await world.store.getRequest(request.id);
    if (stored?.state !== 'delivered') continue;
    const old = keys.get(request.rotation.keyId);
    expect(old?.state, `old key ${request.keyName} after its overlap`).not.toBe('enabled');
  }
  for (const userId of world.deactivated) {
    for (const owned of await world.store.listKeyOwners(userId)) {
      expect(keys.get(owned.keyId)?.state, `${owned.keyName} of deactivated ${userId}`).not.toBe('enabled');
    }
  }
  // 11. Once the timers have run, no key marked leaked is enabled, whatever a crash cut short.
  for (const owned of await world.store.listKeyOwners()) {
    if (owned.leak)
      expect(keys.get(owned.keyId)?.state, `${owned.keyName}, marked leaked`).not.toBe('enabled');
  }
  // 16. A day and more on, twice (seen unused, then deleted): no Keyhouse role without a key. Twice
  // past the last change to the keys holding a custom role: a key of a service role deleted in a
  // stage (expired two days before) leaves its role unused from then, deleted a day on.
  const holders = () =>
    world.emulator
      .keys()
      .filter((k) => k.assignedRoles.some((a) => a.roleType === 'custom'))
      .map((k) => k.id)
      .sort()
      .join(' ');
  for (let stage = 0, still = 0; still < 2 && stage < 12; stage++) {
    const before = holders();
    world.clock.advance(DAY_MS + HOUR_MS);
    await runTimersToQuiet(world);
    await checkInvariants(r);
    if (world.destinations) await checkMachinePlacesWork(r);
    still = holders() === before ? still + 1 : 0;
  }
  checkNoRoleLeftBehind(r);
  await checkAudit(r);
  await checkMachineSecrets(r);
}

/**
 * Ticks every instance, round after round, until the one that runs finds nothing due, or only work
 * that keeps being refused (a machine key's scheduled rotation waits while a rotation of it asked
 * from the menu is open: one successor at a time) and nothing else moves for three rounds.
 */
async function runTimersToQuiet(world: World): Promise<void> {
  let stuck = 0;
  for (let round = 0; round < 40; round++) {
    const ticks = await Promise.all(world.instances.map((i) => i.scheduler.tick().catch(() => null)));
    const ran = ticks.filter((t) => t?.ran);
    if (ran.length > 0 && ran.every((t) => t!.done + t!.failed + t!.deferred === 0)) return;
    stuck = ran.length > 0 && ran.every((t) => t!.done + t!.deferred === 0) ? stuck + 1 : 0;
    if (stuck >= 3) return;
  }
  throw new Error('the timers did not settle in 40 rounds');
}

/**
 * 4. Every write ClickHouse carried out has its audit event, except where a replica died with
 * events it had journaled while the database was down (the journal is in memory: a compensating
 * delete must not wait for the database, and a process that dies takes its memory with it).
 */
async function checkAudit(r: Real): Promise<void> {
  const { world } = r;
  if (world.journalLost) return;
  const audit = await world.store.listAudit({ limit: 100_000 });
  // Machine keys' requests, and the schedule's rotations of them (recorded by Keyhouse, not the suite).
  const scheduled = (await world.store.listRequests({})).filter((q) => q.rotation?.scheduled);
  const asked = [...r.requests, ...(r.machines ?? []), ...scheduled];
  for (const write of world.emulator.requests) {
    if (write.method === 'POST' && write.status === 200 && write.path.endsWith('/keys')) {
      const name = (write.body as { name?: string }).name;
      const ids = new Set(asked.filter((q) => q.keyName === name).map((q) => q.id));
      expect(
        audit.some((e) => e.action === 'key.create' && e.outcome === 'attempt' && ids.has(e.requestId ?? '')),
        `audit of the create of ${name}`,
      ).toBe(true);
    }
    if (write.method === 'DELETE' && write.status === 200 && write.path.includes('/roles/')) {
      // A custom role is deleted only by its clean-up, audited before it runs.
      const roleId = write.path.split('/').at(-1);
      expect(
        audit.some(
          (e) =>
            e.action === 'timer.service_role.cleanup' &&
            e.outcome === 'attempt' &&
            e.detail?.roleId === roleId,
        ),
        `audit of the delete of role ${roleId}`,
      ).toBe(true);
      continue;
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

const backends = worldBackends().map(({ name, postgres: url }) => ({
  name,
  url,
  runs: url ? Math.max(5, Math.round(RUNS / 3)) : RUNS,
}));

/** The property, so a counterexample can be replayed by its seed and path. */
function property(url: string | undefined, state: { world?: World }) {
  return fc.asyncProperty(
    fc.integer({ min: 2, max: 3 }),
    // Every run has a machine key from the start (20–24), beside whatever else it opens with.
    fc.tuple(
      machineDeliver,
      fc.array(fc.oneof(submit, deliver, machineDeliver), { minLength: 1, maxLength: 3 }),
    ),
    fc.commands(commands, { maxCommands: 60, size: '+1' }),
    async (n, [machine, others], cmds) => {
      const opening = [machine, ...others];
      await state.world?.close();
      state.world = await World.start({
        postgres: url,
        instances: n,
        attemptLeaseMs: LEASE_MS,
        policy: invariantPolicy(),
        fakes: true,
      });
      seedServices(state.world);
      const real: Real = { world: state.world, requests: [], inFlight: [], names: 0, announce: true };
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
    world = await World.start({ instances: 3, attemptLeaseMs: LEASE_MS, policy: invariantPolicy() });
    const real: Real = { world, requests: [], inFlight: [], names: 0, announce: false };
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
      await fc.assert(property(url, state), { numRuns: runs, endOnFailure: true, ...replay });
    } finally {
      await state.world?.close();
    }
  }, 300_000);
});
