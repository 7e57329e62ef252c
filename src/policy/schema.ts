import { z } from 'zod';
import {
  checkDuration,
  DAY_MS,
  DURATION_EXPECTED,
  DURATION_OR_NEVER_EXPECTED,
  durationText,
  HOUR_MS,
} from '../core/duration.js';
import { DEFAULT_LOCALE, LOCALES } from '../core/locale.js';
import {
  type ApprovalRemindersPolicy,
  type AutoApprovePolicy,
  type BreakGlassPolicy,
  DEFAULT_KEY_NAME_HINT,
  DEFAULT_KEY_NAME_PATTERN,
  LEAK_ACTIONS,
  LEGACY_KEY_ROLES,
  type LifecyclePolicy,
  MAX_APPROVALS,
  MAX_REASON_LENGTH,
  MAX_ROLES,
  OFFBOARDING_ACTIONS,
  type PolicyDocument,
  type PolicyRole,
  type RoleGrant,
  UNMANAGED_KEY_ACTIONS,
} from '../core/policy-model.js';
import { SERVICE_ACCESS } from '../core/service-access.js';
import { deepFreeze } from '../util/deep-freeze.js';
import { isIpv4OrCidr, MAX_IP_DESCRIPTION, MAX_IP_ENTRIES } from './ip-list.js';

export * from '../core/policy-model.js';

import { compileKeyNamePattern } from './key-name.js';

/**
 * The policy file's schema (product.md §5) and the typed, frozen document it turns into.
 * Durations become milliseconds here, so nothing downstream parses `24h` again.
 */

const USER_ID = /^[UW][A-Z0-9]{2,20}$/;
const GROUP_ID = /^S[A-Z0-9]{2,20}$/;
const CHANNEL_ID = /^[CG][A-Z0-9]{2,20}$/;
const ROLE_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUserId(id: string): boolean {
  return USER_ID.test(id);
}

export function isGroupId(id: string): boolean {
  return GROUP_ID.test(id);
}

const MEMBER_EXPECTED = 'is not "*", a user ID (U…/W…) or a user-group ID (S…)';

const member = z.string().refine((id) => id === '*' || isUserId(id) || isGroupId(id), {
  error: (issue) => `"${String(issue.input)}" ${MEMBER_EXPECTED}`,
});

// "Everyone is an admin" would let anyone manage every key in the organization; the policy must
// name admins so a refusal can tell people whom to ask.
const adminMember = z.string().refine((id) => isUserId(id) || isGroupId(id), {
  error: (issue) =>
    issue.input === '*'
      ? '"*" is not allowed for admins (admins manage every key): list user or group IDs'
      : `"${String(issue.input)}" is not a user ID (U…/W…) or a user-group ID (S…)`,
});

function durationString(expected: string) {
  return z.string({ error: (issue) => (issue.input === undefined ? 'is required' : expected) });
}

/** `<n>h` or `<n>d`, greater than zero, in milliseconds. */
const ttl = durationString(DURATION_EXPECTED).transform((text, ctx): number => {
  const result = checkDuration(text);
  if ('error' in result || result.ms === null) {
    ctx.addIssue({ code: 'custom', message: 'error' in result ? result.error : DURATION_EXPECTED });
    return z.NEVER;
  }
  return result.ms;
});

/** `<n>h`, `<n>d` or `never` (null). */
const maxExpiry = durationString(DURATION_OR_NEVER_EXPECTED).transform((text, ctx): number | null => {
  const result = checkDuration(text, { allowNever: true });
  if ('error' in result) {
    ctx.addIssue({ code: 'custom', message: result.error });
    return z.NEVER;
  }
  return result.ms;
});

const channelId = z.string().regex(CHANNEL_ID, {
  error: (issue) =>
    `"${String(issue.input)}" is not a channel ID (C… or G…; find it at the bottom of the channel's details)`,
});

const ipEntry = z.strictObject({
  source: z.string().refine(isIpv4OrCidr, {
    error: (issue) => `"${String(issue.input)}" is not an IPv4 address or CIDR`,
  }),
  description: z.string().max(MAX_IP_DESCRIPTION).optional(),
});

/** A service name pattern (`*` stands for any run of characters) or a service id. */
const servicePattern = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9 _*-]+$/, {
    error: (issue) =>
      `"${String(issue.input)}" is not a service name, pattern or id: use letters, digits, spaces, "_", "-" and "*"`,
  });

const grant = z
  .strictObject({
    services: z.array(servicePattern).min(1).max(50).optional(),
    access: z.enum(SERVICE_ACCESS).optional(),
    roles: z.array(z.enum(LEGACY_KEY_ROLES)).min(1).optional(),
    roleNames: z.array(z.string().trim().min(1).max(200)).min(1).optional(),
    roleIds: z
      .array(z.string().regex(UUID, { error: (issue) => `"${String(issue.input)}" is not a role UUID` }))
      .min(1)
      .optional(),
  })
  .transform((value, ctx): RoleGrant => {
    const given = (['services', 'roles', 'roleNames', 'roleIds'] as const).filter(
      (k) => value[k] !== undefined,
    );
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          given.length === 0
            ? 'needs one of services, roles, roleNames or roleIds'
            : `has ${given.join(' and ')}: give exactly one of services, roles, roleNames or roleIds`,
      });
      return z.NEVER;
    }
    if ((value.services === undefined) !== (value.access === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message:
          value.services === undefined
            ? 'access goes with services: give the services the key may reach'
            : `services needs access: one of ${SERVICE_ACCESS.join(', ')}`,
      });
      return z.NEVER;
    }
    if (value.services && value.access) return { services: value.services, access: value.access };
    if (value.roles) return { roles: value.roles };
    if (value.roleNames) return { roleNames: value.roleNames };
    return { roleIds: value.roleIds ?? [] };
  });

const groupId = z.string().refine(isGroupId, {
  error: (issue) =>
    `"${String(issue.input)}" is not a user-group ID (S…): on-call approval follows a group the on-call tool keeps in sync`,
});

const autoApprove = z.strictObject({ whenIn: z.array(groupId).min(1), maxExpiry: ttl }).transform(
  ({ whenIn, maxExpiry: ms }): AutoApprovePolicy => ({
    whenIn,
    maxExpiry: durationText(ms),
    maxExpiryMs: ms,
  }),
);

const breakGlass = z.strictObject({ maxExpiry: ttl, reviewWithin: ttl }).transform(
  ({ maxExpiry: ms, reviewWithin }): BreakGlassPolicy => ({
    maxExpiry: durationText(ms),
    maxExpiryMs: ms,
    reviewWithin: durationText(reviewWithin),
    reviewWithinMs: reviewWithin,
  }),
);

const role = z
  .strictObject({
    id: z.string().regex(ROLE_ID, {
      error: (issue) =>
        `"${String(issue.input)}" is not a role id: use 1–64 of a-z, 0-9, "_" and "-", starting with a letter or digit`,
    }),
    label: z.string().trim().min(1).max(75),
    grant,
    maxExpiry,
    approvals: z.int().min(0).max(MAX_APPROVALS),
    requesters: z.array(member).min(1).optional(),
    approvalChannel: channelId.optional(),
    autoApprove: autoApprove.optional(),
    breakGlass: breakGlass.optional(),
  })
  .transform(
    ({ maxExpiry: ms, requesters, approvalChannel, autoApprove, breakGlass, ...rest }): PolicyRole => ({
      ...rest,
      maxExpiry: durationText(ms),
      maxExpiryMs: ms,
      ...(requesters ? { requesters } : {}),
      ...(approvalChannel ? { approvalChannel } : {}),
      ...(autoApprove ? { autoApprove } : {}),
      ...(breakGlass ? { breakGlass } : {}),
    }),
  );

/** `<n>h`, `<n>d` or `never` (null) for an optional timer. */
const durationOrNever = maxExpiry;

const lifecycle = z
  .strictObject({
    expiryWarnings: z
      .array(ttl)
      .max(10)
      .default([7 * DAY_MS, DAY_MS]),
    deleteExpiredAfter: durationOrNever.default(null),
    staleAfter: durationOrNever.default(30 * DAY_MS),
    rotationOverlap: ttl.default(DAY_MS),
    offboarding: z.enum(OFFBOARDING_ACTIONS).default('disable'),
  })
  .transform(
    (value): LifecyclePolicy => ({
      // Longest first, each threshold once: a key is warned at each, from the earliest.
      expiryWarningsMs: [...new Set(value.expiryWarnings)].sort((a, b) => b - a),
      deleteExpiredAfterMs: value.deleteExpiredAfter,
      staleAfterMs: value.staleAfter,
      rotationOverlapMs: value.rotationOverlap,
      offboarding: value.offboarding,
    }),
  );

const approvalReminders = z
  .strictObject({
    remindAfter: durationOrNever.default(4 * HOUR_MS),
    escalateAfter: durationOrNever.default(12 * HOUR_MS),
  })
  .transform(
    (value): ApprovalRemindersPolicy => ({
      remindAfterMs: value.remindAfter,
      escalateAfterMs: value.escalateAfter,
    }),
  );

const limits = z.strictObject({
  pendingPerUser: z.int().min(1).max(1000).default(5),
  keysPerUser: z.int().min(1).max(1000).default(20),
});

const security = z.strictObject({
  channel: channelId.optional(),
  leakAction: z.enum(LEAK_ACTIONS).default('disable'),
  unmanagedKeys: z.enum(UNMANAGED_KEY_ACTIONS).default('report'),
  // GitHub's name for the ClickHouse custom pattern is the organization's own (github-and-vault.md §6).
  github: z
    .strictObject({ secretTypes: z.array(z.string().min(1).max(200)).max(50).default([]) })
    .default({ secretTypes: [] }),
});

const reason = z
  .strictObject({
    required: z.boolean().default(true),
    // Default 10 when a reason is required; when it is optional, any reason given is fine.
    minLength: z.int().min(0).max(MAX_REASON_LENGTH).optional(),
    maxLength: z.int().min(1).max(MAX_REASON_LENGTH).default(2000),
  })
  .transform((value, ctx) => {
    const minLength = value.minLength ?? (value.required ? 10 : 0);
    if (minLength > value.maxLength) {
      ctx.addIssue({
        code: 'custom',
        path: ['minLength'],
        message: `is more than maxLength (${value.maxLength})`,
      });
      return z.NEVER;
    }
    return { required: value.required, minLength, maxLength: value.maxLength };
  })
  .default({ required: true, minLength: 10, maxLength: 2000 });

const keyName = z
  .strictObject({
    pattern: z
      .string()
      .min(1)
      .superRefine((pattern, ctx) => {
        // Patterns run on RE2 (linear time); what it cannot run (backreferences, lookaround) is
        // refused here rather than at the first request.
        try {
          compileKeyNamePattern(pattern);
        } catch (error) {
          ctx.addIssue({
            code: 'custom',
            message: `is not a regular expression Keyhouse can run (RE2 syntax: no backreferences or lookaround): ${(error as Error).message}`,
          });
        }
      })
      .optional(),
    hint: z.string().trim().min(1).max(150).optional(),
  })
  .transform((value) => ({
    pattern: value.pattern ?? DEFAULT_KEY_NAME_PATTERN,
    // A custom pattern without a hint gets none (the default hint would describe the wrong rule);
    // users are then shown the pattern itself.
    hint: value.hint ?? (value.pattern === undefined ? DEFAULT_KEY_NAME_HINT : null),
  }))
  .default({ pattern: DEFAULT_KEY_NAME_PATTERN, hint: DEFAULT_KEY_NAME_HINT });

export const policySchema = z.strictObject({
  approvalChannel: channelId,
  requesters: z.array(member).min(1).default(['*']),
  approvers: z.array(member).default([]),
  admins: z.array(adminMember).min(1),
  locale: z.enum(LOCALES).default(DEFAULT_LOCALE),
  selfApproval: z.boolean().default(false),
  requestTtl: ttl.default(DAY_MS),
  claimTtl: ttl.default(DAY_MS),
  reason,
  keyName,
  defaultIpAccessList: z
    .array(ipEntry)
    .min(1, { error: 'must not be empty (an empty list makes a key usable from nowhere)' })
    .max(MAX_IP_ENTRIES)
    .default([{ source: '0.0.0.0/0', description: 'anywhere' }]),
  roles: z.array(role).min(1).max(MAX_ROLES),
  lifecycle: lifecycle.default(() => lifecycle.parse({})),
  approvalReminders: approvalReminders.default(() => approvalReminders.parse({})),
  limits: limits.default({ pendingPerUser: 5, keysPerUser: 20 }),
  security: security.default({ leakAction: 'disable', unmanagedKeys: 'report', github: { secretTypes: [] } }),
});

/** The keys a policy file may have at the top level, for "did you mean" hints. */
export const POLICY_FIELDS = Object.keys(policySchema.shape);

/** One problem found in a policy, with its path inside the document (`['roles', 1, 'maxExpiry']`). */
export interface PolicyProblem {
  path: readonly (string | number)[];
  message: string;
}

/**
 * Validates parsed policy data. Returns the frozen document, or every problem found: the schema's
 * and the cross-field checks' (which run on the raw data, so they are reported even when other
 * fields are wrong).
 */
export function validatePolicy(data: unknown): { doc: PolicyDocument } | { problems: PolicyProblem[] } {
  const parsed = policySchema.safeParse(data, { error: describeIssue });
  const problems: PolicyProblem[] = parsed.success ? [] : parsed.error.issues.flatMap(toProblems);
  problems.push(...crossChecks(data));
  if (problems.length > 0 || !parsed.success) return { problems };
  const { requestTtl, claimTtl, security, ...rest } = parsed.data;
  return {
    doc: deepFreeze({
      ...rest,
      requestTtlMs: requestTtl,
      claimTtlMs: claimTtl,
      security: { ...security, channel: security.channel ?? rest.approvalChannel },
    }),
  };
}

/** `['roles', 1, 'maxExpiry']` → `roles[1].maxExpiry`; the document itself is `(top level)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
}

function toProblems(issue: z.core.$ZodIssue): PolicyProblem[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    // One problem per key, at the key's own path, so a typo is pointed at exactly.
    return issue.keys.map((key) => ({ path: [...path, key], message: unknownFieldMessage(key, path) }));
  }
  return [{ path, message: issue.message }];
}

function unknownFieldMessage(key: string, parent: readonly (string | number)[]): string {
  const allowed = knownFields(parent);
  const close = allowed.find((field) => editDistance(field.toLowerCase(), key.toLowerCase()) <= 2);
  if (close) return `unknown field (did you mean "${close}"?)`;
  return allowed.length > 0 ? `unknown field (expected one of ${allowed.join(', ')})` : 'unknown field';
}

function knownFields(parent: readonly (string | number)[]): string[] {
  const names = parent.filter((p): p is string => typeof p === 'string');
  const last = names.at(-1);
  if (parent.length === 0) return POLICY_FIELDS;
  if (last === 'roles')
    return [
      'id',
      'label',
      'grant',
      'maxExpiry',
      'approvals',
      'requesters',
      'approvalChannel',
      'autoApprove',
      'breakGlass',
    ];
  if (last === 'autoApprove') return ['whenIn', 'maxExpiry'];
  if (last === 'breakGlass') return ['maxExpiry', 'reviewWithin'];
  if (last === 'lifecycle')
    return ['expiryWarnings', 'deleteExpiredAfter', 'staleAfter', 'rotationOverlap', 'offboarding'];
  if (last === 'approvalReminders') return ['remindAfter', 'escalateAfter'];
  if (last === 'limits') return ['pendingPerUser', 'keysPerUser'];
  if (last === 'security') return ['channel', 'leakAction', 'unmanagedKeys', 'github'];
  if (last === 'github') return ['secretTypes'];
  if (last === 'grant') return ['services', 'access', 'roles', 'roleNames', 'roleIds'];
  if (last === 'reason') return ['required', 'minLength', 'maxLength'];
  if (last === 'keyName') return ['pattern', 'hint'];
  if (last === 'defaultIpAccessList') return ['source', 'description'];
  return [];
}

/** Messages for zod's generic issues, worded for someone editing YAML. */
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `expected ${expectedWords(issue.expected)}, got ${inputWords(issue.input)}`;
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'array')
        return min === 1 ? 'must not be empty' : `must have at least ${min} entries`;
      if (issue.origin === 'string')
        return min === 1 ? 'must not be empty' : `must be at least ${min} characters`;
      return `must be at least ${min}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'array') return `must have at most ${max} entries`;
      if (issue.origin === 'string') return `must be at most ${max} characters`;
      return `must be at most ${max}`;
    }
    case 'invalid_value':
      return `"${String(issue.input)}" is not one of ${issue.values.map(String).join(', ')}`;
    default:
      return undefined;
  }
}

function expectedWords(expected: string): string {
  switch (expected) {
    case 'string':
      return 'text';
    case 'int':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
      return 'a mapping (key: value)';
    default:
      return expected;
  }
}

function inputWords(input: unknown): string {
  if (input === null) return 'an empty value';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  if (typeof input === 'string') return `"${input.length > 40 ? `${input.slice(0, 39)}…` : input}"`;
  return String(input);
}

/** Checks across fields, on the raw data, each guarded so that malformed input only skips it. */
function crossChecks(data: unknown): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  if (!isRecord(data) || !Array.isArray(data.roles)) return problems;
  const roles: unknown[] = data.roles;

  const firstIndex = new Map<string, number>();
  roles.forEach((r, i) => {
    if (!isRecord(r) || typeof r.id !== 'string') return;
    const seen = firstIndex.get(r.id);
    if (seen === undefined) firstIndex.set(r.id, i);
    else problems.push({ path: ['roles', i, 'id'], message: `"${r.id}" is already used by roles[${seen}]` });
  });

  problems.push(...roles.flatMap((r, i) => shorterPaths(r, i)));

  // When approvers are all named people, a role needing more approvals than there are people can
  // never be approved. Groups and "*" have sizes only Slack knows, so those are not checked.
  const approvers = data.approvers === undefined ? [] : data.approvers;
  if (Array.isArray(approvers) && approvers.every((a) => typeof a === 'string' && isUserId(a))) {
    const people = new Set(approvers).size;
    roles.forEach((r, i) => {
      if (!isRecord(r) || typeof r.approvals !== 'number' || !Number.isInteger(r.approvals)) return;
      const needed = r.approvals;
      // Out-of-range counts already have their own problem.
      if (needed <= people || needed > MAX_APPROVALS) return;
      const needs = `needs ${needed} approval${needed === 1 ? '' : 's'}`;
      problems.push({
        path: ['roles', i, 'approvals'],
        message:
          people === 0
            ? `${needs} but approvers is empty`
            : `${needs} but approvers lists only ${people} user${people === 1 ? '' : 's'}`,
      });
    });
  }
  return problems;
}

/**
 * On-call and break-glass keys are the short, fast ones: their `maxExpiry` may not exceed the
 * role's own (a faster path must never grant a longer key than the slow one).
 */
function shorterPaths(r: unknown, i: number): PolicyProblem[] {
  if (!isRecord(r) || typeof r.maxExpiry !== 'string') return [];
  const roleMax = checkDuration(r.maxExpiry, { allowNever: true });
  if ('error' in roleMax || roleMax.ms === null) return [];
  const problems: PolicyProblem[] = [];
  for (const field of ['autoApprove', 'breakGlass'] as const) {
    const block = r[field];
    if (!isRecord(block) || typeof block.maxExpiry !== 'string') continue;
    const own = checkDuration(block.maxExpiry);
    if ('error' in own || own.ms === null || own.ms <= roleMax.ms) continue;
    problems.push({
      path: ['roles', i, field, 'maxExpiry'],
      message: `is longer than the role's maxExpiry (${r.maxExpiry.trim()})`,
    });
  }
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
