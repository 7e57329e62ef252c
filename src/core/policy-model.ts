/**
 * The policy document as the rest of Keyhouse reads it (product.md §5): typed, frozen, durations
 * in milliseconds. The file's schema and loader (src/policy) produce it; the rules read it.
 */
import type { IpAccessEntry } from './clickhouse.js';
import type { Locale } from './locale.js';
import type { ServiceAccess } from './service-access.js';

/** The ClickHouse legacy key roles (`roles` on a key). */
export const LEGACY_KEY_ROLES = ['admin', 'developer', 'query_endpoints'] as const;
export type LegacyKeyRole = (typeof LEGACY_KEY_ROLES)[number];

/**
 * What a policy role grants in ClickHouse: exactly one of the ways a key gets roles. `services`
 * scopes the key to the services the requester picks among those the patterns match (product.md
 * §16): a custom role Keyhouse finds or makes for exactly that set and `access`.
 */
export type RoleGrant =
  | { readonly roles: readonly LegacyKeyRole[] }
  | { readonly roleNames: readonly string[] }
  | { readonly roleIds: readonly string[] }
  | ServiceGrant;

/** A grant scoped to services: patterns (`prod-*`, a name, a service id) and what the key may do there. */
export interface ServiceGrant {
  readonly services: readonly string[];
  readonly access: ServiceAccess;
}

export function isServiceGrant(grant: RoleGrant): grant is ServiceGrant {
  return 'services' in grant;
}

export interface PolicyRole {
  /** Stable id; it goes into Slack option values and the store. */
  readonly id: string;
  /** Shown in the Role select (≤ 75 characters, Slack's option text limit). */
  readonly label: string;
  readonly grant: RoleGrant;
  /** Longest expiry one may ask for, in canonical form (`90d`, `36h`, `never`). */
  readonly maxExpiry: string;
  /** `maxExpiry` in milliseconds; null for `never`. */
  readonly maxExpiryMs: number | null;
  /** Approvals needed, 0–10; 0 approves on submission. */
  readonly approvals: number;
  /** Who may request this role; when present it replaces the policy's `requesters`. */
  readonly requesters?: readonly string[];
  /** Where this role's requests are approved; when absent, the policy's `approvalChannel`. */
  readonly approvalChannel?: string;
  /** On-call approval (product.md §15): members of these user groups are approved at once. */
  readonly autoApprove?: AutoApprovePolicy;
  /** Break glass (product.md §15): the requester approves their own request; reviewed afterwards. */
  readonly breakGlass?: BreakGlassPolicy;
}

/**
 * `autoApprove: { whenIn: [S…], maxExpiry: 12h }`: a requester in one of the groups (kept in sync
 * with the rota by the on-call tool) is approved at once, for at most `maxExpiry`.
 */
export interface AutoApprovePolicy {
  readonly whenIn: readonly string[];
  readonly maxExpiry: string;
  readonly maxExpiryMs: number;
}

/**
 * `breakGlass: { maxExpiry: 4h, reviewWithin: 24h }`: the requester approves their own request
 * (for at most `maxExpiry`) after a confirm step; an approver reviews it within `reviewWithin`.
 */
export interface BreakGlassPolicy {
  readonly maxExpiry: string;
  readonly maxExpiryMs: number;
  readonly reviewWithin: string;
  readonly reviewWithinMs: number;
}

/** What happens to the keys of a Slack user who was deactivated (product.md §8). */
export const OFFBOARDING_ACTIONS = ['disable', 'delete', 'report'] as const;
export type OffboardingAction = (typeof OFFBOARDING_ACTIONS)[number];
/** What the leak tripwire does to a Keyhouse key whose secret was pasted (product.md §9). */
export const LEAK_ACTIONS = ['disable', 'delete', 'report', 'off'] as const;
export type LeakAction = (typeof LEAK_ACTIONS)[number];
/** What drift does with a key created outside Keyhouse (product.md §9). */
export const UNMANAGED_KEY_ACTIONS = ['report', 'disable'] as const;
export type UnmanagedKeyAction = (typeof UNMANAGED_KEY_ACTIONS)[number];

/** Care for a key after its secret was shown (product.md §8). Durations in ms; null is `never`/off. */
export interface LifecyclePolicy {
  /** DM the owner this long before a key expires, longest first; empty is off. */
  readonly expiryWarningsMs: readonly number[];
  /** Delete keys this long after they expired; null never deletes. */
  readonly deleteExpiredAfterMs: number | null;
  /** A key unused this long is offered to its owner for review; null is off. */
  readonly staleAfterMs: number | null;
  /** Default time the old key keeps working after a rotation. */
  readonly rotationOverlapMs: number;
  readonly offboarding: OffboardingAction;
}

export interface ApprovalRemindersPolicy {
  /** One thread reply mentioning the approvers after a request waited this long; null is off. */
  readonly remindAfterMs: number | null;
  /** One thread reply mentioning the admins after this long; null is off. */
  readonly escalateAfterMs: number | null;
}

/** Per requester; admins are not limited. */
export interface LimitsPolicy {
  readonly pendingPerUser: number;
  readonly keysPerUser: number;
}

export interface SecurityPolicy {
  /** Where leaks, drift and offboarding are reported (default: the policy's `approvalChannel`). */
  readonly channel: string;
  readonly leakAction: LeakAction;
  readonly unmanagedKeys: UnmanagedKeyAction;
  /**
   * GitHub secret scanning (product.md §13): the `secret_type` names of the ClickHouse custom pattern.
   * Alerts of other types are not read; empty (the default) reads every alert and keeps ClickHouse secrets.
   */
  readonly github?: { readonly secretTypes: readonly string[] };
}

export interface PolicyDocument {
  /** Channel id (`C…`/`G…`) where approval requests are posted. */
  readonly approvalChannel: string;
  /** `*`, user ids (`U…`/`W…`) and user-group ids (`S…`). Default `['*']`. */
  readonly requesters: readonly string[];
  /** May approve or deny; may also list all keys. User and group ids, or `*`. */
  readonly approvers: readonly string[];
  /** May list and manage every key. User and group ids; `*` is refused. */
  readonly admins: readonly string[];
  /** The language of channel posts (a person's own surfaces follow their Slack locale). Default `en`. */
  readonly locale: Locale;
  /** Whether an approver may approve their own request. Default false. */
  readonly selfApproval: boolean;
  /** A pending request expires after this. Default 24 h. */
  readonly requestTtlMs: number;
  /** An approved request must be claimed (Create key) within this. Default 24 h. */
  readonly claimTtlMs: number;
  readonly reason: { readonly required: boolean; readonly minLength: number; readonly maxLength: number };
  /**
   * Key names must match `pattern` as a whole (it is anchored for you) and are never longer than
   * 64 characters. `hint` is what users are told when a name does not match.
   */
  readonly keyName: { readonly pattern: string; readonly hint: string | null };
  /** Used when a request gives no IP list. Never empty: an empty list makes a deny-all key. */
  readonly defaultIpAccessList: readonly IpAccessEntry[];
  readonly roles: readonly PolicyRole[];
  readonly lifecycle: LifecyclePolicy;
  readonly approvalReminders: ApprovalRemindersPolicy;
  readonly limits: LimitsPolicy;
  readonly security: SecurityPolicy;
}

export const MAX_KEY_NAME_LENGTH = 64;
export const DEFAULT_KEY_NAME_PATTERN = '^[A-Za-z0-9 _.-]{1,64}$';
export const DEFAULT_KEY_NAME_HINT = 'Use 1–64 letters, digits, spaces, dots, dashes or underscores.';
/** A reason must fit one Slack text object (3000) with room for its label. */
export const MAX_REASON_LENGTH = 2900;
/** A Slack static select holds at most 100 options. */
export const MAX_ROLES = 100;
export const MAX_APPROVALS = 10;

/** One expiry a dialog offers for a role. */
export interface ExpiryChoice {
  /** Option value and what the store keeps: `7d`, `36h`, `never`. */
  value: string;
  /** `7 days`, `Never`. */
  label: string;
  /** Lifetime in milliseconds; null for never. */
  ms: number | null;
}
