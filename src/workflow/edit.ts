import type { ApiKey, UpdateKeyInput } from '../core/clickhouse.js';
import type { KeyRequest } from '../core/model.js';
import type { Done, Problems } from '../core/outcomes.js';
import { isServiceGrant, type PolicyRole } from '../core/policy-model.js';
import type { EditDraft, EditField } from '../core/ports.js';
import { KEEP } from '../core/ports.js';
import { type ChosenService, widens } from '../core/service-scope.js';
import { expiryInstant } from '../core/time.js';
import { requestChange } from './change.js';
import type { WorkflowContext } from './context.js';
import { tellOwner } from './keys.js';

export type { EditDraft, EditField };

export type EditResult =
  | { ok: false; errors: Problems<EditField> }
  | { ok: true; done: Done; changeRequest: KeyRequest | null };

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
  // lifetime then names a role and is approved as that role. A key marked leaked is renamed, not
  // changed: it is rotated or deleted.
  const changing = draft.roleId !== KEEP || draft.expiry !== KEEP || draft.serviceIds !== undefined;
  const facts = await ctx.gate.key(viewerId, keyId, changing ? 'change' : 'rename');
  const { key, ownerId, role: current } = facts;
  const { policy } = ctx;
  const errors: Problems<EditField> = {};
  const keyName = draft.keyName.trim();
  const nameProblem = policy.validateKeyName(keyName);
  if (nameProblem) errors.keyName = nameProblem;

  let target: PolicyRole | null = current;
  if (draft.roleId !== KEEP) {
    target = policy.role(draft.roleId) ?? null;
    if (!target || !(await policy.canRequest(viewerId, draft.roleId)))
      errors.roleId = { code: 'may_not_request_role' };
  }

  const now = ctx.clock.now();
  let newExpireAt: Date | null | undefined;
  if (draft.expiry !== KEEP) {
    if (!target) errors.roleId ??= { code: 'role_needed_for_expiry' };
    else if (!policy.isExpiryAllowed(target.id, draft.expiry)) {
      errors.expiry = { code: 'expiry_too_long', roleLabel: target.label, maxExpiry: target.maxExpiry };
    } else newExpireAt = expiryInstant(now, draft.expiry);
  } else if (target && target !== current && !fitsRole(key, target, now)) {
    errors.expiry = { code: 'expiry_beyond_role', roleLabel: target.label, maxExpiry: target.maxExpiry };
  }

  const roleChange = target !== null && target !== current && draft.roleId !== KEEP;
  const longer = newExpireAt !== undefined && isLonger(key.expireAt, newExpireAt);
  // The services a key of a role scoped to services reaches after the edit (product.md §16):
  // chosen again among those the role offers now, or the key's own. More than it has (or another
  // role) is approved like a new key; fewer is a change that needs no approval.
  const held = facts.owner?.services ?? [];
  let services: ChosenService[] | null = null;
  if (target && isServiceGrant(target.grant)) {
    if (draft.serviceIds === undefined && !roleChange && held.length > 0) {
      // Kept as they are: a service since deleted or renamed stays named as chosen.
      services = held;
    } else {
      const scoped = await ctx.gate.services(target, draft.serviceIds ?? []);
      if ('problem' in scoped) errors.serviceIds = scoped.problem;
      else services = scoped.services;
    }
  }
  const servicesChange = services !== null && (widens(held, services) || widens(services, held));
  const widening = services !== null && widens(held, services);
  const needsApproval = roleChange || longer || widening;
  // A longer life for the same role is a request for that role: who may ask is checked as for a
  // new key, whatever the key's history.
  if (longer && !roleChange && target && !(await policy.canRequest(viewerId, target.id))) {
    errors.expiry = { code: 'may_not_extend', roleLabel: target.label };
  }
  const reason = draft.reason.trim();
  if (needsApproval) {
    const reasonProblem = policy.validateReason(reason);
    if (reasonProblem) errors.reason = reasonProblem;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const done: Done[] = [];
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
      done.push({ code: 'renamed', from: key.name, to: updated.name });
      await tellOwner(ctx, ownerId, viewerId, updated, 'renamed');
    }
    if (patch.expireAt !== undefined) {
      done.push({
        code: 'expiry_set',
        keyName: updated.name,
        expireAt: patch.expireAt === null ? null : new Date(patch.expireAt),
      });
      await tellOwner(ctx, ownerId, viewerId, updated, 'shortened');
    }
  }

  let changeRequest: KeyRequest | null = null;
  if ((needsApproval || servicesChange) && target) {
    const approvals = needsApproval ? target.approvals : 0;
    changeRequest = await requestChange(
      ctx,
      viewerId,
      { ...key, name: keyName },
      current,
      target,
      needsApproval ? draft : { ...draft, expiry: KEEP },
      reason,
      { services, approvals },
    );
    done.push({
      code: 'change_requested',
      keyName,
      needsApproval: approvals > 0,
      roleLabel: target.label,
    });
  }
  const result: Done =
    done.length === 0
      ? { code: 'nothing_to_change' }
      : done.length === 1
        ? done[0]!
        : { code: 'several', done };
  return { ok: true, done: result, changeRequest };
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
