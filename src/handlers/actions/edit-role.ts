import type { BlockAction, StaticSelectAction } from '@slack/bolt';
import { editKeyModal } from '../../views/index.js';
import { KEEP } from '../../workflow/index.js';
import type { ActionArgs, Listener } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { decodeContext } from '../shared/key-surface.js';
import { editServiceOffer } from '../shared/request-modal.js';
import { wordsOf } from '../shared/words.js';

/** Changing the role in the Edit dialog swaps in that role's expiry choices. */
export function editRoleAction(
  deps: HandlerDeps,
): Listener<ActionArgs<BlockAction<StaticSelectAction>>, never> {
  return ({ action, body }) => ({
    after: async ({ client }) => {
      const context = body.view ? decodeContext(body.view.private_metadata) : null;
      if (!body.view || !context) return;
      const userId = body.user.id;
      const picked = action.selected_option?.value ?? KEEP;
      const { entry, currentRoleId } = await deps.workflow.manageable(userId, context.keyId);
      const roleId = picked === KEEP ? null : picked;
      if (roleId && !(await deps.policy.canRequest(userId, roleId))) return;
      const choicesFor = roleId ?? currentRoleId;
      await client.views.update({
        view_id: body.view.id,
        hash: body.view.hash,
        view: editKeyModal(await wordsOf(deps, userId), {
          entry,
          roles: await deps.policy.requestableRoles(userId),
          currentRoleId,
          selectedRoleId: roleId,
          expiryChoices: choicesFor ? deps.policy.expiryChoices(choicesFor) : [],
          context: body.view.private_metadata,
          services: await editServiceOffer(deps.workflow, choicesFor, entry),
        }),
      });
    },
  });
}
