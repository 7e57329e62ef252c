/**
 * On-call approval and break glass (product.md §15), as the rest of Keyhouse sees them: how a
 * request was approved without an approver, the review a break-glass key owes, and the port the
 * Slack side implements to tell the channels.
 *
 * Nothing here needs a new table: the facts are timer marks (`timer_marks`, insert-if-absent, so
 * each is written once across replicas), under the rule ids below, which name them for ever.
 */
import type { KeyRequest } from './model.js';
import type { PolicyRole } from './policy-model.js';
import type { SlackRef } from './ports.js';

export const ACCESS_RULE = {
  /** Subject: a request id; threshold `on-call` or `break-glass`; detail: the grant. Written at submission. */
  grant: 'access.grant',
  /**
   * Subject: a user id; held (claimed) by the request id of their break glass while it awaits
   * review, so two submissions at once cannot both break glass.
   */
  breakGlassHold: 'access.break-glass.hold',
  /** Subject: a request id; threshold `review`; detail: the decision. Insert-if-absent: reviewed once. */
  review: 'access.break-glass.review',
  /** Timed: a thread reply mentioning the approvers while a review is still open. */
  reviewRemind: 'access.break-glass.remind',
  /** Timed: at the review deadline, the admins and the security channel are told it is overdue. */
  reviewEscalate: 'access.break-glass.escalate',
} as const;

/** Why a request needed no approver. */
export type AccessGrant =
  | { kind: 'on_call'; group: string }
  | { kind: 'break_glass'; reviewBy: Date; reviewWithinMs: number };

export type ReviewDecision = 'keep' | 'revoke';

/** A break-glass request and where its review stands. */
export interface BreakGlassReview {
  request: KeyRequest;
  role: PolicyRole;
  reviewBy: Date;
  /** The review message in the approval channel, when it was posted. */
  ref: SlackRef | null;
  decision: { by: string; decision: ReviewDecision; at: Date; keyDeleted: boolean } | null;
  now: Date;
}

export interface AccessNotifier {
  /**
   * Tells the approval channel why a request was approved at once: a thread reply under its
   * approval message for on call; for break glass a message of its own with Keep and Revoke (its
   * ref is returned), and a notice in the security channel.
   */
  onCall(
    approval: SlackRef,
    notice: { request: KeyRequest; role: PolicyRole; group: string; now: Date },
  ): Promise<void>;
  breakGlass(approvalChannel: string, securityChannel: string, review: BreakGlassReview): Promise<SlackRef>;
  /** Rewrites the review message (decided: no buttons). */
  updateReview(review: BreakGlassReview): Promise<void>;
  /** A reminder (approvers) or an escalation (admins, and the security channel) while a review is open. */
  reviewNudge(
    kind: 'remind' | 'escalate',
    review: BreakGlassReview,
    mention: readonly string[],
    securityChannel: string | null,
  ): Promise<void>;
}
