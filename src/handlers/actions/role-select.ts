import type {
  AllMiddlewareArgs,
  BlockAction,
  SlackActionMiddlewareArgs,
  StaticSelectAction,
} from '@slack/bolt';
import type { HandlerDeps } from '../deps.js';
import { requestModalFor } from '../shared/request-modal.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<StaticSelectAction>>;

/** Changing the role in the request modal swaps in that role's expiry choices. */
export function roleSelectAction(deps: HandlerDeps) {
  return async ({ ack, action, body, client }: Args): Promise<void> => {
    await ack();
    const roleId = action.selected_option?.value;
    if (!body.view || !roleId) return;
    const view = await requestModalFor(deps.policy, body.user.id, roleId);
    if (!view) return;
    // The hash makes Slack refuse the update if the modal changed meanwhile (a newer update won).
    await client.views.update({ view_id: body.view.id, hash: body.view.hash, view });
  };
}
