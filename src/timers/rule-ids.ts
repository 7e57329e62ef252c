/**
 * Timer rule ids: each names its marks in the store for ever (`timer_marks.rule`) and its audit
 * action (`timer.<id>`), so never rename one. No imports, so the workflow may read them too.
 */
export const RULE = {
  expiryWarning: 'expiry.warning',
  expiryExpired: 'expiry.expired',
  expiryDelete: 'expiry.delete',
  staleOffer: 'stale.offer',
  /** Written by a Keep click (not a timed rule): the stale offer counts again from it. */
  staleKeep: 'stale.keep',
  approvalRemind: 'approval.remind',
  approvalEscalate: 'approval.escalate',
  /** A deactivated user, once (by event or by the daily check); not a timed rule. */
  offboardUser: 'offboarding.user',
  offboardKey: 'offboarding.key',
  offboardReport: 'offboarding.report',
  offboardCheck: 'offboarding.check',
  /** A key marked leaked found enabled: disabled again (a lost write, or an enable in the console). */
  leakEnforce: 'leak.enforce',
  /** A deactivated user back in Slack: the security channel told, once per deactivation. */
  offboardEnded: 'offboarding.reactivated',
  /** Once a UTC day: the audit chain's head, posted to the security channel. */
  auditHead: 'audit.head',
  /** A custom role Keyhouse made for some services, unused for a day: deleted (product.md §16). */
  serviceRoleCleanup: 'service_role.cleanup',
} as const;
// Also the workflow's own marks, named beside the rules that read them: `ACCESS_RULE` (core/access.ts)
// and `ANNOUNCE_RULE` (workflow/announce-mark.ts).
