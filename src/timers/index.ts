/**
 * Key lifecycle after the secret was shown (product.md §8), on the scheduler: expiry warnings,
 * expired notices and deletion, stale-key offers, approval reminders, offboarding; and the audit
 * chain's daily head (product.md §4). Slack-agnostic:
 * the Slack side gives it a `LifecycleNotifier` and a `Directory`.
 */

import type { Directory, KeyFacts, LifecycleNotifier } from '../core/timer-ports.js';
import type { WorkflowContext } from '../workflow/context.js';
import { announceRule } from './announce.js';
import { auditHeadRule } from './audit-head.js';
import { breakGlassEscalateRule, breakGlassRemindRule } from './break-glass.js';
import type { LifecycleDeps } from './deps.js';
import { deleteExpiredRule, expiredNoticeRule, expiryWarningRule } from './expiry.js';
import { leakEnforceRule } from './leaks.js';
import {
  offboardCheckRule,
  offboardKeyRule,
  offboardReportRule,
  offboardUser,
  reactivateUser,
} from './offboarding.js';
import { escalationRule, reminderRule } from './reminders.js';
import { RULE } from './rule-ids.js';
import type { Scheduler } from './scheduler.js';
import { serviceRoleCleanupRule } from './service-roles.js';
import { keepStaleKey, staleOfferRule } from './stale.js';

export type * from '../core/timer-ports.js';
export type { Job, PeriodicJob, Turn } from './periodic.js';
export { RULE } from './rule-ids.js';
export type { DueWork, TickResult, TickView, TimerRule, WorkOutcome } from './scheduler.js';
export { MarkBook, Scheduler } from './scheduler.js';

export interface LifecycleOptions {
  ctx: WorkflowContext;
  scheduler: Scheduler;
  notifier: LifecycleNotifier;
  directory: Directory;
}

export class Lifecycle {
  readonly #deps: LifecycleDeps;

  /** Registers every built-in rule on the scheduler. */
  constructor(options: LifecycleOptions) {
    this.#deps = options;
    for (const rule of [
      expiryWarningRule,
      expiredNoticeRule,
      deleteExpiredRule,
      staleOfferRule,
      reminderRule,
      escalationRule,
      offboardKeyRule,
      offboardReportRule,
      offboardCheckRule,
      leakEnforceRule,
      auditHeadRule,
      serviceRoleCleanupRule,
      breakGlassRemindRule,
      breakGlassEscalateRule,
      announceRule,
    ]) {
      options.scheduler.register(rule(options));
    }
  }

  /** A user Slack reports deactivated: offboarded once, whoever reports it first. */
  offboard(userId: string, via: 'event' | 'daily check'): Promise<'started' | 'already' | 'failed'> {
    return offboardUser(this.#deps, userId, via);
  }

  /** A user Slack reports active: when they were offboarded, offboarding ends (once) and leaves them alone. */
  reactivate(userId: string, via: 'event' | 'daily check'): Promise<'ended' | 'not offboarded'> {
    return reactivateUser(this.#deps, userId, via);
  }

  /** Keep, from the stale-key DM: asks again after another `staleAfter` if the key stays unused. */
  keepStale(userId: string, keyId: string): Promise<{ key: KeyFacts; askAgainAt: Date | null }> {
    return keepStaleKey(this.#deps, userId, keyId);
  }

  /** When each of these requests was last nudged (reminder or escalation), for the requester's Home. */
  async lastNudged(
    requestIds: readonly string[],
  ): Promise<Map<string, { kind: 'remind' | 'escalate'; at: Date }>> {
    const nudged = new Map<string, { kind: 'remind' | 'escalate'; at: Date }>();
    if (requestIds.length === 0) return nudged;
    const marks = await this.#deps.ctx.store.listTimerMarks({
      rules: [RULE.approvalRemind, RULE.approvalEscalate],
      subjects: requestIds,
    });
    for (const mark of marks) {
      if (mark.state !== 'done' || !mark.detail?.nudged) continue;
      const at = mark.settledAt ?? mark.claimedAt;
      const seen = nudged.get(mark.subject);
      if (!seen || seen.at < at) {
        nudged.set(mark.subject, { kind: mark.rule === RULE.approvalEscalate ? 'escalate' : 'remind', at });
      }
    }
    return nudged;
  }
}
