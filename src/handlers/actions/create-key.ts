import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { type HandlerDeps, parseRequestId } from '../deps.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;

/**
 * The requester's Create key click. The key is made now and the secret answers this very click
 * through its `response_url`, falling back to an ephemeral post in the DM it came from.
 */
export function createKeyAction(deps: HandlerDeps) {
  return async ({ ack, action, body }: Args): Promise<void> => {
    await ack();
    await deps.workflow.claim(parseRequestId(action.value), {
      userId: body.user.id,
      responseUrl: body.response_url || null,
      channelId: body.channel?.id ?? body.container?.channel_id ?? null,
    });
  };
}
