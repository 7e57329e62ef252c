import type { ModalView } from '@slack/types';
import type { Messages } from '../../i18n/index.js';
import type { Policy } from '../../policy/index.js';
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
  /** The reader's words for the on-call note and the break-glass choice (absent: neither is shown). */
  m?: Messages,
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
    ...(m
      ? {
          access: {
            m,
            modal: {
              role: selected,
              // The on-call group as it stands now (≤ 60 s old): the note says what submitting will do.
              onCallGroup: selected.autoApprove ? await policy.onCallGroup(userId, selected.id) : null,
              breakGlass: selected.breakGlass !== undefined,
            },
          },
        }
      : {}),
  });
}
