import { KeyhouseError } from '../core/errors.js';
import type { KeyRequest } from '../core/model.js';
import type { DraftField, RequestDraft } from '../core/ports.js';
import { addMs } from '../core/time.js';
import { parseIpAccessList } from '../policy/index.js';
import type { WorkflowContext } from './context.js';
import { applyChange } from './edit.js';

export type { DraftField, RequestDraft };

export type SubmitResult =
  | { ok: true; request: KeyRequest }
  | { ok: false; errors: Partial<Record<DraftField, string>> };

/**
 * Checks every rule again, whatever the client sent, and records a valid request: `pending`, or
 * straight to `approved` for a role that needs no approval. Nothing is stored for an invalid one.
 */
export async function submitRequest(
  ctx: WorkflowContext,
  userId: string,
  draft: RequestDraft,
): Promise<SubmitResult> {
  const { policy } = ctx;
  const errors: Partial<Record<DraftField, string>> = {};
  const keyName = draft.keyName.trim();
  const reason = draft.reason.trim();

  const nameError = policy.validateKeyName(keyName);
  if (nameError) errors.keyName = nameError;

  const role = policy.role(draft.roleId);
  if (!role || !(await policy.canRequest(userId, draft.roleId))) {
    errors.roleId = 'You may not request this role.';
  } else if (!policy.isExpiryAllowed(role.id, draft.expiry)) {
    errors.expiry = `Choose an expiry of at most ${role.maxExpiry} for ${role.label}.`;
  }

  const reasonError = policy.validateReason(reason);
  if (reasonError) errors.reason = reasonError;

  const ips = parseIpAccessList(draft.ipAccessList);
  if ('error' in ips) errors.ipAccessList = ips.error;

  if (!role || Object.keys(errors).length > 0 || 'error' in ips) return { ok: false, errors };

  const limit = await limitReached(ctx, userId);
  if (limit) return { ok: false, errors: { keyName: limit } };

  const now = ctx.clock.now();
  const immediate = role.approvals === 0;
  const id = ctx.newId();
  const ipAccessList = ips.entries.length > 0 ? ips.entries : [...policy.doc.defaultIpAccessList];

  await ctx.audit.before({
    actorId: userId,
    action: 'request.submitted',
    outcome: 'ok',
    requestId: id,
    keyName,
    detail: { role: role.id, expiry: draft.expiry, approvalsRequired: role.approvals, ipAccessList },
  });
  const request = await ctx.store.createRequest({
    id,
    kind: 'create',
    requesterId: userId,
    keyName,
    roleId: role.id,
    expiry: draft.expiry,
    reason,
    ipAccessList,
    approvalsRequired: role.approvals,
    state: immediate ? 'approved' : 'pending',
    createdAt: now,
    deadline: addMs(now, immediate ? policy.doc.claimTtlMs : policy.doc.requestTtlMs),
  });
  if (immediate) {
    await ctx.audit.after({
      actorId: 'policy',
      action: 'request.approved',
      outcome: 'ok',
      requestId: id,
      keyName,
      detail: { by: 'policy' },
    });
  }
  return { ok: true, request };
}

/** Requests still on their way to a key: they count against `limits.pendingPerUser`. */
const OPEN_STATES = ['pending', 'approved', 'creating'] as const;

/**
 * Why this user may not ask for another key now (`limits`, product.md §8), or null. Read from the
 * store alone, so it answers inside the modal; admins are not limited.
 */
async function limitReached(ctx: WorkflowContext, userId: string): Promise<string | null> {
  const { pendingPerUser, keysPerUser } = ctx.policy.doc.limits;
  const [open, owned] = await Promise.all([
    ctx.store.listRequests({ requesterId: userId, states: OPEN_STATES, limit: pendingPerUser }),
    ctx.store.listKeyOwners(userId),
  ]);
  let refusal: string | null = null;
  if (open.length >= pendingPerUser) {
    refusal =
      `You already have ${open.length} requests open (the limit is ${pendingPerUser}). ` +
      'Create or cancel those keys first; the App Home lists them.';
  } else if (owned.length >= keysPerUser) {
    refusal =
      `You already own ${owned.length} keys (the limit is ${keysPerUser}). ` +
      'Delete one you no longer need (`list`), or ask an admin.';
  }
  // Checked last, and only when it matters: it may need the admins' user group (cached for 60 s).
  if (refusal && (await ctx.policy.isAdmin(userId))) return null;
  return refusal;
}

/**
 * Posts a stored request where people act on it: the approval channel always (for a role with
 * no approval, as a notice), and the requester's Create key DM when it is already approved. A
 * request nobody can see is withdrawn rather than left pending forever, and the error says why.
 */
export async function announceRequest(ctx: WorkflowContext, request: KeyRequest): Promise<void> {
  let posted: { channel: string; ts: string };
  try {
    posted = await ctx.notifier.postApproval(await ctx.approvalCard(request));
  } catch (error) {
    const withdrawn = await ctx.store.transition({
      id: request.id,
      from: request.state,
      to: 'expired',
      at: ctx.clock.now(),
      set: { deadline: null },
    });
    await ctx.audit.after({
      actorId: 'system',
      action: 'request.withdrawn',
      outcome: withdrawn ? 'ok' : 'failed',
      requestId: request.id,
      keyName: request.keyName,
      detail: { why: 'approval channel unreachable' },
    });
    throw new KeyhouseError(
      'delivery_failed',
      `Keyhouse could not post your request in <#${ctx.roleOf(request).approvalChannel ?? ctx.policy.doc.approvalChannel}>, so it was withdrawn. ` +
        'Ask an admin to invite the Keyhouse app to that channel, then request again.',
      { cause: error },
    );
  }
  await ctx.store.putMessageRef({ requestId: request.id, kind: 'approval', ...posted });
  if (request.state !== 'approved') return;
  if (request.kind === 'change') await applyChange(ctx, request);
  else await ctx.sendClaim(request, 'policy');
}
