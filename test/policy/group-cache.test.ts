import { describe, expect, it } from 'vitest';
import { type GroupResolver, Policy, type PolicyDocument, validatePolicy } from '../../src/policy/index.js';
import { unlessWaiting, WOULD_WAIT, WouldWait, withoutWaiting } from '../../src/util/no-wait.js';
import { ManualClock } from '../support/clock.js';

/** Approvers and requesters by group only, so every answer needs a look-up or the cache. */
function makeDoc(): PolicyDocument {
  const result = validatePolicy({
    approvalChannel: 'C0APPROVALS',
    requesters: ['S0REQ'],
    approvers: ['S0APPROVERS'],
    admins: ['U0ADMIN'],
    roles: [
      {
        id: 'developer',
        label: 'Developer',
        grant: { roles: ['developer'] },
        maxExpiry: '90d',
        approvals: 1,
      },
      {
        id: 'ops',
        label: 'Ops',
        grant: { roles: ['admin'] },
        maxExpiry: '7d',
        approvals: 2,
        requesters: ['S0OPS'],
      },
    ],
  });
  if ('problems' in result) throw new Error(JSON.stringify(result.problems));
  return result.doc;
}

/** A resolver over a table; each call waits until `release()` when held. */
function groups(table: Record<string, string[]>) {
  const calls: string[] = [];
  let failing = false;
  let gates: (() => void)[] = [];
  let held = false;
  const resolve: GroupResolver = async (groupId) => {
    calls.push(groupId);
    if (held) await new Promise<void>((r) => gates.push(r));
    if (failing) throw new Error(`no_such_subteam ${groupId}`);
    return table[groupId] ?? [];
  };
  return {
    resolve,
    calls,
    hold: () => {
      held = true;
    },
    release: () => {
      held = false;
      for (const open of gates) open();
      gates = [];
    },
    fail: (on: boolean) => {
      failing = on;
    },
  };
}

const settled = () => new Promise((r) => setTimeout(r, 0));

describe('Policy: group membership without waiting (ack first)', () => {
  it('a cold group answers WouldWait at once inside a no-wait zone, and starts its look-up', async () => {
    const g = groups({ S0APPROVERS: ['U0BOB'] });
    g.hold();
    const policy = new Policy(makeDoc(), { resolveGroup: g.resolve });
    await expect(withoutWaiting(() => policy.isApprover('U0BOB'))).rejects.toBeInstanceOf(WouldWait);
    expect(g.calls).toEqual(['S0APPROVERS']);
    // A waiting check shares the look-up the zone started.
    const waiting = policy.isApprover('U0BOB');
    g.release();
    expect(await waiting).toBe(true);
    expect(g.calls).toEqual(['S0APPROVERS']);
    // Now cached: answered inside the zone, yes and no alike.
    expect(await withoutWaiting(() => policy.isApprover('U0BOB'))).toBe(true);
    expect(await withoutWaiting(() => policy.isApprover('U0EVE'))).toBe(false);
  });

  it('admin and list-all membership from the cache alone: null until a group is known, nothing started', async () => {
    const g = groups({ S0APPROVERS: ['U0BOB'] });
    const policy = new Policy(makeDoc(), { resolveGroup: g.resolve });
    expect(policy.isAdminAtOnce('U0ADMIN')).toBe(true);
    expect(policy.isAdminAtOnce('U0BOB')).toBe(false);
    expect(policy.canListAllAtOnce('U0ADMIN')).toBe(true);
    // Approvers are a group not looked up yet: unknown, and no look-up is started here.
    expect(policy.canListAllAtOnce('U0BOB')).toBeNull();
    expect(g.calls).toEqual([]);
    await policy.isApprover('U0BOB');
    expect(policy.canListAllAtOnce('U0BOB')).toBe(true);
    expect(policy.canListAllAtOnce('U0EVE')).toBe(false);
  });

  it('answers without waiting when a user id or a cached group already grants', async () => {
    const g = groups({ S0REQ: ['U0ALICE'] });
    const policy = new Policy(makeDoc(), { resolveGroup: g.resolve });
    expect(await withoutWaiting(() => policy.isAdmin('U0ADMIN'))).toBe(true);
    await policy.canRequest('U0ALICE', 'developer');
    g.hold();
    expect(await withoutWaiting(() => policy.canRequest('U0ALICE', 'developer'))).toBe(true);
    // `ops` has its own requesters group, not cached: that role cannot be answered yet.
    expect(await unlessWaiting(() => withoutWaiting(() => policy.canRequest('U0ALICE', 'ops')))).toBe(
      WOULD_WAIT,
    );
    g.release();
  });

  it('keepGroupsWarm looks every policy group up in the background and keeps them cached', async () => {
    const clock = new ManualClock();
    const g = groups({ S0REQ: ['U0ALICE'], S0APPROVERS: ['U0BOB'], S0OPS: [] });
    const policy = new Policy(makeDoc(), { resolveGroup: g.resolve, clock });
    expect(policy.groupIds().sort()).toEqual(['S0APPROVERS', 'S0OPS', 'S0REQ']);
    const stop = policy.keepGroupsWarm(60_000);
    try {
      expect([...g.calls].sort()).toEqual(['S0APPROVERS', 'S0OPS', 'S0REQ']);
      await settled();
      expect(await withoutWaiting(() => policy.isApprover('U0BOB'))).toBe(true);
      expect(await withoutWaiting(() => policy.canRequest('U0ALICE', 'ops'))).toBe(false);
    } finally {
      stop();
    }
  });

  it('never trusts a group past 60 s, and a failing look-up grants nothing (fail closed)', async () => {
    const clock = new ManualClock();
    const g = groups({ S0APPROVERS: ['U0BOB'] });
    const policy = new Policy(makeDoc(), { resolveGroup: g.resolve, clock });
    expect(await policy.isApprover('U0BOB')).toBe(true);
    g.fail(true);
    // A refresh that fails keeps the entry only until it lapses on its own.
    clock.advance(30_000);
    const stop = policy.keepGroupsWarm(60_000);
    stop();
    await settled();
    expect(await withoutWaiting(() => policy.isApprover('U0BOB'))).toBe(true);
    clock.advance(30_000);
    await expect(withoutWaiting(() => policy.isApprover('U0BOB'))).rejects.toBeInstanceOf(WouldWait);
    expect(await policy.isApprover('U0BOB')).toBe(false);
  });
});

describe('Policy: roles its approvers can never approve', () => {
  it('counts the approver groups as Slack has them: a role needing more approvals than members is named', async () => {
    const one = groups({ S0APPROVERS: ['U0BOB'] });
    expect(await new Policy(makeDoc(), { resolveGroup: one.resolve }).unapprovableRoles()).toEqual([
      { roleId: 'ops', approvals: 2, approvers: 1 },
    ]);
    const two = groups({ S0APPROVERS: ['U0BOB', 'U0CAROL'] });
    expect(await new Policy(makeDoc(), { resolveGroup: two.resolve }).unapprovableRoles()).toEqual([]);
  });

  it('a group that cannot be looked up is not taken for an empty one (no false warning)', async () => {
    const g = groups({});
    g.fail(true);
    expect(await new Policy(makeDoc(), { resolveGroup: g.resolve }).unapprovableRoles()).toEqual([]);
  });
});
