/**
 * One of every Refusal, Problem and Done the rules return (src/core/outcomes.ts), each choice of
 * each included, so the word tests render every sentence `src/views/outcomes.ts` can say. The
 * compiler checks the lists stay whole: a new code without a case here fails `satisfies`.
 */
import type { Done, Problem, Refusal } from '../../src/core/outcomes.js';

type Every<T extends { code: string }> = { [C in T['code']]: Extract<T, { code: C }>[] };

export function REFUSALS(name: string, roleLabel: string): Refusal[] {
  const key = { name, suffix: 'WXYZ' };
  const cases = {
    not_owner_or_admin: [{ code: 'not_owner_or_admin' }],
    admins_only: (['audit', 'review', 'reassign', 'lift_leak'] as const).map((what) => ({
      code: 'admins_only' as const,
      what,
    })),
    list_all_restricted: [{ code: 'list_all_restricted' }],
    not_approver: [{ code: 'not_approver' }],
    own_request: [{ code: 'own_request' }],
    not_requester: [{ code: 'not_requester' }],
    keyhouse_key: [{ code: 'keyhouse_key' }],
    may_no_longer_request: [
      { code: 'may_no_longer_request', roleRemoved: true },
      { code: 'may_no_longer_request', roleRemoved: false },
    ],
    key_gone: [{ code: 'key_gone' }],
    request_gone: [{ code: 'request_gone' }],
    role_unknown: [
      { code: 'role_unknown', action: 'extend' },
      { code: 'role_unknown', action: 'rotate' },
    ],
    leaked: [{ code: 'leaked', key }],
    rotated_already: [{ code: 'rotated_already', key, successorSuffix: 'AB12' }],
    rotation_under_way: [{ code: 'rotation_under_way', key }],
    successor_in_overlap: [
      {
        code: 'successor_in_overlap',
        key,
        predecessorSuffix: 'AB12',
        until: new Date('2026-12-01T00:00:00Z'),
      },
    ],
    retired: [{ code: 'retired', key, successorSuffix: 'AB12' }],
    not_leaked: [{ code: 'not_leaked', key }],
    already_approved_by_you: [{ code: 'already_approved_by_you', given: 1, needed: 2 }],
    request_approved: [{ code: 'request_approved' }],
    request_denied: [{ code: 'request_denied' }],
    request_expired: [
      { code: 'request_expired', stage: 'approval' },
      { code: 'request_expired', stage: 'claim' },
      { code: 'request_expired', stage: null },
    ],
    request_not_approved: [{ code: 'request_not_approved' }],
    key_being_created: [{ code: 'key_being_created' }],
    key_already_created: [{ code: 'key_already_created' }],
    change_in_progress: [{ code: 'change_in_progress' }],
    stale_kept: [{ code: 'stale_kept' }],
    keys_limit: [
      { code: 'keys_limit', owned: 1, limit: 1 },
      { code: 'keys_limit', owned: 20, limit: 20 },
    ],
    open_requests_limit: [
      { code: 'open_requests_limit', open: 1, limit: 1 },
      { code: 'open_requests_limit', open: 5, limit: 5 },
    ],
    new_owner_at_limit: [{ code: 'new_owner_at_limit', userId: 'U0NEW', owned: 20, limit: 20 }],
    new_owner_deactivated: [{ code: 'new_owner_deactivated', userId: 'U0NEW' }],
    choose_new_owner: [{ code: 'choose_new_owner' }],
    already_owner: [{ code: 'already_owner', userId: 'U0NEW', key }],
    policy_role_missing: [{ code: 'policy_role_missing', clickhouseRole: 'developer', roleLabel }],
    approval_channel_unreachable: [{ code: 'approval_channel_unreachable', channel: 'C0APPROVALS' }],
    replica_settling: [{ code: 'replica_settling' }],
    create_failed: [
      { code: 'create_failed', leftBehind: true },
      { code: 'create_failed', leftBehind: false },
    ],
    key_withdrawn: (['settled_elsewhere', 'store_failed', 'not_delivered'] as const).map((why) => ({
      code: 'key_withdrawn' as const,
      why,
    })),
    owner_changed: [{ code: 'owner_changed' }],
    owner_active: [{ code: 'owner_active' }],
    service_role_busy: [{ code: 'service_role_busy' }],
    service_role_conflict: [{ code: 'service_role_conflict', roleName: roleLabel }],
    break_glass_review_open: [{ code: 'break_glass_review_open' }],
    break_glass_unreviewed: [{ code: 'break_glass_unreviewed', key: { name: roleLabel, suffix: 'WXYZ' } }],
    not_break_glass: [{ code: 'not_break_glass' }],
    break_glass_reviewed: (['keep', 'revoke'] as const).map((decision) => ({
      code: 'break_glass_reviewed' as const,
      decision,
      by: 'U0BOB',
    })),
    destination_unavailable: [{ code: 'destination_unavailable', destinationId: 'terraform-prod' }],
    destination_taken: [
      {
        code: 'destination_taken',
        place: {
          kind: 'github',
          repository: 'acme/infra',
          environment: 'production',
          names: ['CLICKHOUSE_KEY_ID', 'CLICKHOUSE_KEY_SECRET'],
        },
        key,
      },
      { code: 'destination_taken', place: { kind: 'vault', path: 'secret/clickhouse/etl' }, key: null },
    ],
  } satisfies Every<Refusal>;
  return Object.values(cases).flat();
}

export function PROBLEMS(hint: string, roleLabel: string): Problem[] {
  const cases = {
    key_name_empty: [{ code: 'key_name_empty' }],
    key_name_too_long: [{ code: 'key_name_too_long', max: 64 }],
    key_name_pattern: [
      { code: 'key_name_pattern', hint: null, pattern: '^[a-z0-9-]{3,41}$' },
      { code: 'key_name_pattern', hint, pattern: '^x$' },
    ],
    reason_missing: [{ code: 'reason_missing' }],
    reason_too_short: [{ code: 'reason_too_short', min: 10 }],
    reason_too_long: [{ code: 'reason_too_long', max: 2000 }],
    ip_invalid: [{ code: 'ip_invalid', line: 3, source: '300.1.1.1' }],
    ip_description_too_long: [{ code: 'ip_description_too_long', line: 2, max: 255 }],
    ip_too_many: [{ code: 'ip_too_many', line: 31, max: 30 }],
    may_not_request_role: [{ code: 'may_not_request_role' }],
    may_not_extend: [{ code: 'may_not_extend', roleLabel }],
    expiry_too_long: [{ code: 'expiry_too_long', roleLabel, maxExpiry: '90d' }],
    expiry_beyond_role: [{ code: 'expiry_beyond_role', roleLabel, maxExpiry: '90d' }],
    role_gone: [{ code: 'role_gone' }],
    role_needed_for_expiry: [{ code: 'role_needed_for_expiry' }],
    overlap_not_offered: [{ code: 'overlap_not_offered' }],
    stale_dialog: [{ code: 'stale_dialog' }],
    services_none: [{ code: 'services_none' }],
    service_not_offered: [{ code: 'service_not_offered', serviceId: '11111111-1111-4111-8111-111111111111' }],
    refused: [{ code: 'refused', refusal: { code: 'keys_limit', owned: 20, limit: 20 } }],
    break_glass_not_offered: [{ code: 'break_glass_not_offered', roleLabel }],
    destination_not_offered: [{ code: 'destination_not_offered' }],
  } satisfies Every<Problem>;
  return Object.values(cases).flat();
}

export function DONES(name: string, roleLabel: string): Done[] {
  const key = { name, suffix: 'WXYZ' };
  const cases = {
    state_changed: [
      { code: 'state_changed', key, state: 'enabled', already: false },
      { code: 'state_changed', key, state: 'disabled', already: false },
      { code: 'state_changed', key, state: 'enabled', already: true },
      { code: 'state_changed', key, state: 'disabled', already: true },
    ],
    deleted: [{ code: 'deleted', key }],
    renamed: [{ code: 'renamed', from: name, to: `${name.slice(0, -1)}2` }],
    expiry_set: [
      { code: 'expiry_set', keyName: name, expireAt: new Date('2026-12-27T14:00:00Z') },
      { code: 'expiry_set', keyName: name, expireAt: null },
    ],
    change_requested: [
      { code: 'change_requested', keyName: name, needsApproval: true, roleLabel },
      { code: 'change_requested', keyName: name, needsApproval: false, roleLabel },
    ],
    nothing_to_change: [{ code: 'nothing_to_change' }],
    rotation_requested: [
      { code: 'rotation_requested', key, needsApproval: true, place: null },
      { code: 'rotation_requested', key, needsApproval: false, place: null },
      {
        code: 'rotation_requested',
        key,
        needsApproval: false,
        place: { kind: 'vault', path: 'secret/clickhouse/tf-prod' },
      },
      {
        code: 'rotation_requested',
        key,
        needsApproval: false,
        place: {
          kind: 'github',
          repository: 'acme/infra',
          environment: 'production',
          names: ['CLICKHOUSE_KEY_ID', 'CLICKHOUSE_KEY_SECRET'],
        },
      },
    ],
    reassigned: [{ code: 'reassigned', key, to: 'U0NEW' }],
    leak_lifted: [{ code: 'leak_lifted', key }],
    several: [{ code: 'several', done: [{ code: 'deleted', key }, { code: 'nothing_to_change' }] }],
  } satisfies Every<Done>;
  return Object.values(cases).flat();
}
