import type { ModalView } from '@slack/types';
import { requestModal } from '../../views/index.js';
import type { HandlerDeps } from '../deps.js';
import { wordsOf } from './words.js';

/**
 * The request modal as this user may fill it, in their words: only the roles they may request,
 * the expiry choices of the selected role (the first one until they pick another). Null when
 * they may request nothing.
 */
export async function requestModalFor(
  deps: HandlerDeps,
  userId: string,
  selectedRoleId?: string,
): Promise<ModalView | null> {
  const { policy } = deps;
  const roles = await policy.requestableRoles(userId);
  const selected = roles.find((r) => r.id === selectedRoleId) ?? roles[0];
  if (!selected) return null;
  const { doc } = policy;
  return requestModal(await wordsOf(deps, userId), {
    roles,
    selectedRoleId: selected.id,
    expiryChoices: policy.expiryChoices(selected.id),
    reasonRequired: doc.reason.required,
    reasonMinLength: doc.reason.minLength,
    reasonMaxLength: doc.reason.maxLength,
    defaultIpAccessList: doc.defaultIpAccessList,
    keyName: doc.keyName,
  });
}
