import type { BlockAction, StaticSelectAction } from '@slack/bolt';
import type { ActionArgs, Listener } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { requestModalFor } from '../shared/request-modal.js';

/** Changing the role in the request modal swaps in that role's expiry choices. */
export function roleSelectAction(
  deps: HandlerDeps,
): Listener<ActionArgs<BlockAction<StaticSelectAction>>, never> {
  return ({ action, body }) => ({
    after: async ({ client }) => {
      const roleId = action.selected_option?.value;
      if (!body.view || !roleId) return;
      const view = await requestModalFor(deps, body.user.id, roleId);
      if (!view) return;
      // The hash makes Slack refuse the update if the modal changed meanwhile (a newer update won).
      await client.views.update({ view_id: body.view.id, hash: body.view.hash, view });
    },
  });
}
