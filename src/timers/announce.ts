/**
 * What a crash left unsent (product.md §2: after a crash nothing is lost). A request is recorded,
 * its requester told it was sent, and then posted to the approval channel; an approval is recorded,
 * and then the requester gets Create key. A process that dies between the two leaves a request
 * nobody can see (counted against its requester's open requests until it lapses), a break glass
 * nobody reviews, an approved key its requester is never offered, or one never written to its
 * destination.
 *
 * The tick sends each `ANNOUNCE_AFTER_MS` after it was due, under the mark the live path claims
 * (announce-mark.ts), so it is sent once across restarts and replicas:
 *
 *   post     a request still open with no approval message, or with its on-call or break-glass
 *            announcement unfinished (its grant mark still claimed)
 *   dm       an approved new key (not one for a destination, whose delivery needs no click) with no
 *            Create key DM
 *   deliver  an approved key for a destination never delivered (product.md §12)
 *
 * A claim whose process died is taken again once `ABANDONED_AFTER_MS` old: a post lost between
 * Slack's answer and its record may then be sent twice, never not at all.
 */
import { ACCESS_RULE } from '../core/access.js';
import type { KeyRequest } from '../core/model.js';
import { addMs } from '../core/time.js';
import { announceGrant, grantFor } from '../workflow/access.js';
import {
  ANNOUNCE_AFTER_MS,
  ANNOUNCE_ATTEMPTS,
  ANNOUNCE_RULE,
  type AnnounceStep,
} from '../workflow/announce-mark.js';
import { deliverNow } from '../workflow/proceed.js';
import { postRequest } from '../workflow/submit.js';
import type { LifecycleDeps } from './deps.js';
import { ABANDONED_AFTER_MS, type DueWork, type TickView, type TimerRule } from './scheduler.js';

const OPEN = new Set(['pending', 'approved']);

export function announceRule(deps: LifecycleDeps): TimerRule {
  const { ctx } = deps;

  /** What of a request's announcement is missing now, read afresh. */
  async function missing(request: KeyRequest, marks: TickView['marks'] | null): Promise<AnnounceStep[]> {
    // A scheduled rotation is nobody's to approve or click: it is never posted (product.md §12).
    if (!OPEN.has(request.state) || request.rotation?.scheduled) return [];
    const refs = await ctx.store.getMessageRefs(request.id);
    const steps: AnnounceStep[] = [];
    const done = (step: AnnounceStep) => marks?.get(ANNOUNCE_RULE, request.id, step)?.state === 'done';
    if (!done('post')) {
      const posted = refs.some((ref) => ref.kind === 'approval');
      const grant = marks
        ? (marks.get(ACCESS_RULE.grant, request.id, 'break-glass') ??
          marks.get(ACCESS_RULE.grant, request.id, 'on-call'))
        : (await grantFor(ctx, request.id))?.mark;
      if (!posted || grant?.state === 'claimed') steps.push('post');
    }
    if (request.state !== 'approved' || request.kind !== 'create') return steps;
    if (request.destinationId) {
      if (!done('deliver')) steps.push('deliver');
    } else if (!done('dm') && !refs.some((ref) => ref.kind === 'dm')) {
      steps.push('dm');
    }
    return steps;
  }

  async function send(request: KeyRequest, step: AnnounceStep): Promise<Record<string, unknown>> {
    const fresh = await ctx.store.getRequest(request.id);
    if (!fresh || !(await missing(fresh, null)).includes(step)) return { skipped: 'sent or no longer open' };
    if (step === 'deliver') {
      await deliverNow(ctx, fresh, await ctx.approvers(fresh));
      return { sent: 'deliver' };
    }
    if (step === 'dm') {
      // Who approved it, as the live path says it: the requester who broke glass, or the approvers.
      const grant = await grantFor(ctx, fresh.id);
      await ctx.postClaim(
        fresh,
        grant?.grant.kind === 'break_glass' ? [fresh.requesterId] : await ctx.approvers(fresh),
      );
      return { sent: 'dm' };
    }
    const approval = await ctx.messageRef(fresh.id, 'approval');
    if (approval) {
      await announceGrant(ctx, fresh, approval);
      return { sent: 'grant' };
    }
    await postRequest(ctx, fresh, 'throw');
    return { sent: 'post' };
  }

  return {
    id: ANNOUNCE_RULE,
    reads: [ACCESS_RULE.grant],
    async due({ marks }) {
      const work: DueWork[] = [];
      for (const request of await ctx.store.listRequests({ states: ['pending', 'approved'] })) {
        for (const step of await missing(request, marks)) {
          const from = step === 'post' ? request.createdAt : (request.decidedAt ?? request.createdAt);
          work.push({
            subject: request.id,
            threshold: step,
            dueAt: addMs(from, ANNOUNCE_AFTER_MS),
            maxAttempts: ANNOUNCE_ATTEMPTS,
            abandonedAfterMs: ABANDONED_AFTER_MS,
            // A destination's key is created at once: by the delivery, or by a post that goes on to it.
            writes: request.destinationId && request.state === 'approved' && step !== 'dm' ? 1 : 0,
            about: { requestId: request.id, keyName: request.keyName },
            run: () => send(request, step),
          });
        }
      }
      return work;
    },
  };
}
