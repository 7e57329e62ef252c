/**
 * A change to an existing key (Edit's longer expiry or another role, Extend): recorded as a
 * `change` request, approved like a new key, and applied with PATCH once approved. Nothing is
 * shown once for a change, so an interrupted application is simply applied again.
 */
import type { ApiKey, UpdateKeyInput } from '../core/clickhouse.js';
import { KeyhouseError, Refused } from '../core/errors.js';
import type { KeyRequest } from '../core/model.js';
import type { PolicyRole } from '../core/policy-model.js';
import { isServiceGrant } from '../core/policy-model.js';
import type { EditDraft } from '../core/ports.js';
import { KEEP } from '../core/ports.js';
import type { ChosenService } from '../core/service-scope.js';
import { addMs, expiryInstant } from '../core/time.js';
import type { WorkflowContext } from './context.js';
import { envelopeOf } from './gate.js';
import { grantFor } from './grant.js';
import { finishAttempt, releaseAttempt, runAttempt } from './settle.js';

export async function requestChange(
  ctx: WorkflowContext,
  viewerId: string,
  key: ApiKey,
  current: PolicyRole | null,
  target: PolicyRole,
  draft: EditDraft,
  reason: string,
  scope: { services: ChosenService[] | null; approvals: number } = {
    services: null,
    approvals: target.approvals,
  },
): Promise<KeyRequest> {
  const now = ctx.clock.now();
  const immediate = scope.approvals === 0;
  const id = ctx.newId();
  const expiry = draft.expiry;
  const change = {
    keyId: key.id,
    keySuffix: key.keySuffix,
    from: { roleId: current?.id ?? null, expireAt: key.expireAt },
    to: { roleId: target.id, expiry },
  };
  await ctx.audit.before({
    actorId: viewerId,
    action: 'request.submitted',
    outcome: 'ok',
    requestId: id,
    keyId: key.id,
    keyName: key.name,
    keySuffix: key.keySuffix,
    detail: {
      kind: 'change',
      ...change,
      ...(scope.services ? { services: scope.services.map((s) => s.id) } : {}),
    },
  });
  return ctx.store.createRequest({
    id,
    kind: 'change',
    requesterId: viewerId,
    keyName: key.name,
    roleId: target.id,
    expiry,
    reason,
    ipAccessList: key.ipAccessList,
    approvalsRequired: scope.approvals,
    state: immediate ? 'approved' : 'pending',
    createdAt: now,
    deadline: addMs(now, immediate ? ctx.policy.doc.claimTtlMs : ctx.policy.doc.requestTtlMs),
    keyId: key.id,
    keySuffix: key.keySuffix,
    change,
    services: scope.services,
  });
}

/**
 * Applies an approved change with PATCH: the new role's grant, and the new expiry counted from
 * now. On failure the request goes back to `approved` and the requester may apply it again from
 * their DM.
 */
export async function applyChange(ctx: WorkflowContext, request: KeyRequest): Promise<void> {
  const change = request.change;
  if (request.kind !== 'change' || !change) throw new KeyhouseError('internal', 'not a change request');
  const attemptId = ctx.newId();
  await ctx.audit.before({
    actorId: request.requesterId,
    action: 'key.change',
    outcome: 'attempt',
    requestId: request.id,
    keyId: change.keyId,
    keySuffix: change.keySuffix,
    detail: { to: change.to },
  });
  const attempt = await runAttempt(ctx, request.id, attemptId, (claimed, startedAt) =>
    patchKey(ctx, claimed, attemptId, startedAt),
  );
  if (!attempt.won) throw new Refused({ code: 'change_in_progress' });
  const applied = attempt.value;
  await ctx.audit.after({
    actorId: request.requesterId,
    action: 'key.changed',
    outcome: 'ok',
    requestId: request.id,
    keyId: change.keyId,
    keySuffix: change.keySuffix,
  });
  const done = applied ?? request;
  await ctx.quietly('tell the requester the change was applied', () =>
    ctx.notifier.tellRequester(request.requesterId, { kind: 'change_applied', request: done }),
  );
  const owner = await ctx.store.getKeyOwner(change.keyId);
  if (owner && owner.ownerId !== request.requesterId) {
    await ctx.quietly('tell the owner the change was applied', () =>
      ctx.notifier.tellRequester(owner.ownerId, { kind: 'change_applied', request: done }),
    );
  }
  await ctx.refreshApproval(request.id);
}

/** PATCHes the key and records the outcome; on failure the request returns to `approved`. */
async function patchKey(
  ctx: WorkflowContext,
  request: KeyRequest,
  attemptId: string,
  now: Date,
): Promise<KeyRequest | null> {
  const change = request.change!;
  try {
    const role = ctx.roleOf(request);
    const patch: UpdateKeyInput = { ...(await grantFor(ctx, role, request)) };
    const end = change.to.expiry === KEEP ? undefined : expiryInstant(now, change.to.expiry);
    if (end !== undefined) patch.expireAt = end?.toISOString() ?? null;
    await ctx.keys.updateKey(change.keyId, patch);
    // From now on the key is held under the approved role (no-op for a key made outside Keyhouse),
    // and its approvals allow it to live until the new end (what a later rotation may not pass).
    await ctx.store.setKeyOwnerRole(change.keyId, change.to.roleId);
    // The services the key reaches now (none for a role not scoped to services).
    await ctx.store.setKeyOwnerServices(change.keyId, isServiceGrant(role.grant) ? request.services : null);
    if (end !== undefined) await ctx.store.setApprovedUntil(change.keyId, envelopeOf(end));
  } catch (error) {
    await ctx.audit.after({
      actorId: request.requesterId,
      action: 'key.change',
      outcome: 'failed',
      requestId: request.id,
      keyId: change.keyId,
      detail: { error: error instanceof Error ? error.name : 'unknown' },
    });
    await releaseAttempt(ctx, request, attemptId);
    const refusal = error instanceof Refused ? error.refusal : null;
    await ctx.quietly('tell the requester the change failed', async () => {
      await ctx.notifier.tellRequester(request.requesterId, { kind: 'change_failed', request, refusal });
      if (!(await ctx.messageRef(request.id, 'dm')))
        await ctx.sendClaim(request, await ctx.approvers(request));
    });
    throw error;
  }
  return finishAttempt(ctx, request.id, attemptId);
}
