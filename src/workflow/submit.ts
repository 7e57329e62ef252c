import type { AccessGrant } from '../core/access.js';
import { Refused } from '../core/errors.js';
import type { KeyRequest } from '../core/model.js';
import type { Problems } from '../core/outcomes.js';
import type { PolicyRole } from '../core/policy-model.js';
import type { DraftField, RequestDraft } from '../core/ports.js';
import { addMs } from '../core/time.js';
import { parseIpAccessList } from '../policy/index.js';
import { announceGrant, recordGrant } from './access.js';
import { announceOnce } from './announce-mark.js';
import type { WorkflowContext } from './context.js';
import type { ApprovalPath } from './gate.js';
import { proceed } from './proceed.js';

export type { DraftField, RequestDraft };

export type SubmitResult = { ok: true; request: KeyRequest } | { ok: false; errors: Problems<DraftField> };

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
  const keyName = draft.keyName.trim();
  const reason = draft.reason.trim();
  const { role, services, problems } = await ctx.gate.request(
    userId,
    draft.roleId,
    draft.expiry,
    draft.serviceIds ?? [],
  );
  const errors: Problems<DraftField> = { ...problems };
  const nameProblem = policy.validateKeyName(keyName);
  if (nameProblem) errors.keyName = nameProblem;
  const reasonProblem = policy.validateReason(reason);
  if (reasonProblem) errors.reason = reasonProblem;
  const ips = parseIpAccessList(draft.ipAccessList);
  if ('problem' in ips) errors.ipAccessList = ips.problem;
  const destinationId = wantedDestination(draft);
  const destination = role && destinationId ? ctx.gate.destination(role.id, destinationId) : null;
  if (role && destinationId && !destination) errors.destinationId = { code: 'destination_not_offered' };
  if (role && destination) {
    const taken = await ctx.gate.placeTaken(
      { id: '', keyName, roleId: role.id, requesterId: userId, rotation: null },
      destination,
    );
    if (taken) errors.destinationId = { code: 'refused', refusal: taken };
  }
  if (!role || Object.keys(errors).length > 0 || 'problem' in ips) return { ok: false, errors };

  const access = await ctx.gate.approvalPath(userId, role, draft.expiry, draft.breakGlass === true);
  if (Object.keys(access.problems).length > 0) return { ok: false, errors: access.problems };
  const { path } = access;

  const limit = await ctx.gate.limits(userId, { opening: true, adding: true });
  if (limit) return { ok: false, errors: { keyName: { code: 'refused', refusal: limit } } };

  const now = ctx.clock.now();
  const immediate = path.kind !== 'approvers';
  const id = ctx.newId();
  if (path.kind === 'break_glass') {
    const held = await ctx.gate.holdBreakGlass(userId, id);
    if (held) return { ok: false, errors: { roleId: { code: 'refused', refusal: held } } };
  }
  const grant = grantOfPath(path, role, now);
  const ipAccessList = ips.entries.length > 0 ? ips.entries : [...policy.doc.defaultIpAccessList];

  await ctx.audit.before({
    actorId: userId,
    action: 'request.submitted',
    outcome: 'ok',
    requestId: id,
    keyName,
    detail: {
      role: role.id,
      expiry: draft.expiry,
      approvalsRequired: immediate ? 0 : role.approvals,
      ipAccessList,
      ...(destinationId ? { destination: destinationId } : {}),
      ...(services ? { services: services.map((s) => s.id) } : {}),
      ...(path.kind === 'approvers' ? {} : { approval: path.kind }),
    },
  });
  if (grant) await recordGrant(ctx, id, grant);
  const request = await ctx.store.createRequest({
    id,
    kind: 'create',
    requesterId: userId,
    keyName,
    roleId: role.id,
    expiry: draft.expiry,
    reason,
    ipAccessList,
    services,
    approvalsRequired: immediate ? 0 : role.approvals,
    state: immediate ? 'approved' : 'pending',
    createdAt: now,
    deadline: addMs(now, immediate ? policy.doc.claimTtlMs : policy.doc.requestTtlMs),
    destinationId,
  });
  if (immediate) {
    await ctx.audit.after({
      // Breaking glass is the requester's own approval; the others are the policy's.
      actorId: path.kind === 'break_glass' ? userId : 'policy',
      action: 'request.approved',
      outcome: 'ok',
      requestId: id,
      keyName,
      detail: approvedDetail(path),
    });
  }
  return { ok: true, request };
}

/** The destination a draft asks for, or null for the requester (the modal's first choice, or no choice). */
function wantedDestination(draft: RequestDraft): string | null {
  const chosen = draft.destinationId?.trim() ?? '';
  return chosen === '' || chosen === 'requester' ? null : chosen;
}

/**
 * Posts a stored request where people act on it: the approval channel always (for a role with
 * no approval, as a notice), and the requester's Create key DM when it is already approved. A
 * request nobody can see is withdrawn rather than left pending forever, and the error says why.
 *
 * The post is claimed first (`request.announce`), so the timers, which post a request a crash
 * left unposted, never post it a second time; a request whose post is claimed elsewhere is left
 * to that claim.
 */
export async function announceRequest(ctx: WorkflowContext, request: KeyRequest): Promise<void> {
  await announceOnce(ctx, request, 'post', () => postRequest(ctx, request, 'withdraw'));
}

/**
 * The post itself. On the submission's path a channel that refuses it withdraws the request (the
 * requester is told at once); on the timers' path the refusal is thrown and tried again at a
 * later tick, and the request lapses at its deadline if Slack never takes it.
 */
export async function postRequest(
  ctx: WorkflowContext,
  request: KeyRequest,
  whenRefused: 'withdraw' | 'throw',
): Promise<void> {
  let posted: { channel: string; ts: string };
  try {
    posted = await ctx.notifier.postApproval(await ctx.approvalCard(request));
  } catch (error) {
    if (whenRefused === 'throw') throw error;
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
    throw new Refused(
      {
        code: 'approval_channel_unreachable',
        channel: ctx.roleOf(request).approvalChannel ?? ctx.policy.doc.approvalChannel,
      },
      { cause: error },
    );
  }
  await ctx.store.putMessageRef({ requestId: request.id, kind: 'approval', ...posted });
  const grant = await announceGrant(ctx, request, posted);
  // A break glass was approved by its requester, and their DM says so; on call, by the policy.
  if (request.state === 'approved') {
    await proceed(ctx, request, grant?.kind === 'break_glass' ? [request.requesterId] : 'policy');
  }
}

/** What the audit says made a request approved at once: the policy, an on-call group, or break glass. */
function approvedDetail(path: ApprovalPath): Record<string, unknown> {
  if (path.kind === 'on_call') return { by: 'on_call', group: path.group };
  if (path.kind === 'break_glass') return { by: 'break_glass' };
  return { by: 'policy' };
}

function grantOfPath(path: ApprovalPath, role: PolicyRole, now: Date): AccessGrant | null {
  if (path.kind === 'on_call') return { kind: 'on_call', group: path.group };
  if (path.kind === 'break_glass' && role.breakGlass) {
    const within = role.breakGlass.reviewWithinMs;
    return { kind: 'break_glass', reviewBy: addMs(now, within), reviewWithinMs: within };
  }
  return null;
}
