import type { ModalView } from '@slack/types';
import type { Policy } from '../../policy/index.js';
import { destinationsOf } from '../../views/delivery.js';
import { requestModal } from '../../views/index.js';

/**
 * The request modal as this user may fill it: only the roles they may request, the expiry
 * choices of the selected role (the first one until they pick another). Null when they may
 * request nothing.
 */
export async function requestModalFor(
  policy: Policy,
  userId: string,
  selectedRoleId?: string,
): Promise<ModalView | null> {
  const roles = await policy.requestableRoles(userId);
  const selected = roles.find((r) => r.id === selectedRoleId) ?? roles[0];
  if (!selected) return null;
  const { doc } = policy;
  return requestModal({
    roles,
    selectedRoleId: selected.id,
    expiryChoices: policy.expiryChoices(selected.id),
    reasonRequired: doc.reason.required,
    reasonMinLength: doc.reason.minLength,
    reasonMaxLength: doc.reason.maxLength,
    defaultIpAccessList: doc.defaultIpAccessList,
    destinations: destinationsOf(selected, doc.destinations),
  });
}
