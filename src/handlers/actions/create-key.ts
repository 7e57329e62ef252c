import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { ActionArgs, Listener } from '../ack-first.js';
import { type HandlerDeps, parseRequestId } from '../deps.js';

/**
 * The requester's Create key click. The key is made now and the secret answers this very click
 * through its `response_url`, falling back to an ephemeral post in the DM it came from.
 */
export function createKeyAction(deps: HandlerDeps): Listener<ActionArgs<BlockAction<ButtonAction>>, never> {
  return ({ action, body }) => ({
    after: () =>
      deps.workflow.claim(parseRequestId(action.value), {
        userId: body.user.id,
        responseUrl: body.response_url || null,
        channelId: body.channel?.id ?? body.container?.channel_id ?? null,
      }),
  });
}
