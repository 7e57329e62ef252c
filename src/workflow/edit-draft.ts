import type { Problems } from '../core/outcomes.js';
import { KEEP } from '../core/ports.js';
import { unlessWaiting } from '../util/no-wait.js';
import type { WorkflowContext } from './context.js';
import type { EditDraft, EditField } from './edit.js';

/**
 * The rules of an edit that need neither the key nor the network: the name, and a chosen role
 * and its expiry. They can be answered inside the dialog at once; `editKey` checks everything
 * again once ClickHouse has answered (a longer expiry needing a reason depends on the key). A
 * role whose group membership is not cached yet is left to `editKey`.
 */
export async function checkEditDraft(
  ctx: WorkflowContext,
  viewerId: string,
  draft: EditDraft,
): Promise<Problems<EditField>> {
  const { policy } = ctx;
  const errors: Problems<EditField> = {};
  const nameProblem = policy.validateKeyName(draft.keyName.trim());
  if (nameProblem) errors.keyName = nameProblem;
  if (draft.roleId === KEEP) return errors;
  const role = policy.role(draft.roleId);
  const allowed = role ? await unlessWaiting(() => policy.canRequest(viewerId, role.id)) : false;
  if (!role || allowed === false) errors.roleId = { code: 'may_not_request_role' };
  else if (draft.expiry !== KEEP && !policy.isExpiryAllowed(role.id, draft.expiry)) {
    errors.expiry = { code: 'expiry_too_long', roleLabel: role.label, maxExpiry: role.maxExpiry };
  }
  return errors;
}
