import { describe, expect, it } from 'vitest';
import type { Problem } from '../../src/core/outcomes.js';
import { problemText } from '../../src/views/outcomes.js';

/** What a person reads for a problem (null when there is none). */
const said = (problem: Problem | null) => (problem ? problemText(english, problem) : null);

import { RE2JS } from 're2js';
import { DEFAULT_KEY_NAME_PATTERN } from '../../src/core/policy-model.js';
import { createLogger } from '../../src/logger.js';
import { type GroupResolver, Policy, type PolicyDocument, validatePolicy } from '../../src/policy/index.js';
import { compileKeyNamePattern } from '../../src/policy/key-name.js';
import { ManualClock } from '../support/clock.js';
import { english } from '../support/words.js';

const DAY = 86_400_000;

type RawRole = { id: string; maxExpiry?: string; approvals?: number; requesters?: string[] };

/** A valid policy document from raw fields, through the real schema. */
function makeDoc(
  overrides: Record<string, unknown> = {},
  roles: RawRole[] = [{ id: 'developer' }],
): PolicyDocument {
  const result = validatePolicy({
    approvalChannel: 'C0APPROVALS',
    approvers: ['U0APPROVER', 'S0APPROVERS'],
    admins: ['U0ADMIN', 'S0ADMINS'],
    roles: roles.map((r) => ({
      label: r.id,
      grant: { roles: ['developer'] },
      maxExpiry: '90d',
      approvals: 1,
      ...r,
    })),
    ...overrides,
  });
  if ('problems' in result) throw new Error(JSON.stringify(result.problems));
  return result.doc;
}

/** A resolver over a fixed table that counts and can hold or fail its calls. */
function fakeGroups(groups: Record<string, string[]>) {
  const calls: string[] = [];
  let failing = false;
  let gate: Promise<void> | null = null;
  const resolve: GroupResolver = async (groupId) => {
    calls.push(groupId);
    if (gate) await gate;
    if (failing) throw new Error(`usergroups.users.list failed for ${groupId}`);
    return groups[groupId] ?? [];
  };
  return {
    resolve,
    calls,
    fail(on: boolean) {
      failing = on;
    },
    hold(): () => void {
      let open!: () => void;
      gate = new Promise((r) => {
        open = r;
      });
      return () => {
        gate = null;
        open();
      };
    },
  };
}

const noGroups: GroupResolver = async () => [];

describe('Policy: requesting', () => {
  it('lets the global requesters request every role without its own list', async () => {
    const groups = fakeGroups({ S0DATA: ['U0DATA'] });
    const policy = new Policy(
      makeDoc({ requesters: ['U0ALICE', 'S0DATA'] }, [{ id: 'developer' }, { id: 'readonly' }]),
      { resolveGroup: groups.resolve },
    );
    expect((await policy.requestableRoles('U0ALICE')).map((r) => r.id)).toEqual(['developer', 'readonly']);
    expect((await policy.requestableRoles('U0DATA')).map((r) => r.id)).toEqual(['developer', 'readonly']);
    expect(await policy.requestableRoles('U0MALLORY')).toEqual([]);
  });

  it("uses a role's own requesters instead of the global list", async () => {
    const policy = new Policy(
      makeDoc({ requesters: ['U0ALICE'] }, [
        { id: 'developer' },
        { id: 'admin', requesters: ['U0BOB'] },
        { id: 'query', requesters: ['*'] },
      ]),
      { resolveGroup: noGroups },
    );
    expect((await policy.requestableRoles('U0ALICE')).map((r) => r.id)).toEqual(['developer', 'query']);
    expect((await policy.requestableRoles('U0BOB')).map((r) => r.id)).toEqual(['admin', 'query']);
    expect((await policy.requestableRoles('W0GUEST')).map((r) => r.id)).toEqual(['query']);
    expect(await policy.canRequest('U0BOB', 'admin')).toBe(true);
    expect(await policy.canRequest('U0ALICE', 'admin')).toBe(false);
    expect(await policy.canRequest('U0ALICE', 'no-such-role')).toBe(false);
  });

  it('finds roles by id', () => {
    const policy = new Policy(makeDoc(), { resolveGroup: noGroups });
    expect(policy.role('developer')?.label).toBe('developer');
    expect(policy.role('nope')).toBeUndefined();
  });
});

describe('Policy: group membership', () => {
  it('caches a group for at most 60 s', async () => {
    const clock = new ManualClock();
    const groups = fakeGroups({ S0APPROVERS: ['U0CAROL'] });
    const policy = new Policy(makeDoc(), { resolveGroup: groups.resolve, clock });

    expect(await policy.isApprover('U0CAROL')).toBe(true);
    expect(await policy.isApprover('U0DAVE')).toBe(false);
    clock.advance(59_999);
    expect(await policy.isApprover('U0CAROL')).toBe(true);
    expect(groups.calls).toEqual(['S0APPROVERS']);

    clock.advance(1);
    expect(await policy.isApprover('U0CAROL')).toBe(true);
    expect(groups.calls).toEqual(['S0APPROVERS', 'S0APPROVERS']);
  });

  it('sees a membership change once the cache lapses', async () => {
    const clock = new ManualClock();
    const table = { S0APPROVERS: ['U0CAROL'] };
    const policy = new Policy(makeDoc(), {
      resolveGroup: fakeGroups(table).resolve,
      clock,
      groupCacheTtlMs: 10_000,
    });
    expect(await policy.isApprover('U0CAROL')).toBe(true);
    table.S0APPROVERS = [];
    expect(await policy.isApprover('U0CAROL')).toBe(true);
    clock.advance(10_000);
    expect(await policy.isApprover('U0CAROL')).toBe(false);
  });

  it('does not look groups up when a user id or "*" already answers', async () => {
    const groups = fakeGroups({});
    const policy = new Policy(makeDoc(), { resolveGroup: groups.resolve });
    expect(await policy.isApprover('U0APPROVER')).toBe(true);
    expect(await policy.canRequest('U0ANYONE', 'developer')).toBe(true);
    expect(groups.calls).toEqual([]);
  });

  it('coalesces concurrent look-ups of one group', async () => {
    const groups = fakeGroups({ S0APPROVERS: ['U0CAROL'] });
    const policy = new Policy(makeDoc(), { resolveGroup: groups.resolve });
    const release = groups.hold();
    const answers = Promise.all([
      policy.isApprover('U0CAROL'),
      policy.isApprover('U0DAVE'),
      policy.canListAll('U0CAROL'),
    ]);
    release();
    expect(await answers).toEqual([true, false, true]);
    expect(groups.calls.filter((g) => g === 'S0APPROVERS')).toHaveLength(1);
  });

  it('fails closed when the resolver fails, logs it, and does not cache the failure', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'warn',
      destination: { write: (line: string) => void lines.push(line) },
    });
    const groups = fakeGroups({ S0ADMINS: ['U0ERIN'] });
    const policy = new Policy(makeDoc(), { resolveGroup: groups.resolve, logger });

    groups.fail(true);
    expect(await policy.isAdmin('U0ERIN')).toBe(false);
    expect(await policy.canManageKey('U0ERIN', null)).toBe(false);
    expect(lines.length).toBeGreaterThan(0);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ level: 40, groupId: 'S0ADMINS' });

    groups.fail(false);
    expect(await policy.isAdmin('U0ERIN')).toBe(true);
    expect(groups.calls.filter((g) => g === 'S0ADMINS')).toHaveLength(3);
  });

  it('fails closed when the resolver throws synchronously', async () => {
    const policy = new Policy(makeDoc(), {
      resolveGroup: () => {
        throw new Error('not even a promise');
      },
    });
    expect(await policy.isApprover('U0CAROL')).toBe(false);
  });

  it('refuses a cache longer than 60 s', () => {
    expect(() => new Policy(makeDoc(), { resolveGroup: noGroups, groupCacheTtlMs: 60_001 })).toThrow(
      RangeError,
    );
  });
});

describe('Policy: expiry choices', () => {
  const values = (policy: Policy, roleId: string) => policy.expiryChoices(roleId).map((c) => c.value);
  const policy = new Policy(
    makeDoc({}, [
      { id: 'd90', maxExpiry: '90d' },
      { id: 'd45', maxExpiry: '45d' },
      { id: 'never', maxExpiry: 'never' },
      { id: 'h12', maxExpiry: '12h' },
      { id: 'h24', maxExpiry: '24h' },
      { id: 'd365', maxExpiry: '365d' },
    ]),
    { resolveGroup: noGroups },
  );

  it('caps the ladder at maxExpiry', () => {
    expect(values(policy, 'd90')).toEqual(['1d', '7d', '30d', '90d']);
    expect(values(policy, 'd365')).toEqual(['1d', '7d', '30d', '90d', '180d', '365d']);
    expect(values(policy, 'never')).toEqual(['1d', '7d', '30d', '90d', '180d', '365d', 'never']);
  });

  it('offers maxExpiry itself when it is not on the ladder', () => {
    expect(values(policy, 'd45')).toEqual(['1d', '7d', '30d', '45d']);
    expect(values(policy, 'h12')).toEqual(['12h']);
    expect(values(policy, 'h24')).toEqual(['1d']);
  });

  it('labels and sizes each choice', () => {
    expect(policy.expiryChoices('d45')).toEqual([
      { value: '1d', label: '1 day', ms: DAY },
      { value: '7d', label: '7 days', ms: 7 * DAY },
      { value: '30d', label: '30 days', ms: 30 * DAY },
      { value: '45d', label: '45 days', ms: 45 * DAY },
    ]);
    expect(policy.expiryChoices('never').at(-1)).toEqual({ value: 'never', label: 'Never', ms: null });
    expect(policy.expiryChoices('h12')).toEqual([{ value: '12h', label: '12 hours', ms: 12 * 3_600_000 }]);
    expect(policy.expiryChoices('unknown')).toEqual([]);
  });

  it('allows only the offered values', () => {
    expect(policy.isExpiryAllowed('d90', '90d')).toBe(true);
    expect(policy.isExpiryAllowed('d90', '180d')).toBe(false);
    expect(policy.isExpiryAllowed('d90', 'never')).toBe(false);
    expect(policy.isExpiryAllowed('d45', '45d')).toBe(true);
    expect(policy.isExpiryAllowed('d45', '40d')).toBe(false);
    expect(policy.isExpiryAllowed('never', 'never')).toBe(true);
    expect(policy.isExpiryAllowed('unknown', '1d')).toBe(false);
  });
});

describe('Policy: approving', () => {
  const request = { requesterId: 'U0APPROVER' };

  it('refuses a non-approver', async () => {
    const policy = new Policy(makeDoc(), { resolveGroup: noGroups });
    expect(await policy.approvalRefusal('U0RANDOM', request)).toBe('not_approver');
    expect(await policy.approvalRefusal('U0APPROVER', { requesterId: 'U0OTHER' })).toBeNull();
  });

  it('refuses self-approval unless the policy allows it', async () => {
    const strict = new Policy(makeDoc(), { resolveGroup: noGroups });
    expect(await strict.approvalRefusal('U0APPROVER', request)).toBe('self_approval');
    const relaxed = new Policy(makeDoc({ selfApproval: true }), { resolveGroup: noGroups });
    expect(await relaxed.approvalRefusal('U0APPROVER', request)).toBeNull();
    expect(await relaxed.approvalRefusal('U0RANDOM', { requesterId: 'U0RANDOM' })).toBe('not_approver');
  });

  it('counts approvers from groups', async () => {
    const policy = new Policy(makeDoc(), { resolveGroup: fakeGroups({ S0APPROVERS: ['U0CAROL'] }).resolve });
    expect(await policy.approvalRefusal('U0CAROL', request)).toBeNull();
  });
});

describe('Policy: managing keys', () => {
  const policy = new Policy(makeDoc(), { resolveGroup: fakeGroups({ S0ADMINS: ['U0GRACE'] }).resolve });

  it('lets the owner and admins manage a key', async () => {
    expect(await policy.canManageKey('U0OWNER', 'U0OWNER')).toBe(true);
    expect(await policy.canManageKey('U0ADMIN', 'U0OWNER')).toBe(true);
    expect(await policy.canManageKey('U0GRACE', 'U0OWNER')).toBe(true);
    expect(await policy.canManageKey('U0OTHER', 'U0OWNER')).toBe(false);
  });

  it('leaves keys made outside Keyhouse to admins', async () => {
    expect(await policy.canManageKey('U0ADMIN', null)).toBe(true);
    expect(await policy.canManageKey('U0OWNER', null)).toBe(false);
  });

  it('lets approvers and admins list all keys', async () => {
    expect(await policy.canListAll('U0APPROVER')).toBe(true);
    expect(await policy.canListAll('U0ADMIN')).toBe(true);
    expect(await policy.canListAll('U0GRACE')).toBe(true);
    expect(await policy.canListAll('U0OWNER')).toBe(false);
  });

  it('names the admins to ask as mentions', () => {
    expect(policy.adminsToAsk()).toBe('<@U0ADMIN>, <!subteam^S0ADMINS>');
  });
});

describe('Policy: validating input', () => {
  it('checks key names against the default pattern and the 64-character cap', () => {
    const policy = new Policy(makeDoc(), { resolveGroup: noGroups });
    expect(said(policy.validateKeyName('etl-loader_v2.prod'))).toBeNull();
    expect(said(policy.validateKeyName('a'.repeat(64)))).toBeNull();
    expect(said(policy.validateKeyName('a'.repeat(65)))).toBe('Use at most 64 characters.');
    expect(said(policy.validateKeyName(''))).toBe('Enter a key name.');
    expect(said(policy.validateKeyName('bad/name'))).toBe(
      'Use 1–64 letters, digits, spaces, dots, dashes or underscores.',
    );
  });

  it('the default pattern (matched without loading RE2) accepts exactly the names RE2 accepts', () => {
    const re2 = RE2JS.compile(`^(?:${DEFAULT_KEY_NAME_PATTERN})$`);
    const ours = compileKeyNamePattern(DEFAULT_KEY_NAME_PATTERN);
    const names = [
      'etl-loader_v2.prod',
      'a',
      'a'.repeat(64),
      'a'.repeat(65),
      '',
      ' ',
      'name\n',
      '\nname',
      'line\nbreak',
      'tab\tname',
      'bad/name',
      'é-accent',
      '키',
      'a$',
      '^a',
      'dots...and--dashes__',
      'UPPER lower 0123',
      'name\r',
      'emoji-🔑',
      'a\u0000b',
    ];
    for (const name of names) expect([name, ours.matches(name)]).toEqual([name, re2.matches(name)]);
    // And a property-style sweep over short strings of the class's edge characters.
    const alphabet = ['a', 'Z', '0', ' ', '_', '.', '-', '/', '\n', '$', '^', '[', 'é'];
    for (const x of alphabet)
      for (const y of alphabet) expect(ours.matches(`${x}${y}`)).toBe(re2.matches(`${x}${y}`));
  });

  it('matches a custom pattern as a whole, and caps length regardless of the pattern', () => {
    const policy = new Policy(makeDoc({ keyName: { pattern: '[a-z]+', hint: 'Lowercase letters only.' } }), {
      resolveGroup: noGroups,
    });
    expect(said(policy.validateKeyName('abc'))).toBeNull();
    // Unanchored in the file, still a whole-name match.
    expect(said(policy.validateKeyName('abc1'))).toBe('Lowercase letters only.');
    expect(said(policy.validateKeyName('a'.repeat(65)))).toBe('Use at most 64 characters.');

    const noHint = new Policy(makeDoc({ keyName: { pattern: '^k-[0-9]+$' } }), { resolveGroup: noGroups });
    expect(said(noHint.validateKeyName('k-12'))).toBeNull();
    expect(said(noHint.validateKeyName('k-x'))).toBe('The name must match the pattern ^k-[0-9]+$');
  });

  it('runs every pattern in linear time: a nested quantifier answers a long near-match with the hint', () => {
    // On a backtracking engine (a+)+$ takes exponential time on "aaa…a!"; the old code refused
    // such patterns at start and bounded every match by a 50 ms wall-clock deadline, which a busy
    // machine missed for valid names too. RE2 needs neither.
    const doc = makeDoc({ keyName: { pattern: '(a+)+$', hint: 'Only the letter a.' } });
    const policy = new Policy(doc, { resolveGroup: noGroups });
    expect(said(policy.validateKeyName(`${'a'.repeat(63)}!`))).toBe('Only the letter a.');
    expect(said(policy.validateKeyName('a'.repeat(64)))).toBeNull();
    for (let i = 0; i < 2_000; i++) expect(said(policy.validateKeyName(`a${'a'.repeat(i % 63)}`))).toBeNull();
  });

  it('checks the reason against the policy', () => {
    const policy = new Policy(makeDoc(), { resolveGroup: noGroups });
    expect(said(policy.validateReason(''))).toBe('Please give a reason.');
    expect(said(policy.validateReason('   '))).toBe('Please give a reason.');
    expect(said(policy.validateReason('too short'))).toBe('Please give a reason of at least 10 characters.');
    expect(said(policy.validateReason('nightly ETL for the billing dashboard'))).toBeNull();
    expect(said(policy.validateReason('x'.repeat(2001)))).toBe(
      'Please keep the reason to 2000 characters or fewer.',
    );

    const optional = new Policy(makeDoc({ reason: { required: false, maxLength: 20 } }), {
      resolveGroup: noGroups,
    });
    expect(said(optional.validateReason(''))).toBeNull();
    expect(said(optional.validateReason('ok'))).toBeNull();
    expect(said(optional.validateReason('x'.repeat(21)))).toBe(
      'Please keep the reason to 20 characters or fewer.',
    );
  });
});
