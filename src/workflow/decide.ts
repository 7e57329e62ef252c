import { Refused } from '../core/errors.js';
import type { KeyRequest } from '../core/model.js';
import { addMs } from '../core/time.js';
import type { WorkflowContext } from './context.js';
import { expireRequest } from './lapse.js';
import { proceed } from './proceed.js';

export type ApproveOutcome =
  | { kind: 'recorded'; given: number; needed: number }
  | { kind: 'approved'; given: number; needed: number };

/**
 * Loads a request an approver acts on and checks, on the server, that this user may decide it
 * now. Throws the refusal the clicker should read.
 */
async function decidable(ctx: WorkflowContext, requestId: string, userId: string): Promise<KeyRequest> {
  const request = await ctx.store.getRequest(requestId);
  if (!request) throw new Refused({ code: 'request_gone' });
  const refusal = await ctx.policy.approvalRefusal(userId, request);
  if (refusal === 'not_approver') throw new Refused({ code: 'not_approver' });
  if (refusal === 'self_approval') throw new Refused({ code: 'own_request' });
  await ensurePending(ctx, request);
  return request;
}

/** Throws the reason a request can no longer be decided; lapses it on the way if it is overdue. */
async function ensurePending(ctx: WorkflowContext, request: KeyRequest): Promise<void> {
  if (request.state === 'pending') {
    if (request.deadline && request.deadline <= ctx.clock.now()) {
      await expireRequest(ctx, request);
      throw new Refused({ code: 'request_expired', stage: 'approval' });
    }
    return;
  }
  throw settled(request);
}

function settled(request: KeyRequest): Refused {
  if (request.state === 'expired') return new Refused({ code: 'request_expired', stage: null });
  if (request.state === 'denied') return new Refused({ code: 'request_denied' });
  return new Refused({ code: 'request_approved' });
}

/** Opens the deny dialog only for someone who could deny; the submission is checked again. */
export async function checkCanDecide(ctx: WorkflowContext, requestId: string, userId: string): Promise<void> {
  await decidable(ctx, requestId, userId);
}

/**
 * One approver's Approve click. The count and the move to `approved` happen atomically in the
 * store, so concurrent clicks produce exactly one approval and one Create key DM.
 */
export async function approveRequest(
  ctx: WorkflowContext,
  requestId: string,
  userId: string,
): Promise<ApproveOutcome> {
  const request = await decidable(ctx, requestId, userId);
  await ctx.audit.before({
    actorId: userId,
    action: 'request.approve',
    outcome: 'attempt',
    requestId,
    keyName: request.keyName,
  });
  const now = ctx.clock.now();
  const result = await ctx.store.recordApproval({
    requestId,
    userId,
    at: now,
    approvedDeadline: addMs(now, ctx.policy.doc.claimTtlMs),
  });
  const given = result.approvals.length;
  const needed = request.approvalsRequired;

  if (result.outcome === 'duplicate' || result.outcome === 'not_pending') {
    await ctx.audit.after({
      actorId: userId,
      action: 'request.approve',
      outcome: 'refused',
      requestId,
      detail: { why: result.outcome },
    });
    if (result.outcome === 'duplicate') throw new Refused({ code: 'already_approved_by_you', given, needed });
    const latest = result.request ?? (await ctx.store.getRequest(requestId));
    throw latest ? settled(latest) : new Refused({ code: 'request_gone' });
  }

  const approved = result.outcome === 'approved';
  await ctx.audit.after({
    actorId: userId,
    action: approved ? 'request.approved' : 'request.approve',
    outcome: 'ok',
    requestId,
    keyName: request.keyName,
    detail: { given, needed },
  });
  const ref = await ctx.messageRef(requestId, 'approval');
  if (ref) {
    await ctx.quietly('post approval in thread', () =>
      ctx.notifier.replyInThread(ref, { kind: 'approved', by: userId, given, needed }),
    );
  }
  await ctx.refreshApproval(requestId);
  if (approved && result.request) {
    await proceed(
      ctx,
      result.request,
      result.approvals.map((d) => d.userId),
    );
  }
  return { kind: approved ? 'approved' : 'recorded', given, needed };
}

/** An approver's Deny, with the optional reason from the deny dialog. */
export async function denyRequest(
  ctx: WorkflowContext,
  requestId: string,
  userId: string,
  reason: string | null,
): Promise<void> {
  const request = await decidable(ctx, requestId, userId);
  await ctx.audit.before({
    actorId: userId,
    action: 'request.deny',
    outcome: 'attempt',
    requestId,
    keyName: request.keyName,
    detail: { reason },
  });
  const result = await ctx.store.recordDenial({ requestId, userId, reason, at: ctx.clock.now() });
  if (result.outcome === 'not_pending') {
    await ctx.audit.after({ actorId: userId, action: 'request.deny', outcome: 'refused', requestId });
    const latest = result.request ?? (await ctx.store.getRequest(requestId));
    throw latest ? settled(latest) : new Refused({ code: 'request_gone' });
  }
  await ctx.audit.after({ actorId: userId, action: 'request.denied', outcome: 'ok', requestId });
  const ref = await ctx.messageRef(requestId, 'approval');
  if (ref) {
    await ctx.quietly('post denial in thread', () =>
      ctx.notifier.replyInThread(ref, { kind: 'denied', by: userId, reason }),
    );
  }
  await ctx.refreshApproval(requestId);
  await ctx.quietly('tell the requester about the denial', () =>
    ctx.notifier.tellRequester(request.requesterId, { kind: 'denied', request, by: userId, reason }),
  );
}
