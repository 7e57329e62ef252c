import type { ModalView } from '@slack/types';
import { destinationsOf } from '../../views/delivery.js';
import { requestModal } from '../../views/index.js';
import type { ServiceOffer } from '../../views/services.js';
import type { KeyEntry, Workflow } from '../../workflow/index.js';
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
  const offer = await deps.workflow.serviceOffer(selected.id);
  const m = await wordsOf(deps, userId);
  return requestModal(m, {
    services:
      offer === null
        ? null
        : offer === 'unavailable'
          ? { kind: 'unavailable' }
          : { kind: 'offered', ...offer },
    roles,
    selectedRoleId: selected.id,
    expiryChoices: policy.expiryChoices(selected.id),
    reasonRequired: doc.reason.required,
    reasonMinLength: doc.reason.minLength,
    reasonMaxLength: doc.reason.maxLength,
    defaultIpAccessList: doc.defaultIpAccessList,
    keyName: doc.keyName,
    access: {
      m,
      modal: {
        role: selected,
        // The on-call group as it stands now (≤ 60 s old): the note says what submitting will do.
        onCallGroup: selected.autoApprove ? await policy.onCallGroup(userId, selected.id) : null,
        breakGlass: selected.breakGlass !== undefined,
      },
    },
    destinations: destinationsOf(selected, doc.destinations),
  });
}

/**
 * The Edit dialog's Services field for the role the dialog is on (`roleId`), the key's own
 * services chosen; null for a role not scoped to services.
 */
export async function editServiceOffer(
  workflow: Pick<Workflow, 'serviceOffer'>,
  roleId: string | null,
  entry: KeyEntry,
): Promise<ServiceOffer | null> {
  if (!roleId) return null;
  const offer = await workflow.serviceOffer(roleId);
  if (offer === null) return null;
  if (offer === 'unavailable') return { kind: 'unavailable' };
  return { kind: 'offered', ...offer, chosen: entry.services?.chosen.map((s) => s.id) ?? [] };
}
