import { KeyhouseError } from '../core/errors.js';
import type { PolicyRole } from '../core/policy-model.js';
import { KEEP } from '../core/ports.js';
import type { WorkflowContext } from './context.js';
import { type EditResult, editKey } from './edit.js';
import { manageableKey } from './keys.js';
import { keyRole } from './rotate.js';

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

/** The facts the Extend dialog shows, after checking that `viewerId` may change the key. */
export async function extendForm(
  ctx: WorkflowContext,
  viewerId: string,
  keyId: string,
): Promise<{ role: PolicyRole }> {
  const { key } = await manageableKey(ctx, viewerId, keyId);
  const role = keyRole(ctx, key, await ctx.store.getKeyOwner(keyId))?.role;
  if (!role) {
    throw new KeyhouseError(
      'invalid_input',
      'This key’s role matches no role in the policy, so Keyhouse cannot extend it. Request a new key instead.',
    );
  }
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
): Partial<Record<ExtendField, string>> {
  const errors: Partial<Record<ExtendField, string>> = {};
  const role = ctx.policy.role(roleId);
  if (!role) errors.expiry = 'This key’s role is no longer in the policy; request a new key instead.';
  else if (!ctx.policy.isExpiryAllowed(role.id, draft.expiry))
    errors.expiry = `Choose an expiry of at most ${role.maxExpiry} for ${role.label}.`;
  const reasonError = ctx.policy.validateReason(draft.reason.trim());
  if (reasonError) errors.reason = reasonError;
  return errors;
}

/** Extends the key by way of Edit: the name and role kept, the expiry counted from now. */
export async function extendKey(
  ctx: WorkflowContext,
  viewerId: string,
  keyId: string,
  draft: ExtendDraft,
): Promise<EditResult> {
  const { key } = await manageableKey(ctx, viewerId, keyId);
  return editKey(ctx, viewerId, keyId, {
    keyName: key.name,
    roleId: KEEP,
    expiry: draft.expiry,
    reason: draft.reason,
  });
}
