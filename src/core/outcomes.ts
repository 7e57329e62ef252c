/**
 * What the rules answer, as data: why something was refused (`Refusal`), what is wrong with one
 * field of a dialog (`Problem`), and what was done (`Done`). The workflow, the timers and the
 * watch return or throw these; the views put them into words (src/views/outcomes.ts), so no
 * sentence a person reads is written below the views.
 */
import type { Place } from './delivery-ports.js';

/** A key as messages name it: its name and the last four characters of its key ID. */
export interface KeyLabel {
  name: string;
  suffix: string;
}

/** The stage a request lapsed in. */
export type LapseStage = 'approval' | 'claim';

export type Refusal =
  // Who may act.
  | { code: 'not_owner_or_admin' }
  | { code: 'admins_only'; what: 'audit' | 'review' | 'reassign' | 'lift_leak' }
  | { code: 'list_all_restricted' }
  | { code: 'not_approver' }
  | { code: 'own_request' }
  | { code: 'not_requester' }
  | { code: 'keyhouse_key' }
  | { code: 'may_no_longer_request'; roleRemoved: boolean }
  // What is acted on.
  | { code: 'key_gone' }
  | { code: 'request_gone' }
  | { code: 'role_unknown'; action: 'extend' | 'rotate' }
  | { code: 'leaked'; key: KeyLabel }
  | { code: 'rotated_already'; key: KeyLabel; successorSuffix: string }
  | { code: 'rotation_under_way'; key: KeyLabel }
  | { code: 'successor_in_overlap'; key: KeyLabel; predecessorSuffix: string; until: Date }
  | { code: 'retired'; key: KeyLabel; successorSuffix: string }
  | { code: 'not_leaked'; key: KeyLabel }
  // Where the request stands.
  | { code: 'already_approved_by_you'; given: number; needed: number }
  | { code: 'request_approved' }
  | { code: 'request_denied' }
  | { code: 'request_expired'; stage: LapseStage | null }
  | { code: 'request_not_approved' }
  | { code: 'key_being_created' }
  | { code: 'key_already_created' }
  | { code: 'change_in_progress' }
  | { code: 'stale_kept' }
  // Break glass (product.md §15).
  | { code: 'break_glass_review_open' }
  | { code: 'break_glass_unreviewed'; key: KeyLabel }
  | { code: 'not_break_glass' }
  | { code: 'break_glass_reviewed'; decision: 'keep' | 'revoke'; by: string }
  // Limits (product.md §8).
  | { code: 'keys_limit'; owned: number; limit: number }
  | { code: 'open_requests_limit'; open: number; limit: number }
  | { code: 'new_owner_at_limit'; userId: string; owned: number; limit: number }
  | { code: 'new_owner_deactivated'; userId: string }
  | { code: 'choose_new_owner' }
  | { code: 'already_owner'; userId: string; key: KeyLabel }
  // Configuration and the outside world.
  | { code: 'policy_role_missing'; clickhouseRole: string; roleLabel: string }
  /** The custom role for these services is being made or deleted by another request right now. */
  | { code: 'service_role_busy' }
  /** A role of Keyhouse's name for these services exists but is not what Keyhouse makes (made by hand). */
  | { code: 'service_role_conflict'; roleName: string }
  | { code: 'approval_channel_unreachable'; channel: string }
  | { code: 'replica_settling' }
  | { code: 'create_failed'; leftBehind: boolean }
  | { code: 'key_withdrawn'; why: 'settled_elsewhere' | 'store_failed' | 'not_delivered' }
  /** The request's destination is gone from the policy, or no longer offered for its role (product.md §12). */
  | { code: 'destination_unavailable'; destinationId: string }
  /** One key chain lives in one place (product.md §12): `key` holds it, or a request for it is open (null). */
  | { code: 'destination_taken'; place: Place; key: KeyLabel | null }
  // Timed work and the watch (never shown to a person as such; audited).
  | { code: 'owner_changed' }
  | { code: 'owner_active' };

export type RefusalCode = Refusal['code'];

/** What is wrong with one field of a dialog; shown under that field. */
export type Problem =
  | { code: 'key_name_empty' }
  | { code: 'key_name_too_long'; max: number }
  | { code: 'key_name_pattern'; hint: string | null; pattern: string }
  | { code: 'reason_missing' }
  | { code: 'reason_too_short'; min: number }
  | { code: 'reason_too_long'; max: number }
  | { code: 'ip_invalid'; line: number; source: string }
  | { code: 'ip_description_too_long'; line: number; max: number }
  | { code: 'ip_too_many'; line: number; max: number }
  | { code: 'may_not_request_role' }
  /** A role scoped to services: none was chosen. */
  | { code: 'services_none' }
  /** A chosen service is not among those the role's patterns match now (gone, or never offered). */
  | { code: 'service_not_offered'; serviceId: string }
  | { code: 'break_glass_not_offered'; roleLabel: string }
  | { code: 'may_not_extend'; roleLabel: string }
  | { code: 'expiry_too_long'; roleLabel: string; maxExpiry: string }
  | { code: 'expiry_beyond_role'; roleLabel: string; maxExpiry: string }
  | { code: 'role_gone' }
  | { code: 'role_needed_for_expiry' }
  | { code: 'overlap_not_offered' }
  | { code: 'stale_dialog' }
  | { code: 'destination_not_offered' }
  | { code: 'refused'; refusal: Refusal };

/** A dialog's field problems, by field. */
export type Problems<F extends string> = Partial<Record<F, Problem>>;

/** What was done, as the list or dialog it was done from says it. */
export type Done =
  | { code: 'state_changed'; key: KeyLabel; state: 'enabled' | 'disabled'; already: boolean }
  | { code: 'deleted'; key: KeyLabel }
  | { code: 'renamed'; from: string; to: string }
  | { code: 'expiry_set'; keyName: string; expireAt: Date | null }
  | { code: 'change_requested'; keyName: string; needsApproval: boolean; roleLabel: string }
  | { code: 'nothing_to_change' }
  /** `place`: where the successor is written when the key lives in a destination (product.md §12). */
  | { code: 'rotation_requested'; key: KeyLabel; needsApproval: boolean; place: Place | null }
  | { code: 'reassigned'; key: KeyLabel; to: string }
  | { code: 'leak_lifted'; key: KeyLabel }
  | { code: 'several'; done: Done[] };
