/**
 * Once a UTC day, the audit chain's head (sequence number and hash) goes to the security channel
 * (product.md §4). A head kept outside the database is what makes the chain proof against whoever
 * can write the database: `audit verify --head <seq>:<hash>` shows the stored chain still holds it,
 * and every hash covers all the events before it.
 *
 * Due at the start of each UTC day, posted by whichever replica's tick comes first; its mark
 * (rule, `chain`, day) makes it at most once across restarts and replicas. The head posted is the
 * one after this rule's own `attempt` event, and the `ok` event records it, so the chain itself
 * says which head went out.
 */
import type { LifecycleDeps } from './deps.js';
import { RULE } from './rule-ids.js';
import type { TimerRule } from './scheduler.js';

const SUBJECT = 'chain';

export function auditHeadRule(deps: LifecycleDeps): TimerRule {
  const { ctx, notifier } = deps;
  return {
    id: RULE.auditHead,
    due({ now }) {
      const day = now.toISOString().slice(0, 10);
      return [
        {
          subject: SUBJECT,
          threshold: day,
          dueAt: new Date(`${day}T00:00:00.000Z`),
          run: async () => {
            const { headSeq: seq, headHash: hash } = await ctx.store.auditChainHead();
            // Never empty here (the attempt event was written first); nothing to vouch for if it were.
            if (seq === null || hash === null) return { posted: false };
            await notifier.auditHead(ctx.policy.doc.security.channel, {
              seq,
              hash,
              day,
              now: ctx.clock.now(),
            });
            return { posted: true, seq, hash };
          },
        },
      ];
    },
  };
}
