/**
 * On call and break glass after the gate said yes (product.md §15): the grant recorded beside the
 * request, the channels told, and a break glass reviewed (Keep, or Revoke: its key deleted, or never
 * made). The rules themselves are the gate's (`approvalPath`, `holdBreakGlass`, `review`).
 */
import { ACCESS_RULE, type AccessGrant, type BreakGlassReview, type ReviewDecision } from '../core/access.js';
import { NotFoundError } from '../core/api-errors.js';
import { Refused } from '../core/errors.js';
import type { KeyRequest, TimerMark } from '../core/model.js';
import type { SlackRef } from '../core/ports.js';
import type { WorkflowContext } from './context.js';
import { grantOf } from './gate.js';
import { removeKey, tellOwner } from './keys.js';

/** The grant as a mark's threshold and detail (small, secret-free). */
function grantDetail(grant: AccessGrant): { threshold: string; detail: Record<string, unknown> } {
  if (grant.kind === 'on_call')
    return { threshold: 'on-call', detail: { kind: 'on_call', group: grant.group } };
  return {
    threshold: 'break-glass',
    detail: {
      kind: 'break_glass',
      reviewBy: grant.reviewBy.toISOString(),
      reviewWithinMs: grant.reviewWithinMs,
    },
  };
}

/**
 * Records why `requestId` needed no approver, before the request itself is stored: the mark stays
 * claimed (held by the request) until the channels were told, then holds where the review is.
 */
export async function recordGrant(
  ctx: WorkflowContext,
  requestId: string,
  grant: AccessGrant,
): Promise<void> {
  const now = ctx.clock.now();
  const { threshold, detail } = grantDetail(grant);
  await ctx.store.claimTimer({
    rule: ACCESS_RULE.grant,
    subject: requestId,
    threshold,
    holder: requestId,
    dueAt: now,
    at: now,
    detail,
  });
}

/** The grant of a request and its mark, or null for a request approved the usual way. */
export async function grantFor(
  ctx: WorkflowContext,
  requestId: string,
): Promise<{ grant: AccessGrant; mark: TimerMark } | null> {
  const [mark] = await ctx.store.listTimerMarks({ rules: [ACCESS_RULE.grant], subjects: [requestId] });
  return mark ? { grant: grantOf(mark.detail), mark } : null;
}

function refOf(mark: TimerMark | undefined): SlackRef | null {
  const channel = mark?.detail?.channel;
  const ts = mark?.detail?.ts;
  return typeof channel === 'string' && typeof ts === 'string' ? { channel, ts } : null;
}

/** A break glass and where its review stands, read afresh. */
export async function breakGlassReview(
  ctx: WorkflowContext,
  request: KeyRequest,
): Promise<BreakGlassReview | null> {
  const marks = await ctx.store.listTimerMarks({
    rules: [ACCESS_RULE.grant, ACCESS_RULE.review],
    subjects: [request.id],
  });
  const grantMark = marks.find((m) => m.rule === ACCESS_RULE.grant && m.threshold === 'break-glass');
  if (!grantMark) return null;
  const grant = grantOf(grantMark.detail);
  if (grant.kind !== 'break_glass') return null;
  const done = marks.find((m) => m.rule === ACCESS_RULE.review && m.state === 'done');
  return {
    request,
    role: ctx.roleOf(request),
    reviewBy: grant.reviewBy,
    ref: refOf(grantMark),
    decision: done
      ? {
          by: done.holder,
          decision: done.detail?.decision === 'revoke' ? 'revoke' : 'keep',
          at: done.settledAt ?? done.claimedAt,
          keyDeleted: done.detail?.keyDeleted === true,
        }
      : null,
    now: ctx.clock.now(),
  };
}

/**
 * Tells the channels why a request was approved at once, after its approval message was posted:
 * on call as a thread reply under it; break glass as a review message with Keep and Revoke in the
 * approval channel and a notice in the security channel. Slack failures are logged: the request
 * stands, and the timers' reminders name it again.
 */
export async function announceGrant(
  ctx: WorkflowContext,
  request: KeyRequest,
  approval: SlackRef,
): Promise<AccessGrant | null> {
  const access = ctx.access;
  const found = await grantFor(ctx, request.id);
  if (!found) return null;
  if (!access || found.mark.state !== 'claimed') return found.grant;
  const { grant } = found;
  const role = ctx.roleOf(request);
  let detail = grantDetail(grant).detail;
  if (grant.kind === 'on_call') {
    await ctx.quietly('tell the approval channel about an on-call approval', () =>
      access.onCall(approval, { request, role, group: grant.group, now: ctx.clock.now() }),
    );
  } else {
    const review = await breakGlassReview(ctx, request);
    if (!review) return grant;
    const doc = ctx.policy.doc;
    await ctx.quietly('announce a break glass', async () => {
      const ref = await access.breakGlass(
        role.approvalChannel ?? doc.approvalChannel,
        doc.security.channel,
        review,
      );
      detail = { ...detail, channel: ref.channel, ts: ref.ts };
    });
  }
  await ctx.store.settleTimer({
    rule: ACCESS_RULE.grant,
    subject: request.id,
    threshold: found.mark.threshold,
    holder: request.id,
    state: 'done',
    at: ctx.clock.now(),
    detail,
  });
  return grant;
}

/**
 * Keep or Revoke a break glass, once, by an approver who is not its requester. Revoke stops a key
 * that was not made yet (the request expires) and deletes one that was. The decision is a mark
 * claimed before anything is done, so two reviewers cannot both decide; if the revoke cannot
 * finish (ClickHouse failed, the key is being made right now) the mark is released and the
 * review stays open.
 */
export async function reviewBreakGlass(
  ctx: WorkflowContext,
  actorId: string,
  requestId: string,
  decision: ReviewDecision,
): Promise<BreakGlassReview> {
  const { request } = await ctx.gate.review(actorId, requestId);
  const now = ctx.clock.now();
  const ids = { rule: ACCESS_RULE.review, subject: requestId, threshold: 'review', holder: actorId };
  await ctx.audit.before({
    actorId,
    action: 'break_glass.review',
    outcome: 'attempt',
    requestId,
    keyId: request.keyId,
    keyName: request.keyName,
    keySuffix: request.keySuffix,
    detail: { decision },
  });
  const mark = await ctx.store.claimTimer({
    ...ids,
    dueAt: now,
    at: now,
    detail: { decision },
    maxAttempts: 10,
  });
  if (!mark) throw new Refused({ code: 'break_glass_reviewed', decision, by: actorId });
  let keyDeleted = false;
  try {
    if (decision === 'revoke') keyDeleted = await revoke(ctx, actorId, request);
  } catch (error) {
    await ctx.store.settleTimer({ ...ids, state: 'failed', at: ctx.clock.now() });
    throw error;
  }
  await ctx.store.settleTimer({
    ...ids,
    state: 'done',
    at: ctx.clock.now(),
    detail: { decision, keyDeleted },
  });
  await ctx.audit.after({
    actorId,
    action: 'break_glass.review',
    outcome: 'ok',
    requestId,
    keyId: request.keyId,
    keyName: request.keyName,
    keySuffix: request.keySuffix,
    detail: { decision, keyDeleted },
  });
  // The requester may break glass again.
  await ctx.store.settleTimer({
    rule: ACCESS_RULE.breakGlassHold,
    subject: request.requesterId,
    threshold: 'open',
    holder: requestId,
    state: 'failed',
    at: ctx.clock.now(),
  });
  const fresh = (await ctx.store.getRequest(requestId)) ?? request;
  const review = await breakGlassReview(ctx, fresh);
  if (!review) throw new Refused({ code: 'not_break_glass' });
  const access = ctx.access;
  if (access) await ctx.quietly('rewrite the break-glass review', () => access.updateReview(review));
  if (fresh.state === 'expired' && request.state === 'approved') await ctx.refreshApproval(requestId);
  return review;
}

/** Revoke: no key may come of the request, and any it made is deleted. True when a key was deleted. */
async function revoke(ctx: WorkflowContext, actorId: string, request: KeyRequest): Promise<boolean> {
  // Not claimed yet: the Create key button stops working.
  await ctx.store.transition({
    id: request.id,
    from: 'approved',
    to: 'expired',
    at: ctx.clock.now(),
    set: { deadline: null },
  });
  const fresh = await ctx.store.getRequest(request.id);
  if (fresh?.state === 'creating') throw new Refused({ code: 'key_being_created' });
  if (fresh?.state !== 'delivered' || !fresh.keyId) return false;
  let key: Awaited<ReturnType<typeof ctx.keys.getKey>>;
  try {
    key = await ctx.keys.getKey(fresh.keyId);
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
  await removeKey(ctx, actorId, key, { why: 'break glass revoked' });
  await tellOwner(ctx, fresh.requesterId, actorId, key, 'deleted');
  return true;
}
