import { Refused } from '../core/errors.js';
import type { Problems } from '../core/outcomes.js';
import type { PolicyRole } from '../core/policy-model.js';
import { KEEP } from '../core/ports.js';
import type { WorkflowContext } from './context.js';
import { type EditResult, editKey } from './edit.js';
import { keyRole } from './keys.js';

/**
 * Extend (product.md §8): the expiry warning's button. It is Edit's longer expiry and nothing
 * else, so it goes through the very same change request: approved like a new key (at once for a
 * role with `approvals: 0`), applied with `PATCH expireAt`; a shorter choice applies at once.
 */

/** What the Extend dialog collected, untrusted. */
export interface ExtendDraft {
  expiry: string;
  reason: string;
}

export type ExtendField = keyof ExtendDraft;

/** The facts the Extend dialog shows, after the gate allowed `viewerId` to change the key. */
export async function extendForm(
  ctx: WorkflowContext,
  viewerId: string,
  keyId: string,
): Promise<{ role: PolicyRole }> {
  const facts = await ctx.gate.key(viewerId, keyId, 'change');
  const role = keyRole(ctx, facts.key, facts.owner)?.role;
  if (!role) throw new Refused({ code: 'role_unknown', action: 'extend' });
  return { role };
}

/**
 * The checks that need no network, answered inside the dialog: the expiry is one the role offers,
 * and the reason reads as one. `extendKey` checks everything again after the acknowledgement.
 */
export function checkExtendDraft(
  ctx: WorkflowContext,
  roleId: string,
  draft: ExtendDraft,
): Problems<ExtendField> {
  const errors: Problems<ExtendField> = {};
  const role = ctx.policy.role(roleId);
  if (!role) errors.expiry = { code: 'role_gone' };
  else if (!ctx.policy.isExpiryAllowed(role.id, draft.expiry))
    errors.expiry = { code: 'expiry_too_long', roleLabel: role.label, maxExpiry: role.maxExpiry };
  const reasonProblem = ctx.policy.validateReason(draft.reason.trim());
  if (reasonProblem) errors.reason = reasonProblem;
  return errors;
}

/** Extends the key by way of Edit: the name and role kept, the expiry counted from now. */
export async function extendKey(
  ctx: WorkflowContext,
  viewerId: string,
  keyId: string,
  draft: ExtendDraft,
): Promise<EditResult> {
  const { key } = await ctx.gate.key(viewerId, keyId, 'change');
  return editKey(ctx, viewerId, keyId, {
    keyName: key.name,
    roleId: KEEP,
    expiry: draft.expiry,
    reason: draft.reason,
  });
}
