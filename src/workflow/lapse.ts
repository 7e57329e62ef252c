import type { KeyRequest } from '../core/model.js';
import type { WorkflowContext } from './context.js';

/**
 * Moves an overdue `pending` or `approved` request to `expired` (compare-and-set, so a timer
 * and a click racing on it act once), then says so where people look: the approval message and
 * its thread, and the requester's DM.
 */
export async function expireRequest(ctx: WorkflowContext, request: KeyRequest): Promise<boolean> {
  if (request.state !== 'pending' && request.state !== 'approved') return false;
  const stage = request.state === 'pending' ? 'approval' : 'claim';
  const expired = await ctx.store.transition({
    id: request.id,
    from: request.state,
    to: 'expired',
    at: ctx.clock.now(),
    set: { deadline: null },
  });
  if (!expired) return false;
  await ctx.audit.after({
    actorId: 'system',
    action: 'request.expired',
    outcome: 'ok',
    requestId: request.id,
    keyName: request.keyName,
    detail: { stage },
  });

  const ref = await ctx.messageRef(request.id, 'approval');
  if (ref) {
    await ctx.quietly('note the expiry in the approval thread', () =>
      ctx.notifier.replyInThread(ref, { kind: stage === 'approval' ? 'expired' : 'claim_expired' }),
    );
  }
  await ctx.refreshApproval(request.id);

  const dm = await ctx.messageRef(request.id, 'dm');
  if (dm) {
    await ctx.quietly('rewrite the Create key message', async () =>
      ctx.notifier.updateClaim(dm, {
        request: expired,
        role: ctx.roleOf(expired),
        approvedBy: await ctx.approvers(expired),
        status: 'expired',
        now: ctx.clock.now(),
      }),
    );
  }
  await ctx.quietly('tell the requester about the expiry', () =>
    ctx.notifier.tellRequester(request.requesterId, { kind: 'expired', request: expired, stage }),
  );
  return true;
}

/** Expires every request whose deadline has passed; returns how many this call expired. */
export async function expireDue(ctx: WorkflowContext): Promise<number> {
  const due = await ctx.store.listRequests({
    states: ['pending', 'approved'],
    deadlineBefore: ctx.clock.now(),
  });
  let expired = 0;
  for (const request of due) {
    if (await expireRequest(ctx, request)) expired += 1;
  }
  return expired;
}
