/**
 * Requests a crash left unposted (product.md §2): a request is recorded, the requester told it was
 * sent, and then posted to the approval channel; a process that dies between the two leaves a
 * request nobody can see, which would count against the requester's open requests until it lapsed.
 * The tick posts such a request `ANNOUNCE_AFTER_MS` after it was recorded, under the same mark the
 * submission claims (`request.announce`), so it is posted once across restarts and replicas. A
 * claim whose process died is taken again after `ABANDONED_AFTER_MS`; a post lost between Slack's
 * answer and its record may then be posted twice, never not at all.
 */
import { addMs } from '../core/time.js';
import { ANNOUNCE_AFTER_MS, ANNOUNCE_ATTEMPTS, postRequest } from '../workflow/submit.js';
import type { LifecycleDeps } from './deps.js';
import { RULE } from './rule-ids.js';
import { ABANDONED_AFTER_MS, type DueWork, type TimerRule } from './scheduler.js';

const THRESHOLD = 'post';

export function announceRule(deps: LifecycleDeps): TimerRule {
  const { ctx } = deps;
  const posted = async (requestId: string) =>
    (await ctx.store.getMessageRefs(requestId)).some((ref) => ref.kind === 'approval');
  return {
    id: RULE.requestAnnounce,
    async due({ marks }) {
      const work: DueWork[] = [];
      for (const request of await ctx.store.listRequests({ states: ['pending', 'approved'] })) {
        // A scheduled rotation is nobody's to approve: it is never posted (product.md §12).
        if (request.rotation?.scheduled) continue;
        if (marks.get(RULE.requestAnnounce, request.id, THRESHOLD)?.state === 'done') continue;
        if (await posted(request.id)) continue;
        work.push({
          subject: request.id,
          threshold: THRESHOLD,
          dueAt: addMs(request.createdAt, ANNOUNCE_AFTER_MS),
          maxAttempts: ANNOUNCE_ATTEMPTS,
          abandonedAfterMs: ABANDONED_AFTER_MS,
          // An approved request goes on to be made (a destination's key is created at once).
          writes: request.state === 'approved' ? 1 : 0,
          about: { requestId: request.id, keyName: request.keyName },
          run: async () => {
            const fresh = await ctx.store.getRequest(request.id);
            if (fresh?.state !== 'pending' && fresh?.state !== 'approved')
              return { skipped: 'no longer open' };
            if (await posted(fresh.id)) return { skipped: 'posted' };
            await postRequest(ctx, fresh, 'throw');
            return { posted: true };
          },
        });
      }
      return work;
    },
  };
}
