import type { ApiKey, UpdateKeyInput } from '../core/clickhouse.js';
import { KeyhouseError } from '../core/errors.js';
import type { KeyRequest } from '../core/model.js';
import type { PolicyRole } from '../core/policy-model.js';
import type { EditDraft, EditField } from '../core/ports.js';
import { KEEP } from '../core/ports.js';
import { addMs, expiryInstant } from '../core/time.js';
import type { WorkflowContext } from './context.js';
import { grantFor } from './grant.js';
import { manageableKey, tellOwner } from './keys.js';
import { finishAttempt, releaseAttempt, runAttempt } from './settle.js';

export type { EditDraft, EditField };

export type EditResult =
  | { ok: false; errors: Partial<Record<EditField, string>> }
  | { ok: true; notice: string; changeRequest: KeyRequest | null };

/**
 * Edits a key as the console allows. A rename and a shorter expiry apply at once (owner or admin).
 * A longer expiry or another role is never self-service: it becomes a `change` request that goes
 * through the same approval flow as a new key, and is applied with PATCH once approved.
 */
export async function editKey(
  ctx: WorkflowContext,
  viewerId: string,
  keyId: string,
  draft: EditDraft,
): Promise<EditResult> {
  // The role the key was approved under (the store's record), never one inferred from
  // ClickHouse's role fields. A key made outside Keyhouse has none: any change to its role or
  // lifetime then names a role and is approved as that role.
  const { key, ownerId, role: current } = await manageableKey(ctx, viewerId, keyId);
  const { policy } = ctx;
  const errors: Partial<Record<EditField, string>> = {};
  const keyName = draft.keyName.trim();
  const nameError = policy.validateKeyName(keyName);
  if (nameError) errors.keyName = nameError;

  let target: PolicyRole | null = current;
  if (draft.roleId !== KEEP) {
    target = policy.role(draft.roleId) ?? null;
    if (!target || !(await policy.canRequest(viewerId, draft.roleId)))
      errors.roleId = 'You may not request this role.';
  }

  const now = ctx.clock.now();
  let newExpireAt: Date | null | undefined;
  if (draft.expiry !== KEEP) {
    if (!target)
      errors.roleId ??= 'This key’s role is not one the policy knows; choose a role to change its expiry.';
    else if (!policy.isExpiryAllowed(target.id, draft.expiry)) {
      errors.expiry = `Choose an expiry of at most ${target.maxExpiry} for ${target.label}.`;
    } else newExpireAt = expiryInstant(now, draft.expiry);
  } else if (target && target !== current && !fitsRole(key, target, now)) {
    errors.expiry = `${target.label} allows at most ${target.maxExpiry}; choose an expiry.`;
  }

  const roleChange = target !== null && target !== current && draft.roleId !== KEEP;
  const longer = newExpireAt !== undefined && isLonger(key.expireAt, newExpireAt);
  const needsApproval = roleChange || longer;
  // A longer life for the same role is a request for that role: who may ask is checked as for a
  // new key, whatever the key's history.
  if (longer && !roleChange && target && !(await policy.canRequest(viewerId, target.id))) {
    errors.expiry = `You may not request ${target.label} keys, so you cannot extend this one; ask an admin.`;
  }
  const reason = draft.reason.trim();
  if (needsApproval) {
    const reasonError = policy.validateReason(reason);
    if (reasonError) errors.reason = reasonError;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const notices: string[] = [];
  const patch: UpdateKeyInput = {};
  if (keyName !== key.name) patch.name = keyName;
  if (!needsApproval && newExpireAt !== undefined) patch.expireAt = newExpireAt?.toISOString() ?? null;
  if (patch.name !== undefined || patch.expireAt !== undefined) {
    const updated = await ctx.audit.effect(
      {
        actorId: viewerId,
        action: 'key.update',
        keyId,
        keyName: key.name,
        keySuffix: key.keySuffix,
        detail: { name: patch.name ?? null, expireAt: patch.expireAt ?? null },
      },
      async () => {
        const changed = await ctx.keys.updateKey(keyId, patch);
        if (patch.name !== undefined) await ctx.store.renameKeyOwner(keyId, changed.name);
        return changed;
      },
    );
    if (patch.name !== undefined) {
      notices.push(`Renamed ${key.name} to ${updated.name}.`);
      await tellOwner(ctx, ownerId, viewerId, updated, 'renamed');
    }
    if (patch.expireAt !== undefined) {
      notices.push(
        `${updated.name} now expires ${patch.expireAt === null ? 'never' : `at ${patch.expireAt}`}.`,
      );
      await tellOwner(ctx, ownerId, viewerId, updated, 'shortened');
    }
  }

  let changeRequest: KeyRequest | null = null;
  if (needsApproval && target) {
    changeRequest = await requestChange(
      ctx,
      viewerId,
      { ...key, name: keyName },
      current,
      target,
      draft,
      reason,
    );
    notices.push(
      target.approvals === 0
        ? `The change to ${keyName} needs no approval for ${target.label}; applying it.`
        : `The change to ${keyName} was sent for approval.`,
    );
  }
  return { ok: true, notice: notices.join(' ') || 'Nothing to change.', changeRequest };
}

/** A longer expiry (or none at all, where there was one) than the key has now. */
function isLonger(current: string | null, next: Date | null): boolean {
  if (current === null) return false;
  return next === null || next.getTime() > new Date(current).getTime();
}

/** Whether the key's remaining lifetime is within what `role` allows. */
function fitsRole(key: ApiKey, role: PolicyRole, now: Date): boolean {
  if (role.maxExpiryMs === null) return true;
  if (key.expireAt === null) return false;
  return new Date(key.expireAt).getTime() - now.getTime() <= role.maxExpiryMs;
}

async function requestChange(
  ctx: WorkflowContext,
  viewerId: string,
  key: ApiKey,
  current: PolicyRole | null,
  target: PolicyRole,
  draft: EditDraft,
  reason: string,
): Promise<KeyRequest> {
  const now = ctx.clock.now();
  const immediate = target.approvals === 0;
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
    detail: { kind: 'change', ...change },
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
    approvalsRequired: target.approvals,
    state: immediate ? 'approved' : 'pending',
    createdAt: now,
    deadline: addMs(now, immediate ? ctx.policy.doc.claimTtlMs : ctx.policy.doc.requestTtlMs),
    keyId: key.id,
    keySuffix: key.keySuffix,
    change,
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
  if (!attempt.won) {
    throw new KeyhouseError('conflict', 'This change is already being applied, or no longer can be.');
  }
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
    const patch: UpdateKeyInput = { ...(await grantFor(ctx, ctx.roleOf(request))) };
    if (change.to.expiry !== KEEP)
      patch.expireAt = expiryInstant(now, change.to.expiry)?.toISOString() ?? null;
    await ctx.keys.updateKey(change.keyId, patch);
    // From now on the key is held under the approved role (no-op for a key made outside Keyhouse).
    await ctx.store.setKeyOwnerRole(change.keyId, change.to.roleId);
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
    const detail = error instanceof KeyhouseError ? error.message : 'ClickHouse did not apply it.';
    await ctx.quietly('tell the requester the change failed', async () => {
      await ctx.notifier.tellRequester(request.requesterId, { kind: 'change_failed', request, detail });
      if (!(await ctx.messageRef(request.id, 'dm')))
        await ctx.sendClaim(request, await ctx.approvers(request));
    });
    throw error;
  }
  return finishAttempt(ctx, request.id, attemptId);
}
