/**
 * A break glass's review (product.md §15) on the one scheduler: while no approver has kept or
 * revoked it, one thread reply under its review message mentions the approvers halfway through
 * `reviewWithin` (sooner when `approvalReminders.remindAfter` is shorter), and at the deadline one
 * mentions the admins and tells the security channel it is overdue. Each is a timer mark: once,
 * never early, across restarts and replicas. Store and Slack only: no ClickHouse call.
 */
import { ACCESS_RULE } from '../core/access.js';
import { breakGlassReview } from '../workflow/access.js';
import { grantOf } from '../workflow/gate.js';
import type { LifecycleDeps } from './deps.js';
import type { DueWork, TimerRule } from './scheduler.js';

type NudgeKind = 'remind' | 'escalate';

function reviewNudgeRule(deps: LifecycleDeps, kind: NudgeKind): TimerRule {
  const { ctx } = deps;
  return {
    id: kind === 'remind' ? ACCESS_RULE.reviewRemind : ACCESS_RULE.reviewEscalate,
    reads: [ACCESS_RULE.grant, ACCESS_RULE.review],
    due({ marks }) {
      const reviewed = new Set(
        marks
          .all(ACCESS_RULE.review)
          .filter((m) => m.state === 'done')
          .map((m) => m.subject),
      );
      const work: DueWork[] = [];
      for (const mark of marks.all(ACCESS_RULE.grant)) {
        if (mark.threshold !== 'break-glass' || reviewed.has(mark.subject)) continue;
        const grant = grantOf(mark.detail);
        if (grant.kind !== 'break_glass' || Number.isNaN(grant.reviewBy.getTime())) continue;
        const { remindAfterMs } = ctx.policy.doc.approvalReminders;
        const half = Math.floor(grant.reviewWithinMs / 2);
        const remindIn = remindAfterMs === null ? half : Math.min(remindAfterMs, half);
        const dueAt =
          kind === 'remind'
            ? new Date(grant.reviewBy.getTime() - grant.reviewWithinMs + remindIn)
            : grant.reviewBy;
        work.push({
          subject: mark.subject,
          threshold: kind,
          dueAt,
          about: { requestId: mark.subject },
          run: async () => {
            // Reviewed, or nothing left to review (it lapsed before a key was made), since the tick began.
            if (!(await ctx.gate.awaitsReview(mark.subject))) return { skipped: 'no review open' };
            const request = await ctx.store.getRequest(mark.subject);
            const review = request ? await breakGlassReview(ctx, request) : null;
            if (!review || !ctx.access) return { skipped: 'nothing to tell' };
            const doc = ctx.policy.doc;
            const mention = (kind === 'remind' ? doc.approvers : doc.admins).filter((m) => m !== '*');
            await ctx.access.reviewNudge(
              kind,
              review,
              mention,
              kind === 'escalate' ? doc.security.channel : null,
            );
            return { nudged: kind };
          },
        });
      }
      return work;
    },
  };
}

export function breakGlassRemindRule(deps: LifecycleDeps): TimerRule {
  return reviewNudgeRule(deps, 'remind');
}

export function breakGlassEscalateRule(deps: LifecycleDeps): TimerRule {
  return reviewNudgeRule(deps, 'escalate');
}
