/**
 * Approvals that stall (product.md §8): a request still pending `remindAfter` after it was made
 * gets one thread reply under its approval message mentioning the approvers, and after
 * `escalateAfter` one mentioning the admins. Store data only: no ClickHouse call.
 */
import type { LifecycleDeps } from './deps.js';
import { RULE } from './rule-ids.js';
import type { DueWork, TimerRule } from './scheduler.js';

type NudgeKind = 'remind' | 'escalate';

function nudgeRule(deps: LifecycleDeps, kind: NudgeKind): TimerRule {
  const { ctx, notifier } = deps;
  return {
    id: kind === 'remind' ? RULE.approvalRemind : RULE.approvalEscalate,
    async due({ now }) {
      const { remindAfterMs, escalateAfterMs } = ctx.policy.doc.approvalReminders;
      const after = kind === 'remind' ? remindAfterMs : escalateAfterMs;
      if (after === null) return [];
      const pending = await ctx.store.listRequests({ states: ['pending'] });
      return pending
        .filter((request) => request.deadline === null || request.deadline > now)
        .map(
          (request): DueWork => ({
            subject: request.id,
            threshold: kind,
            dueAt: new Date(request.createdAt.getTime() + after),
            about: { requestId: request.id, keyName: request.keyName },
            run: async () => {
              // Decided or lapsed since the tick began: nobody needs reminding.
              const fresh = await ctx.store.getRequest(request.id);
              if (fresh?.state !== 'pending') return { skipped: 'no longer pending' };
              const ref = await ctx.messageRef(request.id, 'approval');
              if (!ref) return { skipped: 'no approval message' };
              const members = kind === 'remind' ? ctx.policy.doc.approvers : ctx.policy.doc.admins;
              await notifier.nudge(ref, {
                kind,
                request: fresh,
                mention: members.filter((m) => m !== '*'),
                now: ctx.clock.now(),
              });
              return { nudged: kind };
            },
          }),
        );
    },
  };
}

export function reminderRule(deps: LifecycleDeps): TimerRule {
  return nudgeRule(deps, 'remind');
}

export function escalationRule(deps: LifecycleDeps): TimerRule {
  return nudgeRule(deps, 'escalate');
}
